// The data page, imports (issue 11): the owner picks a CSV (`;`, accents, an apostrophe, a bad
// e-mail, a column the mapping should leave out), sees the preview and the report naming the bad
// row, changes what a column holds (the report is redone), imports, sees the progress and the
// result, and finds the clients. A file that is not text gets its error next to the file field.
// axe-core and CSP on each step. Then the appointments path: the owner picks "upcoming
// appointments", sends an agenda in French formats, sees a row on a past date and a row
// overlapping another one reported with their row numbers, imports the good row and finds it
// in the agenda.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertPageClean, newPage, serverAndBrowser } from './lib/browser.mjs';
import { signUp } from './lib/owner.mjs';

const env = serverAndBrowser();
const run = `${process.pid}-${Date.now()}`;

const CSV = '\uFEFFNom;Prénom;Courriel;Couleur\r\n'
	+ "D'Artagnan;Hélène;helene-" + run + '@import.example;bleu\r\n'
	+ 'Martin;Zoé 🌸;zoe-' + run + '@import.example;vert\r\n'
	+ 'Sans;Adresse;pas-une-adresse;rouge\r\n';

describe('data page, imports', () => {
	test('upload, preview, report, mapping, commit, progress', async () => {
		const owner = await signUp(env.server.base, { business_name: 'Salon des Imports', email: `imp-${run}@example.com`,
			password: 'Mes imports 2027', business_type: 'hair_salon', plan: 'optimum' });
		const before = (await owner.ok('GET', '/clients?limit=200')).clients.length;
		const page = await newPage(env.browser);
		page.setDefaultTimeout(15000);
		await owner.logIn(page);
		await page.goto(env.server.base + '/office/data/');
		await page.getByRole('heading', { name: 'Importer des clients' }).waitFor();
		await assertPageClean(page, 'data page');

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
		await assertPageClean(page, 'preview and report');

		/* the colour column becomes the notes: the report is redone */
		await page.locator('#imp-col-3').selectOption('notes');
		await page.getByText('Colonnes mises à jour, rapport refait.').waitFor();

		await page.getByRole('button', { name: 'Importer 2 clients' }).click();
		await page.getByText('2 clients importés.').waitFor();
		assert.equal(await page.locator('#imp-progress').getAttribute('hidden'), null);
		assert.equal(await page.locator('#imp-progress-label').textContent(), '2 sur 2');
		assert.ok(await page.getByRole('button', { name: 'Importer 2 clients' }).isDisabled());
		await assertPageClean(page, 'after the import');

		const list = (await owner.ok('GET', `/clients?limit=200&q=helene-${run}`)).clients;
		assert.equal(list.length, 1);
		assert.equal(list[0].first_name, 'Hélène');
		assert.equal(list[0].last_name, "D'Artagnan");
		assert.equal(list[0].notes, 'bleu');
		assert.equal((await owner.ok('GET', '/clients?limit=200')).clients.length, before + 2);
		await page.close();
	});

	test('appointments: choice, preview, report with conflicts, commit', async () => {
		const owner = await signUp(env.server.base, { business_name: 'Salon Agenda Importé', email: `impa-${run}@example.com`,
			password: 'Mes imports 2027', business_type: 'hair_salon', plan: 'optimum' });
		const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((k) => [k, [['08:00', '20:00']]]));
		const ana = (await owner.ok('POST', '/staff', { name: 'Ana Import' })).staff;
		await owner.ok('PUT', `/staff/${ana.id}/hours`, week);
		await owner.ok('POST', '/services', { name: 'Coupe importée', duration_min: 45, staff: [ana.id] });
		const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + 10 * 86400000));
		const [y, m, d] = day.split('-');
		const agenda = 'Date;Heure;Prestation;Collaborateur;Client;E-mail\r\n'
			+ `${d}/${m}/${y};10h00;Coupe importée;Ana Import;Inès Ancienne;ines-${run}@import.example\r\n`
			+ `${d}/${m}/${y};10:30;Coupe importée;Ana Import;Chevauche;\r\n`
			+ '02/01/2020;10:00;Coupe importée;Ana Import;Passée;\r\n';

		const page = await newPage(env.browser);
		page.setDefaultTimeout(15000);
		await owner.logIn(page);
		await page.goto(env.server.base + '/office/data/');
		await page.getByRole('heading', { name: 'Importer des clients ou des rendez-vous' }).waitFor();
		await page.getByLabel('Des rendez-vous à venir (CSV)').check();
		await page.getByText('Les rendez-vous importés n’envoient aucune confirmation').waitFor();
		await assertPageClean(page, 'appointments chosen');

		await page.setInputFiles('#imp-file', { name: 'agenda.csv', mimeType: 'text/csv', buffer: Buffer.from(agenda) });
		await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
		await page.getByRole('cell', { name: 'Inès Ancienne' }).waitFor();
		assert.equal(await page.locator('#imp-col-0').inputValue(), 'date');
		assert.equal(await page.locator('#imp-col-1').inputValue(), 'start_time');
		assert.equal(await page.locator('#imp-col-2').inputValue(), 'service');
		assert.equal(await page.locator('#imp-col-3').inputValue(), 'staff');
		await page.locator('#imp-issues').getByText('Ligne 3 (Début (date et heure)) : chevauche la ligne 2 du fichier').waitFor();
		await page.locator('#imp-issues').getByText(/^Ligne 4 \(Date\) : date passée/).waitFor();
		await page.getByText('3 lignes : 1 à importer (dont 0 avec un avertissement), 2 à corriger.').waitFor();
		await assertPageClean(page, 'appointments report');

		await page.getByRole('button', { name: 'Importer 1 rendez-vous' }).click();
		await page.getByText('1 rendez-vous importés, sans message à vos clients.').waitFor();
		await assertPageClean(page, 'after the appointments import');

		const next = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + 11 * 86400000));
		const list = (await owner.ok('GET', `/appointments?from=${day}&to=${next}&staff=${ana.id}`)).appointments;
		assert.equal(list.length, 1);
		await page.close();
	});
});
