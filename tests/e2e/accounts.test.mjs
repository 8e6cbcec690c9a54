// Issue 3 in a real browser: sign up in French, the dashboard with the trial, log out and in,
// change the password on the profile page, log in with it; the English variant of a page; a
// weak password shown next to its field; the reset page's answer for an unknown e-mail. Every
// page visited is also checked with axe-core and for CSP violations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { waitForMail } from './lib/mail.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
const pages = [];
const OLD_PASSWORD = 'Rendez-vous du mardi 14h';
const NEW_PASSWORD = 'Un autre créneau à 16 h 30';
const email = `e2e-${process.pid}-${Date.now()}@example.com`;

before(async () => {
	server = await startServer();
	browser = await launch();
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

async function open(options) {
	const page = await newPage(browser, options);
	page.setDefaultTimeout(10000);
	pages.push(page);
	return page;
}

/* The checks every page gets once it has settled. */
async function checkPage(page, what) {
	const v = await axeViolations(page);
	assert.deepEqual(v, [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

async function logIn(page, password) {
	await page.goto(server.base + '/login/');
	await page.getByLabel('Adresse e-mail').fill(email);
	await page.getByLabel('Mot de passe', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'Se connecter' }).click();
}

async function logOut(page) {
	await page.getByRole('button', { name: 'Se déconnecter' }).click();
	await page.waitForURL('**/login/');
}

describe('accounts in the browser', () => {
	test('home page lists the plans with French prices', async () => {
		const page = await open();
		await page.goto(server.base + '/');
		await page.locator('.plan').first().waitFor();
		const plans = await text(page, '#plans');
		assert.match(plans, /Essentiel 19 € HT \/ mois/);
		assert.match(plans, /Optimum 69 € HT \/ mois/);
		const link = page.getByRole('link', { name: 'Essayer Pro gratuitement' });
		assert.equal(await link.getAttribute('href'), '/signup/?plan=pro');
		await checkPage(page, 'home');
	});

	test('a weak password is refused next to its field', async () => {
		const page = await open();
		await page.goto(server.base + '/signup/');
		await page.getByLabel('Nom de l’entreprise').fill('Salon Faible');
		await page.getByLabel('Type d’activité').selectOption('beauty');
		await page.getByLabel('Adresse e-mail').fill(`weak-${email}`);
		await page.getByLabel('Mot de passe', { exact: true }).fill('court');
		await page.getByLabel('J’accepte les conditions générales d’utilisation').check();
		await page.getByLabel('J’accepte l’accord de traitement des données (RGPD)').check();
		await page.getByRole('button', { name: 'Créer mon compte' }).click();
		const error = page.locator('#password-error');
		await error.waitFor();
		assert.match(await error.innerText(), /Mot de passe trop faible/);
		assert.equal(await page.getByLabel('Mot de passe', { exact: true }).getAttribute('aria-invalid'), 'true');
		assert.match(await page.locator('[data-form-status]').innerText(), /Mot de passe trop faible/);
		assert.ok(page.url().endsWith('/signup/'), 'stays on the sign-up page');
		await checkPage(page, 'sign-up with an error');
	});

	test('sign up, dashboard, log out and in, change the password', async () => {
		const page = await open();
		await page.goto(server.base + '/signup/?plan=pro');
		assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
		assert.ok(await page.locator('#plan-pro').isChecked(), '?plan=pro preselects Pro');
		await page.locator('#plan-optimum').check();
		assert.equal(await page.getByLabel('Fuseau horaire').inputValue(), 'Europe/Paris');
		await checkPage(page, 'sign-up');
		await page.getByLabel('Nom de l’entreprise').fill('Salon Écrin');
		await page.getByLabel('Type d’activité').selectOption('hair_salon');
		await page.getByLabel('Adresse e-mail').fill(email);
		await page.getByLabel('Mot de passe', { exact: true }).fill(OLD_PASSWORD);
		await page.getByLabel('J’accepte les conditions générales d’utilisation').check();
		await page.getByLabel('J’accepte l’accord de traitement des données (RGPD)').check();
		await page.getByRole('button', { name: 'Créer mon compte' }).click();
		await page.waitForURL('**/office/');

		// the dashboard: business, plan, trial and its end date as the account's zone shows it
		await page.getByRole('heading', { level: 1, name: 'Salon Écrin' }).waitFor();
		const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
		assert.equal(me.account.state, 'trial');
		const end = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short',
			timeZone: me.account.time_zone }).format(new Date(
			typeof me.account.trial_ends_at === 'number' ? me.account.trial_ends_at * 1000 : me.account.trial_ends_at));
		const office = await text(page, 'main');
		assert.match(office, /Optimum/);
		assert.match(office, /essai/i);
		assert.ok(office.includes(end.replace(/[\s\u00a0\u202f]+/g, ' ')), `trial end «${end}» in «${office}»`);
		await checkPage(page, 'dashboard');

		await logOut(page);
		await logIn(page, OLD_PASSWORD);
		await page.waitForURL('**/office/');

		await page.getByRole('navigation', { name: 'Navigation principale' })
			.getByRole('link', { name: 'Mon profil', exact: true }).click();
		await page.waitForURL('**/office/profile/');
		await page.getByRole('heading', { name: 'Votre entreprise' }).waitFor();
		assert.equal(await page.locator('#acc-name').inputValue(), 'Salon Écrin');
		await checkPage(page, 'profile');
		// own name, then the business profile (only the changed fields are sent)
		await page.getByLabel('Votre nom').fill('Camille Écrin');
		await page.locator('#me-form').getByRole('button', { name: 'Enregistrer' }).click();
		await page.locator('#me-form [data-form-status]').getByText('Modifications enregistrées.').waitFor();
		await page.getByLabel('Téléphone').fill('+33 1 23 45 67 89');
		await page.locator('#business-form').getByRole('button', { name: 'Enregistrer' }).click();
		await page.locator('#business-form [data-form-status]').getByText('Modifications enregistrées.').waitFor();
		const saved = await page.evaluate(async () => [(await (await fetch('/api/v1/me')).json()).user.name,
			await (await fetch('/api/v1/account')).json()]);
		assert.equal(saved[0], 'Camille Écrin');
		assert.match(JSON.stringify(saved[1]), /23 ?45 ?67 ?89/);
		await page.getByLabel('Mot de passe actuel').fill(OLD_PASSWORD);
		await page.getByLabel('Nouveau mot de passe').fill(NEW_PASSWORD);
		await page.getByLabel('Confirmez le mot de passe').fill(NEW_PASSWORD);
		await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
		await page.getByText('Votre mot de passe a été modifié.').waitFor();

		await logOut(page);
		await logIn(page, OLD_PASSWORD);
		const error = page.locator('#password-error');
		await error.waitFor();
		assert.match(await error.innerText(), /E-mail ou mot de passe incorrect/);
		await logIn(page, NEW_PASSWORD);
		await page.waitForURL('**/office/');
		await page.getByRole('heading', { level: 1, name: 'Salon Écrin' }).waitFor();
	});

	test('the link of the verification e-mail confirms the address', async () => {
		// the link as written in the mail (no trailing slash): the redirect must keep the token
		const [, path] = await waitForMail(email, /https?:\/\/[^/\s]+(\/verify\?token=[A-Za-z0-9_%-]+)/);
		const page = await open();
		await page.goto(server.base + path);
		assert.match(page.url(), /\/verify\/\?token=/);
		await page.getByText('Merci : votre adresse e-mail est confirmée.').waitFor();
		await checkPage(page, 'verify');
		await page.reload();
		const status = page.locator('#verify-status.error');
		await status.waitFor();
		assert.match(await status.innerText(), /n’est pas valide ou a déjà servi/);
	});

	test('the reset page answers the same for an unknown e-mail', async () => {
		const page = await open();
		const answer = async (address) => {
			await page.goto(server.base + '/reset/');
			await page.getByLabel('Adresse e-mail').fill(address);
			await page.getByRole('button', { name: 'Envoyer le lien' }).click();
			const status = page.locator('#request-form [data-form-status]');
			await status.filter({ hasText: /\S/ }).waitFor();
			return status.innerText();
		};
		const known = await answer(email);
		const unknown = await answer(`nobody-${email}`);
		assert.match(unknown, /Si un compte existe pour cette adresse, un e-mail a été envoyé/);
		assert.equal(unknown, known);
		await checkPage(page, 'reset');
	});

	test('English: ?lang=en, then the choice is remembered', async () => {
		const page = await open();
		await page.goto(server.base + '/login/?lang=en');
		assert.equal(await page.locator('html').getAttribute('lang'), 'en');
		await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
		await page.getByLabel('E-mail address').fill(`nobody-${email}`);
		await page.getByLabel('Password').fill('not the password at all');
		await page.getByRole('button', { name: 'Log in' }).click();
		const error = page.locator('#password-error');
		await error.waitFor();
		assert.match(await error.innerText(), /Wrong e-mail or password/);
		await checkPage(page, 'log-in in English');
		await page.goto(server.base + '/signup/');
		await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
		assert.equal(await page.getByLabel('Type of business').locator('option[value="town_hall"]').innerText(), 'Town hall');
		await page.getByRole('button', { name: 'Français' }).click();
		await page.getByRole('heading', { level: 1, name: 'Créer votre compte' }).waitFor();
		assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
	});

	test('the other pages pass the accessibility check', async () => {
		const page = await open();
		for (const path of ['/verify/', '/verify/?token=nope', '/invitation/?token=nope', '/reset/?token=nope',
			'/legal/terms.html', '/legal/dpa.html']) {
			await page.goto(server.base + path);
			await page.waitForLoadState('networkidle');
			await checkPage(page, path);
		}
		await page.goto(server.base + '/office/');
		await page.waitForURL('**/login/');
	});
});
