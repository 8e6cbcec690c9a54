// The operator console in a real browser: an operator made with `creneau operator add` logs in
// with password and a TOTP code (RFC 6238, computed by lib/operator.mjs from the secret the
// command printed), lists the accounts, opens one and reads its state, plan, trial end and next
// transition. A wrong code is refused next to its field. Every page is checked with axe-core
// and for CSP violations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { addOperator, serverNow, totp } from './lib/operator.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
const OP_EMAIL = `ops-${process.pid}@creneau.example`;
const OP_PASSWORD = 'Console des opérateurs 2027';
const BUSINESS = `Garage du Phare ${process.pid}`;
let operator;
let account;

before(async () => {
	server = await startServer();
	browser = await launch();
	const owner = await signUp(server.base, { business_name: BUSINESS, email: `phare-${process.pid}@example.com`,
		password: 'Vidange du mardi 9h', business_type: 'garage', plan: 'essentiel' });
	account = owner.me.account;
	operator = addOperator(server, OP_EMAIL, 'Ada Ops', OP_PASSWORD);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

async function checkPage(page, what) {
	const v = await axeViolations(page);
	assert.deepEqual(v, [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

describe('operator console', () => {
	test('log in with a TOTP code, list the accounts, open one', async () => {
		const page = await newPage(browser);
		page.setDefaultTimeout(10000);
		await page.goto(server.base + '/ops/');
		await page.getByRole('heading', { name: 'Connexion opérateur' }).waitFor();
		await checkPage(page, 'log-in page');

		/* a wrong code: refused next to the code's field, nothing else said */
		const right = totp(operator.key, await serverNow(server));
		const wrong = String((Number(right) + 500000) % 1000000).padStart(6, '0');
		await page.getByLabel('Adresse e-mail').fill(OP_EMAIL);
		await page.getByLabel('Mot de passe').fill(OP_PASSWORD);
		await page.getByLabel('Code à usage unique').fill(wrong);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		const error = page.locator('#totp-error');
		await error.waitFor();
		assert.match(await error.innerText(), /mot de passe ou le code est incorrect/);
		assert.equal(await page.getByLabel('Code à usage unique').getAttribute('aria-invalid'), 'true');
		await checkPage(page, 'log-in page with an error');

		await page.getByLabel('Mot de passe').fill(OP_PASSWORD);
		await page.getByLabel('Code à usage unique').fill(await operator.nextCode());
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.waitForURL('**/ops/accounts/');
		const link = page.getByRole('link', { name: BUSINESS });
		await link.waitFor();
		const list = await text(page, '#accounts');
		assert.match(list, new RegExp(`${BUSINESS} ${account.slug} Essentiel Essai gratuit`));
		assert.match(await text(page, 'header'), /Ada Ops/);
		await checkPage(page, 'accounts list');

		await link.click();
		await page.waitForURL(`**/ops/account/?id=${account.id}`);
		await page.getByRole('heading', { name: BUSINESS }).waitFor();
		/* the terms are shown in capitals (CSS); innerText reads them so */
		const facts = await text(page, '#life-h2 + .facts');
		assert.match(facts, /État Essai gratuit/i);
		assert.match(facts, /Formule Essentiel/i);
		/* trial end 15 days after sign-up, at 00:00 Paris; it is also the next transition */
		assert.match(facts, /Fin de l’essai \d{1,2} \S+ \d{4} à 00:00/i);
		assert.match(facts, /Prochaine étape Fin de l’essai le \d{1,2} \S+ \d{4} à 00:00, puis « Essai terminé : compte gelé »/i);
		assert.match(await text(page, '#inv-h2 ~ p'), /Aucune facture pour ce compte/);
		assert.equal(await page.title(), `${BUSINESS} — Console des opérateurs — Créneau`);
		await checkPage(page, 'account page');

		/* English too */
		await page.getByRole('button', { name: 'English' }).click();
		assert.match(await text(page, '#life-h2 + .facts'), /State Free trial/i);
		await checkPage(page, 'account page in English');

		/* log-out ends the session: the list sends back to the log-in page */
		await page.getByRole('button', { name: 'Log out' }).click();
		await page.waitForURL(/\/ops\/$/);
		await page.goto(server.base + '/ops/accounts/');
		await page.waitForURL(/\/ops\/$/);
		await page.context().close();
	});
});
