// The data page (issue 11, exports): the owner downloads the clients as CSV (read back: the BOM,
// the `;` separator, a client with an accent) and creates a staff calendar link, which answers
// an iCalendar without a session; revoking it from the page ends it. axe-core and CSP on each step.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { assertPageClean, newPage, serverAndBrowser } from './lib/browser.mjs';
import { signUp } from './lib/owner.mjs';

const env = serverAndBrowser();
const run = `${process.pid}-${Date.now()}`;

describe('data page', () => {
	test('downloads a CSV and creates a calendar link', async () => {
		const owner = await signUp(env.server.base, { business_name: 'Salon des Données', email: `data-${run}@example.com`,
			password: 'Mes données 2027', business_type: 'hair_salon', plan: 'optimum' });
		await owner.ok('POST', '/clients', { first_name: 'Hélène', last_name: "D'Arc; \"la\"", email: 'helene@data.example' });
		const page = await newPage(env.browser);
		page.setDefaultTimeout(10000);
		await owner.logIn(page);
		await page.goto(env.server.base + '/office/data/');
		await page.getByRole('heading', { name: 'Exporter les clients' }).waitFor();
		await assertPageClean(page, 'data page');

		const [dl] = await Promise.all([page.waitForEvent('download'),
			page.locator('#clients-form').getByRole('button', { name: 'Télécharger' }).click()]);
		assert.match(dl.suggestedFilename(), /^clients-.*\.csv$/);
		const csv = await readFile(await dl.path());
		assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
		const text = csv.toString('utf8');
		assert.ok(text.includes('Prénom;Nom;'), text.slice(0, 200));
		assert.ok(text.includes('Hélène;"D\'Arc; ""la"""'), 'the name survives, quoted');

		await page.getByRole('button', { name: 'Créer un lien d’agenda' }).click();
		await page.locator('#feed-new').waitFor(); /* shown once the API has answered */
		const url = await page.locator('#feed-url').inputValue();
		assert.match(url, /\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
		const ics = await fetch(url);
		assert.equal(ics.status, 200);
		assert.match(await ics.text(), /^BEGIN:VCALENDAR/);
		await page.getByRole('button', { name: /^Révoquer le lien d’agenda/ }).click();
		await page.getByText(/ne fonctionne plus/).waitFor();
		assert.equal((await fetch(url)).status, 404);
		await assertPageClean(page, 'after revoking');
		await page.close();
	});
});
