// Support in a real browser: a customer (an Optimum account) opens a ticket with a PNG
// attached and sees the committed deadline; an operator (lib/operator.mjs) finds the ticket in
// the queue and answers it from the console; the customer sees the reply in the thread. The
// operator opens a ticket on the customer's behalf, which the customer finds in their support
// area with the acknowledgement in their mailbox; the SLA report counts the answered ticket in
// time for Optimum; on the test clock the queue marks the open ticket at 75 % and past its
// deadline with words. Every page is checked with axe-core and for CSP violations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { waitForMail } from './lib/mail.mjs';
import { addOperator } from './lib/operator.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
let owner;
let operator;
let onBehalfId;
const OP_EMAIL = `support-ops-${process.pid}@creneau.example`;
const OP_PASSWORD = 'Console du support 2027';
const OWNER_EMAIL = `lumiere-${process.pid}@example.com`;
const BUSINESS = `Institut Lumière ${process.pid}`;
const SUBJECT = 'Les rappels ne partent plus';
const REPLY = 'Bonjour, le relais SMS est rétabli : les rappels repartent ce soir.';
const ON_BEHALF = 'Changement d’horaires demandé par téléphone';
/* a 1x1 PNG */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function checkPage(page, what) {
	assert.deepEqual(await axeViolations(page), [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

async function opsPage() {
	const ops = await newPage(browser);
	ops.setDefaultTimeout(10000);
	await operator.logIn(ops);
	return ops;
}

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUp(server.base, { business_name: BUSINESS, email: OWNER_EMAIL,
		password: 'Soins du visage 10h', business_type: 'beauty', plan: 'optimum' });
	const st = await fetch(server.base + '/api/v1/test/account-state', { method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ slug: owner.me.account.slug, state: 'active' }) });
	assert.equal(st.status, 200, await st.text());
	operator = addOperator(server, OP_EMAIL, 'Ada Support', OP_PASSWORD);
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
		const ops = await opsPage();
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

	test('an operator opens a ticket on the customer\'s behalf; the customer finds it and the acknowledgement', async () => {
		const ops = await opsPage();
		await ops.goto(server.base + '/ops/tickets/');
		await ops.getByRole('link', { name: 'Ouvrir un ticket pour un client' }).click();
		await ops.getByRole('heading', { name: 'Nouveau ticket au nom d’un client' }).waitFor();
		const account = ops.getByLabel('Compte client');
		await account.locator('option', { hasText: BUSINESS }).waitFor({ state: 'attached' });
		await checkPage(ops, 'on-behalf form');
		/* the search box narrows the list: nothing for an unknown name, the account by its name */
		const search = ops.getByLabel('Rechercher un compte');
		await search.fill('aucun-compte-zz');
		await account.locator('option', { hasText: 'Aucun compte ne correspond' }).waitFor({ state: 'attached' });
		assert.equal(await account.locator('option').count(), 1);
		await search.fill('INSTITUT LUM'); /* letters' case ignored */
		await account.locator('option', { hasText: BUSINESS }).waitFor({ state: 'attached' });
		await search.fill('');
		await account.locator('option', { hasText: BUSINESS }).waitFor({ state: 'attached' });
		/* no account chosen: refused next to the field */
		await ops.getByRole('button', { name: 'Ouvrir le ticket' }).click();
		await ops.locator('#new-account-error').waitFor();
		await account.selectOption({ label: `${BUSINESS} — Optimum — ${owner.me.account.slug}` });
		assert.equal(await account.inputValue(), owner.me.account.id);
		/* the account's page leads to the same form with the account chosen */
		await ops.goto(`${server.base}/ops/account/?id=${encodeURIComponent(owner.me.account.id)}`);
		const fromAccount = ops.getByRole('link', { name: 'Ouvrir un ticket au nom de ce compte' });
		await ops.locator('#acc:not([hidden])').waitFor();
		await checkPage(ops, 'account page');
		await fromAccount.click();
		await ops.waitForURL('**/ops/tickets/?new=1&account=*');
		await ops.getByRole('heading', { name: 'Nouveau ticket au nom d’un client' }).waitFor();
		await account.locator('option', { hasText: BUSINESS }).waitFor({ state: 'attached' });
		assert.equal(await account.inputValue(), owner.me.account.id);
		await ops.getByLabel('Objet').fill(ON_BEHALF);
		await ops.getByLabel('Message du client').fill('La gérante appelle : ouverture à 8 h le samedi, à mettre en place.');
		await ops.getByRole('button', { name: 'Ouvrir le ticket' }).click();
		await ops.waitForURL('**/ops/tickets/?ticket=*&opened=1');
		await ops.getByRole('heading', { name: ON_BEHALF }).waitFor();
		assert.match(await text(ops, '#ops-status'), /Ticket ouvert au nom du client/);
		assert.match(await text(ops, '#t-facts'), /ouvert par un opérateur/);
		assert.match(await text(ops, '#thread'), /ouverture à 8 h le samedi/);
		await checkPage(ops, 'ticket opened on behalf');
		const id = new URL(ops.url()).searchParams.get('ticket');
		onBehalfId = id;

		/* the customer: in the support area, and the acknowledgement by e-mail */
		const page = await newPage(browser);
		page.setDefaultTimeout(10000);
		await owner.logIn(page);
		await page.goto(server.base + '/office/support/');
		const link = page.getByRole('link', { name: ON_BEHALF });
		await link.waitFor();
		await link.click();
		await page.waitForURL(`**/office/support/?ticket=${id}`);
		await page.getByText(/ouverture à 8 h le samedi/).waitFor();
		/* the acknowledgement (its link names the ticket; mail.mjs reads ASCII only) */
		await waitForMail(OWNER_EMAIL, new RegExp(`/office/support/\\?ticket=${id}`));
		await page.context().close();
		await ops.context().close();
	});

	test('the SLA report counts the answered ticket in time for Optimum', async () => {
		const ops = await opsPage();
		await ops.getByRole('link', { name: 'Délais' }).click();
		await ops.waitForURL('**/ops/sla/');
		await ops.getByRole('heading', { name: 'Délais de réponse du support' }).waitFor();
		const row = ops.getByRole('row', { name: /^Optimum/ });
		await row.waitFor();
		/* two tickets: the one answered within minutes, the one opened on behalf still due */
		const cells = (await row.locator('td').allInnerTexts()).map((c) => c.replace(/[\s\u00a0\u202f]+/g, ' '));
		assert.deepEqual(cells.slice(0, 5), ['2', '1', '1', '0', '100 %']);
		assert.match(cells[5], /^\d+ min$/);
		assert.match(await text(ops, '#report caption'), /Première réponse par formule, tickets ouverts du \d{1,2} \S+ \d{4} au \d{1,2} \S+ \d{4}/);
		await checkPage(ops, 'SLA report');
		/* a chosen period with no ticket: every share is a dash */
		await ops.getByLabel('Du', { exact: true }).fill('2020-01-01');
		await ops.getByLabel('Au (inclus)', { exact: true }).fill('2020-01-31');
		await ops.getByRole('button', { name: 'Afficher' }).click();
		await ops.getByText(/tickets ouverts du 1 janvier 2020 au 31 janvier 2020/).waitFor();
		assert.deepEqual((await ops.getByRole('row', { name: /^Optimum/ }).locator('td').allInnerTexts()).slice(0, 5),
			['0', '0', '0', '0', '—']);
		/* in English */
		await ops.getByRole('button', { name: 'English' }).click();
		await ops.getByRole('heading', { name: 'Support response times' }).waitFor();
		await ops.getByText(/tickets opened from .*2020 to .*2020/).waitFor();
		await checkPage(ops, 'SLA report in English');
		await ops.getByRole('button', { name: 'Français' }).click();
		await ops.context().close();
	});

	test('the queue marks a ticket at 75 % of its deadline, then past it, in words', async () => {
		const advance = async (seconds) => {
			const r = await fetch(server.base + '/api/v1/test/clock', { method: 'POST',
				headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advance_seconds: seconds }) });
			assert.equal(r.status, 200, await r.text());
		};
		/* the ticket opened on behalf, 24 h on Optimum: 75 % after 18 h */
		await advance(18 * 3600 + 60);
		let ops = await opsPage();
		await ops.goto(server.base + '/ops/tickets/');
		let row = ops.getByRole('row', { name: new RegExp(ON_BEHALF) });
		await row.waitFor();
		assert.match(await row.innerText(), /75 % du délai/);
		await checkPage(ops, 'queue with a warning');
		/* the operators are told by e-mail (nobody has the ticket: every operator) */
		await waitForMail(OP_EMAIL, new RegExp(`ticket ${onBehalfId} .*attend une r`));
		await ops.context().close();
		await advance(6 * 3600);
		ops = await opsPage();
		await ops.goto(server.base + '/ops/tickets/');
		row = ops.getByRole('row', { name: new RegExp(ON_BEHALF) });
		await row.waitFor();
		assert.match(await row.innerText(), /délai dépassé/);
		assert.doesNotMatch(await row.innerText(), /75 % du délai/);
		await checkPage(ops, 'queue with a breach');
		await waitForMail(OP_EMAIL, new RegExp(`ticket ${onBehalfId} .*n'a pas re`));
		await ops.context().close();
	});
});
