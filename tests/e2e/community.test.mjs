// The community in a real browser: a prospect writes through the contact form (acknowledged on
// screen; the honeypot keeps nothing), a customer proposes an idea, an operator (password +
// TOTP) publishes it, the customer votes, the operator completes it with a response, and the
// public roadmap shows it with its vote count in French and English. The operator reads the
// lead in the console. Every page is checked with axe-core and for CSP violations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { addOperator } from './lib/operator.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
let owner;
let operator;
const OP_EMAIL = `ops-community-${process.pid}@creneau.example`;
const OP_PASSWORD = 'Console des opérateurs 2027';
const IDEA = `Rappels par WhatsApp ${process.pid}`;

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUp(server.base, { business_name: `Salon Secret ${process.pid}`, email: `idees-${process.pid}@example.com`,
		password: 'Coupe du jeudi 10h', business_type: 'hair_salon', plan: 'pro' });
	operator = addOperator(server, OP_EMAIL, 'Olga Ops', OP_PASSWORD);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

async function checkPage(page, what) {
	assert.deepEqual(await axeViolations(page), [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

async function opsLogin(page) {
	await operator.logIn(page);
}

/* In the console's idea list filtered on `status`, applies `action` to the idea. */
async function opsAct(page, status, action, response) {
	await page.goto(server.base + '/ops/ideas/');
	await page.getByLabel('État').selectOption(status);
	await page.getByRole('button', { name: 'Afficher' }).click();
	const card = page.locator('li.idea', { hasText: IDEA });
	await card.waitFor();
	await card.getByLabel('Action').selectOption(action);
	if (response)
		await card.getByLabel(/Réponse aux clients/).fill(response);
	await card.getByRole('button', { name: 'Appliquer' }).click();
	await page.getByText('C’est fait.').waitFor();
}

describe('community', () => {
	test('contact form: acknowledged on screen, honeypot kept out, lead in the console', async () => {
		const page = await newPage(browser);
		page.setDefaultTimeout(10000);
		await page.goto(server.base + '/contact/');
		await page.getByRole('heading', { name: 'Nous contacter' }).waitFor();
		await checkPage(page, 'contact page');
		/* an empty message: the error next to its field, what was typed kept */
		await page.getByLabel(/Votre nom/).fill('Paul Prospect');
		await page.getByLabel(/Adresse e-mail/).fill(`paul-${process.pid}@prospect.example`);
		await page.getByRole('button', { name: 'Envoyer' }).click();
		await page.locator('#c-message-error').waitFor();
		assert.equal(await page.getByLabel(/Votre nom/).inputValue(), 'Paul Prospect');
		await checkPage(page, 'contact page with an error');
		await page.getByLabel(/Entreprise/).fill('Barbier Paul');
		await page.getByLabel(/Votre message/).fill('Combien pour trois coiffeurs ?');
		await page.getByRole('button', { name: 'Envoyer' }).click();
		await page.getByRole('heading', { name: 'Message reçu, merci !' }).waitFor();
		await checkPage(page, 'contact acknowledged');

		/* a robot fills the hidden field: the same acknowledgement, nothing kept */
		const bot = await newPage(browser);
		await bot.goto(server.base + '/contact/');
		await bot.getByLabel(/Votre nom/).fill('Robot');
		await bot.getByLabel(/Adresse e-mail/).fill('robot@spam.example');
		await bot.getByLabel(/Votre message/).fill('Achetez');
		await bot.evaluate(() => { document.getElementById('c-website').value = 'http://spam.example'; });
		await bot.getByRole('button', { name: 'Envoyer' }).click();
		await bot.getByRole('heading', { name: 'Message reçu, merci !' }).waitFor();

		const ops = await newPage(browser);
		ops.setDefaultTimeout(10000);
		await opsLogin(ops);
		await ops.goto(server.base + '/ops/leads/');
		await ops.getByText('Paul Prospect — Barbier Paul').waitFor();
		assert.doesNotMatch(await text(ops, '#leads'), /Robot/);
		await checkPage(ops, 'leads');
	});

	test('an idea: proposed, published, voted, completed, on the public roadmap', async () => {
		const page = await newPage(browser);
		page.setDefaultTimeout(10000);
		await owner.logIn(page);
		await page.goto(server.base + '/office/ideas/');
		await page.getByRole('heading', { name: 'Idées d’amélioration', level: 1 }).waitFor();
		await page.getByLabel('Titre').fill(IDEA);
		await page.getByLabel('Description').fill('Nos clients lisent WhatsApp, pas leurs SMS.');
		await page.getByRole('button', { name: 'Envoyer ma proposition' }).click();
		await page.getByText(/en cours d’examen : elle sera visible/).waitFor();
		assert.match(await text(page, '#mine'), new RegExp(`${IDEA}\\s+En cours d’examen`));
		await checkPage(page, 'ideas page');

		const ops = await newPage(browser);
		ops.setDefaultTimeout(10000);
		await opsLogin(ops);
		await opsAct(ops, 'under_review', 'publish');
		await checkPage(ops, 'console ideas');

		await page.reload();
		const card = page.locator('#ideas li.idea', { hasText: IDEA });
		await card.waitFor();
		await card.getByRole('button', { name: 'Voter' }).click();
		await page.locator('#ideas li.idea', { hasText: IDEA }).getByRole('button', { name: 'Retirer mon vote' }).waitFor();
		assert.match(await text(page, '#ideas'), /Ouverte aux votes · 1 vote\(s\)/);
		/* the author shows as a business type, not as the business */
		assert.doesNotMatch(await text(page, '#ideas'), /Salon Secret/);
		await checkPage(page, 'ideas page after a vote');

		await opsAct(ops, 'open', 'completed', 'Disponible depuis ce matin.');

		const pub = await newPage(browser);
		pub.setDefaultTimeout(10000);
		await pub.goto(server.base + '/roadmap/');
		const done = pub.locator('#rm-completed li', { hasText: IDEA });
		await done.waitFor();
		assert.match(await done.innerText(), /1 vote\(s\)/);
		assert.match(await done.innerText(), /Disponible depuis ce matin/);
		assert.doesNotMatch(await text(pub, 'main'), /Salon Secret/);
		await checkPage(pub, 'roadmap');
		await pub.getByRole('button', { name: 'English' }).click();
		await pub.getByRole('heading', { name: 'Completed' }).waitFor();
		await checkPage(pub, 'roadmap in English');
	});
});
