// The operator console in a real browser: an operator made with `creneau operator add` logs in
// with password and a TOTP code (RFC 6238, computed here with HMAC-SHA1 from the secret the
// command printed), lists the accounts, opens one and reads its state, plan, trial end and next
// transition. A wrong code is refused next to its field. Every page is checked with axe-core
// and for CSP violations.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { signUp } from './lib/owner.mjs';
import { ROOT, startServer } from './lib/server.mjs';

let server;
let browser;
const OP_EMAIL = `ops-${process.pid}@creneau.example`;
const OP_PASSWORD = 'Console des opérateurs 2027';
const BUSINESS = `Garage du Phare ${process.pid}`;
let secret;
let account;

/* RFC 4648 base32 (no padding) to bytes. */
function base32(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0;
	let value = 0;
	const out = [];
	for (const ch of s.replace(/=+$/, '').toUpperCase()) {
		const v = alphabet.indexOf(ch);
		if (v < 0)
			throw new Error('not base32: ' + s);
		value = (value << 5) | v;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/* RFC 6238 TOTP: HMAC-SHA1 of the 30-second step, dynamic truncation, 6 digits. */
function totp(key, unix) {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(unix / 30)));
	const h = createHmac('sha1', key).update(counter).digest();
	const o = h[h.length - 1] & 0x0f;
	const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
	return String(n % 1000000).padStart(6, '0');
}

/* The server's clock (test mode keeps it in the store). */
async function serverNow() {
	const r = await fetch(server.base + '/api/v1/test/clock');
	assert.equal(r.status, 200);
	return (await r.json()).unix;
}

before(async () => {
	server = await startServer();
	browser = await launch();
	const owner = await signUp(server.base, { business_name: BUSINESS, email: `phare-${process.pid}@example.com`,
		password: 'Vidange du mardi 9h', business_type: 'garage', plan: 'essentiel' });
	account = owner.me.account;
	const bin = resolve(ROOT, process.env.CRENEAU_BIN || 'build/debug/creneau');
	const add = spawnSync(bin, ['operator', 'add', OP_EMAIL, '--name', 'Ada Ops', '--store',
		`sqlite:${server.tmp}/e2e.db`], { input: OP_PASSWORD + '\n', encoding: 'utf8' });
	assert.equal(add.status, 0, add.stderr);
	const m = /secret: ([A-Z2-7]+)/.exec(add.stdout);
	assert.ok(m, add.stdout);
	secret = base32(m[1]);
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
		const now = await serverNow();
		const right = totp(secret, now);
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
		await page.getByLabel('Code à usage unique').fill(right);
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
