// Support in a real browser: a customer (an Optimum account) opens a ticket with a PNG
// attached and sees the committed deadline; an operator made with `creneau operator add` logs in
// with a TOTP code, finds the ticket in the queue and answers it from the console; the customer
// sees the reply in the thread. Every page is checked with axe-core and for CSP violations.
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
let owner;
let secret;
const OP_EMAIL = `support-ops-${process.pid}@creneau.example`;
const OP_PASSWORD = 'Console du support 2027';
const BUSINESS = `Institut Lumière ${process.pid}`;
const SUBJECT = 'Les rappels ne partent plus';
const REPLY = 'Bonjour, le relais SMS est rétabli : les rappels repartent ce soir.';
/* a 1x1 PNG */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function base32(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0;
	let value = 0;
	const out = [];
	for (const ch of s.replace(/=+$/, '').toUpperCase()) {
		value = (value << 5) | alphabet.indexOf(ch);
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/* RFC 6238 TOTP, 6 digits, 30-second steps. */
function totp(key, unix) {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(unix / 30)));
	const h = createHmac('sha1', key).update(counter).digest();
	const o = h[h.length - 1] & 0x0f;
	const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
	return String(n % 1000000).padStart(6, '0');
}

async function serverNow() {
	const r = await fetch(server.base + '/api/v1/test/clock');
	assert.equal(r.status, 200);
	return (await r.json()).unix;
}

async function checkPage(page, what) {
	assert.deepEqual(await axeViolations(page), [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUp(server.base, { business_name: BUSINESS, email: `lumiere-${process.pid}@example.com`,
		password: 'Soins du visage 10h', business_type: 'beauty', plan: 'optimum' });
	const st = await fetch(server.base + '/api/v1/test/account-state', { method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ slug: owner.me.account.slug, state: 'active' }) });
	assert.equal(st.status, 200, await st.text());
	const bin = resolve(ROOT, process.env.CRENEAU_BIN || 'build/debug/creneau');
	const add = spawnSync(bin, ['operator', 'add', OP_EMAIL, '--name', 'Ada Support', '--store',
		`sqlite:${server.tmp}/e2e.db`], { input: OP_PASSWORD + '\n', encoding: 'utf8' });
	assert.equal(add.status, 0, add.stderr);
	secret = base32(/secret: ([A-Z2-7]+)/.exec(add.stdout)[1]);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

describe('support tickets', () => {
	test('a customer opens a ticket with an attachment, an operator answers it, the customer reads the reply', async () => {
		/* the customer */
		const page = await newPage(browser);
		page.setDefaultTimeout(10000);
		await owner.logIn(page);
		await page.goto(server.base + '/office/support/');
		await page.getByRole('heading', { name: 'Nouvelle demande' }).waitFor();
		assert.match(await text(page, 'nav'), /Support/);
		await checkPage(page, 'support screen');
		/* an empty message is refused next to its field, the subject kept */
		await page.locator('#subject').fill(SUBJECT);
		await page.getByRole('button', { name: 'Envoyer la demande' }).click();
		await page.locator('#message-error').waitFor();
		assert.equal(await page.locator('#subject').inputValue(), SUBJECT);

		await page.locator('#category').selectOption('bug');
		await page.locator('#message').fill('Depuis ce matin, aucun rappel SMS n’est parti.');
		await page.locator('#files').setInputFiles({ name: 'capture.png', mimeType: 'image/png', buffer: PNG });
		await page.getByRole('button', { name: 'Envoyer la demande' }).click();
		await page.locator('#ack:not([hidden])').waitFor();
		/* the committed deadline, in words, 24 h on Optimum */
		const ack = await text(page, '#ack-text');
		assert.match(ack, /Nous vous répondrons au plus tard le \S+ \d{1,2} \S+ \d{4} à \d{1,2} h \d{2} \(délai de 24 h\)/);
		const link = page.getByRole('link', { name: SUBJECT });
		await link.waitFor();
		await checkPage(page, 'support screen after sending');
		await link.click();
		await page.getByRole('heading', { name: SUBJECT }).waitFor();
		assert.match(await text(page, '#attachments'), /capture\.png/);
		const ticketUrl = page.url();
		const id = new URL(ticketUrl).searchParams.get('ticket');

		/* the operator */
		const ops = await newPage(browser);
		ops.setDefaultTimeout(10000);
		await ops.goto(server.base + '/ops/');
		await ops.getByLabel('Adresse e-mail').fill(OP_EMAIL);
		await ops.getByLabel('Mot de passe').fill(OP_PASSWORD);
		await ops.getByLabel('Code à usage unique').fill(totp(secret, await serverNow()));
		await ops.getByRole('button', { name: 'Se connecter' }).click();
		await ops.waitForURL('**/ops/accounts/');
		await ops.getByRole('link', { name: 'Tickets' }).click();
		await ops.waitForURL('**/ops/tickets/');
		const row = ops.getByRole('row', { name: new RegExp(SUBJECT) });
		await row.waitFor();
		assert.match(await row.innerText(), new RegExp(`${BUSINESS}\\s+Optimum`));
		await checkPage(ops, 'ticket queue');
		await ops.getByRole('link', { name: SUBJECT }).click();
		await ops.waitForURL(`**/ops/tickets/?ticket=${id}`);
		await ops.getByRole('heading', { name: SUBJECT }).waitFor();
		assert.match(await text(ops, '#thread'), /aucun rappel SMS/);
		/* an internal note first, then the reply */
		await ops.locator('#answer').fill('Note : relais SMS en panne depuis 6 h.');
		await ops.locator('#internal').check();
		await ops.getByRole('button', { name: 'Envoyer', exact: true }).click();
		await ops.getByText('Note interne de Ada Support').waitFor();
		await ops.locator('#answer').fill(REPLY);
		await ops.getByRole('button', { name: 'Envoyer', exact: true }).click();
		await ops.getByText(REPLY).waitFor();
		await checkPage(ops, 'ticket page');

		/* the customer sees the reply, never the note */
		await page.goto(ticketUrl);
		await page.getByText(REPLY).waitFor();
		const thread = await text(page, '#thread');
		assert.match(thread, /Ada Support \(support Créneau\)/);
		assert.doesNotMatch(thread, /relais SMS en panne/);
		assert.match(await text(page, '#t-facts'), /En attente de votre réponse/);
		await checkPage(page, 'ticket thread');
		await page.context().close();
		await ops.context().close();
	});
});
