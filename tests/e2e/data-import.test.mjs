// The data page, imports (issue 11): the owner picks a CSV (`;`, accents, an apostrophe, a bad
// e-mail, a column the mapping should leave out), sees the preview and the report naming the bad
// row, changes what a column holds (the report is redone), imports, sees the progress and the
// result, and finds the clients. A file that is not text gets its error next to the file field.
// axe-core and CSP on each step.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage } from './lib/browser.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
const run = `${process.pid}-${Date.now()}`;

before(async () => {
	server = await startServer();
	browser = await launch();
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

async function check(page, what) {
	assert.deepEqual(await axeViolations(page), [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

const CSV = '\uFEFFNom;Prénom;Courriel;Couleur\r\n'
	+ "D'Artagnan;Hélène;helene-" + run + '@import.example;bleu\r\n'
	+ 'Martin;Zoé 🌸;zoe-' + run + '@import.example;vert\r\n'
	+ 'Sans;Adresse;pas-une-adresse;rouge\r\n';

describe('data page, imports', () => {
	test('upload, preview, report, mapping, commit, progress', async () => {
		const owner = await signUp(server.base, { business_name: 'Salon des Imports', email: `imp-${run}@example.com`,
			password: 'Mes imports 2027', business_type: 'hair_salon', plan: 'optimum' });
		const before = (await owner.ok('GET', '/clients?limit=200')).clients.length;
		const page = await newPage(browser);
		page.setDefaultTimeout(15000);
		await owner.logIn(page);
		await page.goto(server.base + '/office/data/');
		await page.getByRole('heading', { name: 'Importer des clients' }).waitFor();
		await check(page, 'data page');

		/* a binary file: the error is shown next to the file field */
		await page.setInputFiles('#imp-file', { name: 'photo.png', mimeType: 'image/png',
			buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]) });
		await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
		await page.locator('#imp-file-error').getByText('n’est pas un texte').waitFor();
		assert.equal(await page.locator('#imp-file').getAttribute('aria-invalid'), 'true');

		await page.setInputFiles('#imp-file', { name: 'clients.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
		await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
		await page.getByRole('heading', { name: 'Aperçu et colonnes' }).waitFor();
		await page.getByRole('cell', { name: "D'Artagnan" }).waitFor();
		assert.equal(await page.locator('#imp-col-0').inputValue(), 'last_name');
		assert.equal(await page.locator('#imp-col-2').inputValue(), 'email');
		assert.equal(await page.locator('#imp-col-3').inputValue(), '', 'an unknown column is left out');
		await page.locator('#imp-issues').getByText(/^Ligne 4 \(E-mail\) : adresse e-mail invalide/).waitFor();
		await page.getByText('3 lignes : 2 à importer, 1 à corriger, 0 en double dans le fichier, 0 déjà parmi vos clients.').waitFor();
		await check(page, 'preview and report');

		/* the colour column becomes the notes: the report is redone */
		await page.locator('#imp-col-3').selectOption('notes');
		await page.getByText('Colonnes mises à jour, rapport refait.').waitFor();

		await page.getByRole('button', { name: 'Importer 2 clients' }).click();
		await page.getByText('2 clients importés.').waitFor();
		assert.equal(await page.locator('#imp-progress').getAttribute('hidden'), null);
		assert.equal(await page.locator('#imp-progress-label').textContent(), '2 sur 2');
		assert.ok(await page.getByRole('button', { name: 'Importer 2 clients' }).isDisabled());
		await check(page, 'after the import');

		const list = (await owner.ok('GET', `/clients?limit=200&q=helene-${run}`)).clients;
		assert.equal(list.length, 1);
		assert.equal(list[0].first_name, 'Hélène');
		assert.equal(list[0].last_name, "D'Artagnan");
		assert.equal(list[0].notes, 'bleu');
		assert.equal((await owner.ok('GET', '/clients?limit=200')).clients.length, before + 2);
		await page.close();
	});
});
