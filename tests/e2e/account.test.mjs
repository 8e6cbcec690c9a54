// Issue 8 in a real browser: the owner's account area and the deletion link of the profile.
// A business signed up through the API (Essentiel, in trial), then in the browser: the trial
// days left; the billing identity (an invalid SIREN refused next to its field, then a valid
// one with a French address); the exact quote for Pro, then subscribing; the invoice in the
// list and its PDF; cancelling at the end of the month and resuming; the deletion dialog
// refusing a wrong confirmation, then deleting and landing on the page that says so.
// axe-core and CSP on each step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
let owner;
const run = `${process.pid}-${Date.now()}`;
const PASSWORD = 'Facture du lundi 10h';
const email = `account-${run}@example.com`;

async function signUpOwner() {
	return signUp(server.base, { business_name: 'Garage des Tilleuls', email, password: PASSWORD,
		business_type: 'garage', plan: 'essentiel' });
}

/* One page for the whole story, logged in with the sign-up's session. */
let page;

async function check(what) {
	if (process.env.E2E_SHOTS)
		await page.screenshot({ path: `${process.env.E2E_SHOTS}/${what.replace(/[^a-z0-9]+/gi, '-')}.png`, fullPage: true });
	const v = await axeViolations(page);
	assert.deepEqual(v, [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ');
const euros = (cents) => norm(new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR',
	minimumFractionDigits: cents % 100 ? 2 : 0, maximumFractionDigits: cents % 100 ? 2 : 0 }).format(cents / 100));
const longDateTime = (iso) => norm(new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short',
	timeZone: 'Europe/Paris' }).format(new Date(iso)));

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUpOwner();
	page = await newPage(browser);
	page.setDefaultTimeout(10000);
	await owner.logIn(page);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

describe('the account area', () => {
	test('the trial days left, from the dashboard’s navigation', async () => {
		await page.goto(server.base + '/office/');
		await page.getByRole('link', { name: 'Abonnement', exact: true }).click();
		await page.waitForURL('**/office/account/');
		await page.getByRole('heading', { level: 1, name: 'Abonnement et factures' }).waitFor();
		const sub = (await owner.ok('GET', '/subscription')).subscription;
		assert.equal(sub.state, 'trial');
		assert.ok(sub.trial_days_left >= 14, `a new trial has 14 or 15 days left, not ${sub.trial_days_left}`);
		await page.locator('#trial-left').getByText(`Encore ${sub.trial_days_left} jours`).waitFor();
		assert.equal(await page.locator('#cur-plan').innerText(), 'Essentiel');
		assert.equal(await page.locator('#cur-state').innerText(), 'Essai gratuit');
		assert.match(norm(await page.locator('#state-note').innerText()), new RegExp(longDateTime(sub.trial_ends_at)));
		assert.equal(await page.locator('#invoices-status').innerText(), 'Aucune facture pour l’instant.');
		await check('account in trial');
	});

	test('the billing identity: a wrong SIREN refused, then saved', async () => {
		// without it, the quote is not asked
		await page.getByRole('button', { name: 'S’abonner à Pro' }).click();
		await page.locator('#plans-status').getByText('Renseignez d’abord l’identité de facturation ci-dessus.').waitFor();

		await page.getByLabel('Raison sociale').fill('Garage des Tilleuls SARL');
		await page.getByLabel('SIREN').fill('732 829 321');
		await page.getByLabel('Adresse', { exact: true }).fill('4 avenue des Tilleuls');
		await page.getByLabel('Code postal').fill('69003');
		await page.getByLabel('Ville').fill('Lyon');
		assert.equal(await page.getByLabel('E-mail de facturation').inputValue(), email, 'prefilled with the owner’s');
		await page.getByLabel('E-mail de facturation').fill(`compta-${run}@example.com`);
		await page.locator('#identity-form').getByRole('button', { name: 'Enregistrer' }).click();
		const err = page.locator('#siren-error');
		await err.waitFor();
		assert.match(await err.innerText(), /SIREN n’est pas valable/);
		assert.equal(await page.getByLabel('SIREN').getAttribute('aria-invalid'), 'true');
		await check('identity with an error');

		await page.getByLabel('SIREN').fill('732 829 320');
		await page.locator('#identity-form').getByRole('button', { name: 'Enregistrer' }).click();
		await page.locator('#identity-form [data-form-status]').getByText('Modifications enregistrées.').waitFor();
		const id = await owner.ok('GET', '/billing/identity');
		assert.equal(id.complete, true);
		assert.equal(id.identity.siren, '732829320');
		assert.equal(id.identity.postcode, '69003');
		assert.equal(id.identity.email, `compta-${run}@example.com`);
	});

	test('the exact quote for Pro, then subscribing', async () => {
		const q = (await owner.ok('GET', '/subscription/quote?plan=pro')).quote;
		assert.equal(q.document, 'invoice');
		await page.getByRole('button', { name: 'S’abonner à Pro' }).click();
		const quote = page.locator('#quote');
		await quote.getByRole('heading', { name: 'S’abonner à la formule Pro' }).waitFor();
		const shown = norm(await quote.innerText());
		assert.ok(shown.includes(`Montant HT ${euros(q.amount_ht)}`), `HT ${euros(q.amount_ht)} in «${shown}»`);
		assert.ok(shown.includes(`TVA 20 % ${euros(q.amount_vat)}`), `TVA in «${shown}»`);
		assert.ok(shown.includes(`Total TTC à payer ${euros(q.amount_ttc)}`), `TTC in «${shown}»`);
		assert.ok(shown.includes(`${q.days_remaining} jour(s) sur ${q.days_in_month}`), `days in «${shown}»`);
		assert.ok(shown.includes(`Ensuite, ${euros(q.next_month_ht)} HT par mois`), `next month in «${shown}»`);
		assert.equal(q.amount_ht, Math.round(3900 * q.days_remaining / q.days_in_month));
		await check('quote');

		await quote.getByRole('button', { name: 'Confirmer et recevoir la facture' }).click();
		await page.locator('#plans-status').getByText('C’est fait : vous êtes sur la formule Pro.').waitFor();
		assert.ok(await quote.isHidden());
		assert.equal(await page.locator('#cur-plan').innerText(), 'Pro');
		assert.equal(await page.locator('#cur-state').innerText(), 'Abonnement actif');
		assert.ok(await page.locator('#trial-left-box').isHidden());
		assert.equal(await page.getByRole('button', { name: 'Votre formule actuelle' }).isDisabled(), true);
		const sub = (await owner.ok('GET', '/subscription')).subscription;
		assert.equal(sub.state, 'active');
		assert.equal(sub.plan, 'pro');
	});

	test('the invoice is listed and its PDF downloads', async () => {
		const list = (await owner.ok('GET', '/invoices')).invoices;
		assert.equal(list.length, 1);
		const inv = list[0];
		assert.match(inv.number, /^F-\d{4}-\d{6}$/);
		const row = page.locator(`#invoice-rows tr[data-id="${inv.id}"]`);
		await row.waitFor();
		const line = norm(await row.innerText());
		assert.match(line, new RegExp(`^${inv.number} `));
		assert.match(line, /Facture/);
		assert.ok(line.includes(euros(inv.total_ht)) && line.includes(euros(inv.total_ttc)), `totals in «${line}»`);
		await check('invoices');

		const link = row.getByRole('link', { name: `Télécharger le PDF de ${inv.number}` });
		const res = await page.request.get(server.base + await link.getAttribute('href'));
		assert.equal(res.status(), 200);
		assert.match(res.headers()['content-type'], /^application\/pdf/);
		const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
		assert.equal(download.suggestedFilename(), `${inv.number}.pdf`);
		const bytes = readFileSync(await download.path());
		assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
		assert.deepEqual(bytes, Buffer.from(await res.body()), 'the stored PDF, served unchanged');
	});

	test('cancel at the end of the month, then resume', async () => {
		await page.getByRole('button', { name: 'Résilier à la fin du mois' }).click();
		const form = page.locator('#cancel-form [data-form-status]');
		await form.getByText(/Résiliation enregistrée/).waitFor();
		const sub = (await owner.ok('GET', '/subscription')).subscription;
		assert.equal(sub.state, 'cancel_pending');
		const when = longDateTime(sub.cancel_at);
		assert.match(when, /^1(er)? /, `the next 1st: ${when}`);
		assert.equal(norm(await page.locator('#cancel-date').innerText()), when);
		assert.ok(norm(await form.innerText()).includes(when));
		assert.equal(await page.locator('#cur-state').innerText(), 'Résiliation prévue en fin de mois');
		await check('cancelled');

		await page.getByRole('button', { name: 'Reprendre l’abonnement' }).click();
		await form.getByText('L’abonnement continue : la résiliation est annulée.').waitFor();
		assert.equal((await owner.ok('GET', '/subscription')).subscription.state, 'active');
		assert.equal(await page.locator('#cur-state').innerText(), 'Abonnement actif');
		assert.ok(await page.locator('#cancel-box').isHidden());
		await page.getByRole('button', { name: 'Résilier à la fin du mois' }).waitFor();
	});

	test('the deletion dialog refuses a wrong confirmation, then deletes', async () => {
		await page.getByRole('link', { name: 'Mon profil', exact: true }).click();
		await page.waitForURL('**/office/profile/');
		const open = page.getByRole('button', { name: 'Supprimer le compte et ses données' });
		await open.click();
		const dialog = page.getByRole('dialog', { name: 'Supprimer définitivement le compte ?' });
		await dialog.waitFor();
		await check('deletion dialog');
		await dialog.getByLabel('Votre mot de passe').fill(PASSWORD);
		await dialog.getByLabel('Pour confirmer, tapez SUPPRIMER en majuscules').fill('supprimer');
		const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/account/deletion') && r.request().method() === 'POST');
		await dialog.getByRole('button', { name: 'Supprimer le compte', exact: true }).click();
		assert.equal((await answer).status(), 400);
		const err = page.locator('#del-confirmation-error');
		await err.waitFor();
		assert.match(await err.innerText(), /Tapez exactement SUPPRIMER/);
		assert.equal((await owner.ok('GET', '/me')).account.state, 'active', 'nothing deleted');

		// Escape closes it, the focus goes back to the link; nothing changed
		await page.keyboard.press('Escape');
		await dialog.waitFor({ state: 'hidden' });
		assert.ok(await open.evaluate((e) => e === document.activeElement));

		await open.click();
		await dialog.getByLabel('Votre mot de passe').fill(PASSWORD);
		await dialog.getByLabel('Pour confirmer, tapez SUPPRIMER en majuscules').fill('SUPPRIMER');
		await dialog.getByRole('button', { name: 'Supprimer le compte', exact: true }).click();
		await page.waitForURL('**/office/account/deleted.html');
		await page.getByRole('heading', { level: 1, name: 'Votre compte est en cours de suppression' }).waitFor();
		assert.match(await text(page, 'main'), /effacées définitivement sous 7 jours/);
		await check('deleted');

		// the session is over, and logging in again is refused
		const me = await owner.call('GET', '/me');
		assert.ok(me.status === 401 || me.status === 410, `GET /me after deletion: ${me.status}`);
		await page.goto(server.base + '/office/');
		await page.waitForURL('**/login/');
		await page.getByLabel('Adresse e-mail').fill(email);
		await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.locator('#password-error').waitFor();
		assert.equal(await page.getByRole('button', { name: 'Français' }).getAttribute('aria-pressed'), 'true');
	});
});
