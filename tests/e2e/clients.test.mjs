// Issue 7 item 3 and 6 in a real browser, on a tablet (820×1180): the clients screen — search
// accent-insensitively, open a card, edit with an error next to its field then fixed, merge two
// duplicates, erase one — and a read-only account: the banner, the editing controls disabled,
// the list still loading. axe-core and CSP on each step.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
const run = `${process.pid}-${Date.now()}`;
const PASSWORD = 'Clients du mardi 9h';

async function signUp(name, email) {
	const r = await fetch(server.base + '/api/v1/signup', {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body: JSON.stringify({ business_name: name, email, password: PASSWORD, business_type: 'hair_salon',
			plan: 'pro', time_zone: 'Europe/Paris', accept_terms: true, accept_dpa: true }),
	});
	const data = await r.json();
	assert.equal(r.status, 201, JSON.stringify(data));
	const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
	const call = async (method, path, body) => {
		const res = await fetch(server.base + '/api/v1' + path, { method,
			headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': data.csrf_token },
			body: body === undefined ? undefined : JSON.stringify(body) });
		const json = await res.json().catch(() => ({}));
		assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
		return json;
	};
	return { cookie, call, slug: data.account.slug };
}

async function tabletPage(owner) {
	const page = await newPage(browser);
	await page.setViewportSize({ width: 820, height: 1180 });
	page.setDefaultTimeout(10000);
	await page.context().addCookies(owner.cookie.split('; ').map((kv) => {
		const i = kv.indexOf('=');
		return { name: kv.slice(0, i), value: kv.slice(i + 1), url: server.base };
	}));
	return page;
}

async function check(page, what) {
	assert.deepEqual(await axeViolations(page), [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

before(async () => {
	server = await startServer();
	browser = await launch();
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

describe('clients', () => {
	test('search, card, edit, merge, erase', async () => {
		const owner = await signUp('Salon Hélène', `clients-${run}@example.com`);
		await owner.call('DELETE', '/demo');
		const kept = (await owner.call('POST', '/clients', { first_name: 'Hélène', last_name: 'Dubœuf',
			phone: '06 11 22 33 44', notes: 'Préfère le matin' })).client;
		const dup = (await owner.call('POST', '/clients', { first_name: 'Helene', last_name: 'Duboeuf',
			email: `helene-${run}@example.com` })).client;
		await owner.call('POST', '/clients', { first_name: 'Marc', last_name: 'Petit', email: `marc-${run}@example.com` });

		const page = await tabletPage(owner);
		await page.goto(server.base + '/office/clients/');
		await page.locator('#client-list li').first().waitFor();
		assert.equal(await page.locator('#client-list li').count(), 3);
		assert.ok(await page.locator('nav a[href="/office/clients/"][aria-current="page"]').count());
		await check(page, 'the list');

		// accents and case ignored: « helene » finds Hélène and Helene, not Marc
		await page.getByLabel('Rechercher un client').fill('helene');
		await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
		await page.waitForFunction(() => document.querySelectorAll('#client-list li').length === 2);
		assert.doesNotMatch(await text(page, '#client-list'), /Marc/);

		// the card
		await page.locator(`[data-client="${kept.id}"]`).click();
		await page.locator('#card-name').getByText('Hélène Dubœuf').waitFor();
		assert.match(await text(page, '#card'), /\+33611223344/);
		assert.match(await text(page, '#card'), /Préfère le matin/);
		assert.equal(await page.locator('#card-no-shows').innerText(), '0');
		await check(page, 'the card');

		// edit: a bad e-mail is refused next to its field, what was typed is kept; then fixed
		await page.getByRole('button', { name: 'Modifier' }).click();
		await page.getByLabel('E-mail', { exact: true }).fill('pas-une-adresse');
		await page.getByLabel('Notes').fill('Préfère le matin, allergique');
		await page.locator('#edit-form').getByRole('button', { name: 'Enregistrer' }).click();
		await page.locator('#email-error').waitFor();
		assert.equal(await page.getByLabel('E-mail', { exact: true }).getAttribute('aria-invalid'), 'true');
		assert.equal(await page.getByLabel('Notes').inputValue(), 'Préfère le matin, allergique');
		await check(page, 'an edit with an error');
		await page.getByLabel('E-mail', { exact: true }).fill('');
		await page.locator('#edit-form').getByRole('button', { name: 'Enregistrer' }).click();
		await page.locator('#card-status').getByText('Fiche enregistrée.').waitFor();
		assert.match(await text(page, '#card-notes'), /allergique/);

		// merge the duplicate into this card
		await page.getByRole('button', { name: 'Fusionner un doublon' }).click();
		await page.locator('#merge-dialog').waitFor();
		await page.locator(`#merge-${dup.id}`).check();
		await check(page, 'the merge dialog');
		await page.locator('#merge-go').click();
		await page.locator('#card-status').getByText(/Doublon fusionné/).waitFor();
		assert.match(await text(page, '#card'), new RegExp(`helene-${run}@example.com`));
		const gone = (await owner.call('GET', `/clients/${dup.id}`)).client;
		assert.notEqual(gone.anonymised_at, null, 'the duplicate is erased');

		// erase: a confirmation dialog, then the client leaves the list
		await page.getByRole('button', { name: 'Effacer', exact: true }).click();
		await page.locator('#erase-dialog').waitFor();
		await check(page, 'the erase dialog');
		await page.locator('#erase-go').click();
		await page.locator('#clients-status').getByText('Le client a été effacé.').waitFor();
		await page.getByLabel('Rechercher un client').fill('');
		await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
		await page.waitForFunction(() => document.querySelectorAll('#client-list li').length === 1);
		assert.match(await text(page, '#client-list'), /Marc Petit/);
		await page.context().close();
	});

	test('a read-only account: banner, controls disabled, the list still loads', async () => {
		const owner = await signUp('Salon Fermé', `readonly-${run}@example.com`);
		await owner.call('POST', '/clients', { first_name: 'Zoé', last_name: 'Lefèvre' });
		const r = await fetch(server.base + '/api/v1/test/account-state', { method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ slug: owner.slug, state: 'read_only', reason: 'unpaid' }) });
		assert.equal(r.status, 200);
		const page = await tabletPage(owner);
		await page.goto(server.base + '/office/clients/');
		await page.locator('.readonly-banner').waitFor();
		assert.match(await text(page, '.readonly-banner'), /facture est restée impayée/);
		assert.equal(await page.locator('.readonly-banner a').getAttribute('href'), '/office/account/');
		assert.equal(await page.evaluate(() => document.body.dataset.readonly), 'unpaid');
		await page.getByText('Zoé Lefèvre').waitFor();
		assert.ok(await page.getByRole('button', { name: 'Nouveau client' }).isDisabled());
		await page.getByText('Zoé Lefèvre').click();
		await page.locator('#card-name').getByText('Zoé Lefèvre').waitFor();
		assert.ok(await page.getByRole('button', { name: 'Modifier' }).isDisabled());
		assert.ok(await page.getByRole('button', { name: 'Fusionner un doublon' }).isDisabled());
		assert.ok(await page.getByRole('button', { name: 'Effacer', exact: true }).isDisabled());
		assert.ok(!(await page.getByRole('link', { name: 'Exporter ses données' }).isDisabled()), 'exports keep working');
		await check(page, 'read-only');
		// the dashboard says it too
		await page.goto(server.base + '/office/');
		await page.locator('.readonly-banner').waitFor();
		await page.context().close();
	});
});
