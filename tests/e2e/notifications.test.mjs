// Issue 6 item 8 in a real browser: the owner's notification screens. A business signed up
// through the API (Pro, in trial) books one appointment from the back office, then in the
// browser: the reminder offsets changed and saved (read back through the API); the SMS editor
// showing GSM-7 or UCS-2 and the worst-case number of SMS as one types (the server measures);
// a text too long refused by the server next to its field; the e-mail text saved; the log
// listing the confirmation sent to the client, with its filters. axe-core and CSP on each step.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
let owner;
const run = `${process.pid}-${Date.now()}`;
const PASSWORD = 'Rappel du vendredi 9h';
const clientEmail = `client-notif-${run}@example.com`;

async function signUpOwner() {
	return signUp(server.base, { business_name: 'Institut Rappel', email: `notif-${run}@example.com`,
		password: PASSWORD, business_type: 'beauty', plan: 'pro' });
}

/* A page logged in as the owner: the sign-up's session cookie in a fresh context. */
async function ownerPage() {
	const page = await newPage(browser);
	page.setDefaultTimeout(10000);
	await owner.logIn(page);
	return page;
}

async function check(page, what) {
	const v = await axeViolations(page);
	assert.deepEqual(v, [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

/* Waits until the measure line says what re expects (the server answers after a short pause). */
async function measureMatches(page, re) {
	const out = page.locator('#sms-measure');
	await out.filter({ hasText: re }).waitFor();
	return (await out.innerText()).replace(/[\s\u00a0\u202f]+/g, ' ');
}

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUpOwner();
	const staff = (await owner.ok('POST', '/staff', { name: 'Inès Robert' })).staff;
	const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['08:00', '20:00']]]));
	await owner.ok('PUT', `/staff/${staff.id}/hours`, week);
	const service = (await owner.ok('POST', '/services', { name: 'Soin du visage', duration_min: 60, price_cents: 4500,
		staff: [staff.id] })).service;
	const day = new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10);
	await owner.ok('POST', '/appointments', { service: service.id, staff: staff.id, start: `${day}T10:00:00Z`,
		client: { first_name: 'Chloé', last_name: 'Durand', email: clientEmail },
		override: { notice: true, horizon: true, grid: true } });
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

describe('the notification screens', () => {
	test('change the reminder offsets and save', async () => {
		const page = await ownerPage();
		await page.goto(server.base + '/office/notifications/');
		await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
		await page.locator('#reminders li').first().waitFor();
		// the defaults: 24 h and 2 h before
		assert.equal(await page.getByLabel('Rappel 1', { exact: true }).inputValue(), '24');
		assert.equal(await page.getByLabel('Rappel 2', { exact: true }).inputValue(), '2');
		assert.match(await text(page, '#notif-sms-note'), /Pendant l’essai gratuit, les SMS ne sont pas envoyés/);
		await check(page, 'notifications');

		await page.getByLabel('Rappel 1', { exact: true }).fill('2');
		await page.locator('#rem-0-u').selectOption('days');
		await page.getByRole('button', { name: 'Ajouter un rappel' }).click();
		await page.getByLabel('Rappel 3', { exact: true }).fill('30');
		await page.locator('#rem-2-u').selectOption('minutes');
		await page.locator('#rem-2-sms').check();
		await page.locator('#rem-2-email').uncheck();
		await page.getByLabel('Me prévenir quand un client déplace ou annule').uncheck();
		await page.getByLabel('Nom de l’expéditeur des SMS').fill('Institut');
		await page.locator('#settings-form').getByRole('button', { name: 'Enregistrer' }).click();
		await page.locator('#settings-form [data-form-status]').getByText('Modifications enregistrées.').waitFor();

		const saved = (await owner.ok('GET', '/notifications/settings')).settings;
		assert.deepEqual(saved.reminders, [
			{ minutes: 2880, channels: ['email', 'sms'] },
			{ minutes: 120, channels: ['email', 'sms'] },
			{ minutes: 30, channels: ['sms'] },
		]);
		assert.equal(saved.owner_changes, false);
		assert.equal(saved.sms_sender, 'Institut');

		// what the page shows after a reload is what was saved
		await page.reload();
		await page.locator('#reminders li').nth(2).waitFor();
		assert.equal(await page.getByLabel('Rappel 1', { exact: true }).inputValue(), '2');
		assert.equal(await page.locator('#rem-0-u').inputValue(), 'days');
		assert.equal(await page.getByLabel('Rappel 3', { exact: true }).inputValue(), '30');

		// a delay under 15 minutes is refused next to its field, before sending
		await page.getByLabel('Rappel 3', { exact: true }).fill('5');
		await page.locator('#settings-form').getByRole('button', { name: 'Enregistrer' }).click();
		const err = page.locator('#rem-2-n-error');
		await err.waitFor();
		assert.match(await err.innerText(), /entre 15 minutes et 14 jours/);
		assert.equal(await page.locator('#rem-2-n').getAttribute('aria-invalid'), 'true');
		await check(page, 'notifications with an error');
	});

	test('the SMS editor measures the coding and the number of SMS as one types', async () => {
		const page = await ownerPage();
		await page.goto(server.base + '/office/notifications/');
		const box = page.getByLabel('Texte du SMS');
		await box.waitFor();
		// the shipped text, measured at its worst case
		assert.match(await box.inputValue(), /\{\{manage_url\}\}/);
		await measureMatches(page, /GSM-7/);

		// « é » is in the GSM-7 alphabet; « ê » is not: the whole SMS switches to UCS-2
		await box.fill('Bonjour {{client_first_name}}, à demain chez {{business}} : café offert.');
		let m = await measureMatches(page, /GSM-7.*· 1 SMS au plus/);
		assert.equal(await page.locator('#sms-measure [data-encoding]').getAttribute('data-encoding'), 'gsm7');
		await box.fill('Bonne fête {{client_first_name}} !');
		m = await measureMatches(page, /UCS-2.*· 1 SMS au plus/);
		assert.equal(await page.locator('#sms-measure [data-encoding]').getAttribute('data-encoding'), 'ucs2');
		// typing more updates the count (70 then 67 per part in UCS-2), without saving anything
		await box.pressSequentially(' Rendez-vous chez {{business}}.');
		await measureMatches(page, /UCS-2.*· 2 SMS au plus/);
		await box.pressSequentially(' Pensez à votre carte de fidélité.');
		await measureMatches(page, /UCS-2.*· 3 SMS au plus/);
		// the accent-free option brings it back to GSM-7 (160 per SMS)
		await page.getByLabel('Envoyer les SMS sans accents').check();
		await measureMatches(page, /GSM-7.*· 1 SMS au plus/);
		await page.getByLabel('Envoyer les SMS sans accents').uncheck();
		await measureMatches(page, /UCS-2/);
		await check(page, 'SMS editor');

		// too long at its worst: the server refuses it, the message is next to the field
		const long = 'Bonne fête ! ' + 'Nous avons hâte de vous revoir. '.repeat(7) + '{{manage_url}}';
		await box.fill(long);
		m = await measureMatches(page, /trop long/);
		assert.match(m, /UCS-2/);
		const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/settings') && r.request().method() === 'PUT');
		await page.getByRole('button', { name: 'Enregistrer les textes' }).click();
		const res = await answer;
		assert.equal(res.status(), 422);
		assert.equal((await res.json()).error.code, 'sms_too_long');
		const err = page.locator('#sms-body-error');
		await err.waitFor();
		assert.match(await err.innerText(), /trop long/);
		assert.equal(await box.inputValue(), long, 'the text typed is kept');
		await check(page, 'SMS too long');

		// a text that fits is saved, and the e-mail text with it
		await box.fill('RDV {{service}} chez {{business}} le {{date}} à {{time}}. Modifier : {{manage_url}}');
		await measureMatches(page, /GSM-7/);
		await page.getByLabel('Objet').fill('Votre rendez-vous chez {{business}}');
		await page.getByRole('button', { name: 'Enregistrer les textes' }).click();
		await page.locator('#texts-form [data-form-status]').getByText('Textes enregistrés.').waitFor();
		const texts = (await owner.ok('GET', '/notifications/settings')).texts;
		const sms = texts.find((x) => x.channel === 'sms' && x.locale === 'fr');
		const mail = texts.find((x) => x.channel === 'email' && x.locale === 'fr');
		assert.equal(sms.body, 'RDV {{service}} chez {{business}} le {{date}} à {{time}}. Modifier : {{manage_url}}');
		assert.equal(sms.edited, true);
		assert.equal(mail.subject, 'Votre rendez-vous chez {{business}}');
		assert.equal(texts.find((x) => x.channel === 'sms' && x.locale === 'en').edited, false, 'English untouched');

		// back to the shipped texts
		await page.getByRole('button', { name: 'Revenir à nos textes' }).click();
		await page.locator('#texts-form [data-form-status]').getByText('Nos textes sont rétablis pour cette langue.').waitFor();
		assert.match(await box.inputValue(), /^Rappel : RDV/);

		// in English: the page and the measure follow the switch, the English text is there to edit
		await page.getByRole('button', { name: 'English' }).click();
		await page.getByRole('heading', { name: 'Reminder texts' }).waitFor();
		await measureMatches(page, /Encoding: GSM-7 \(160 characters per SMS\)/);
		await page.getByLabel('Language of the text').selectOption('en');
		assert.doesNotMatch(await page.getByLabel('SMS text').inputValue(), /^Rappel/);
		assert.equal(await page.getByLabel('Reminder 1', { exact: true }).inputValue(), '2');
		assert.equal(await page.locator('#rem-0-u option:checked').innerText(), 'days');
		await check(page, 'notifications in English');
	});

	test('the log lists the confirmation sent to the client', async () => {
		// the worker hands the e-mail to the SMTP server: wait until the log says so
		const deadline = Date.now() + 15000;
		for (;;) {
			const log = (await owner.ok('GET', '/notifications/log?channel=email')).messages;
			const mine = log.find((m) => m.recipient === clientEmail && m.kind === 'booking_confirmed');
			if (mine?.status === 'sent')
				break;
			assert.ok(Date.now() < deadline, `confirmation not sent in time: ${JSON.stringify(mine)}`);
			await new Promise((r) => setTimeout(r, 200));
		}
		const page = await ownerPage();
		await page.goto(server.base + '/office/notifications/');
		const row = page.locator('#log-rows tr[data-kind="booking_confirmed"]', { hasText: clientEmail });
		await row.waitFor();
		const line = (await row.innerText()).replace(/[\s\u00a0\u202f]+/g, ' ');
		assert.match(line, /Confirmation/);
		assert.match(line, /E-mail/);
		assert.match(line, /Envoyé/);
		assert.match(line, / 20\d\d à \d\d:\d\d/, 'the date written in French');
		if (process.env.E2E_SHOTS)
			await page.screenshot({ path: `${process.env.E2E_SHOTS}/notifications.png`, fullPage: true });
		await check(page, 'log');
		// filters: SMS only shows nothing of it; e-mail shows it again
		await page.getByLabel('Canal').selectOption('sms');
		await page.getByRole('button', { name: 'Filtrer' }).click();
		await page.locator('#log-count').getByText('Aucun message pour ces critères.').waitFor();
		await page.getByLabel('Canal').selectOption('email');
		await page.getByRole('button', { name: 'Filtrer' }).click();
		await row.waitFor();
	});
});
