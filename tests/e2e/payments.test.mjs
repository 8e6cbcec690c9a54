// Issue 9 in a real browser: collecting the money. A business with a billing identity and a
// Pro subscription (its first invoice, to be paid by transfer) signs a SEPA mandate in its
// account area — a corrupted IBAN refused next to its field with what was typed kept, then a
// valid French IBAN, the mandate text shown; the operator (made with `creneau operator add`,
// logged in with a TOTP code) downloads the pain.008 batch of the invoice's due date, uploads
// a pain.002 whose totals do not add up (refused with its reason), then one rejecting the
// debit (AM04) and reads what it did, then a camt.053 statement whose transfer cites no
// invoice (left for an operator), and settles that line by marking the invoice paid with a
// note; the customer sees the invoice paid. axe-core and CSP on every page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { addOperator } from './lib/operator.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
let owner;
let invoice; // GET /invoices' row of the Pro invoice
const run = `${process.pid}-${Date.now()}`;
const OP_EMAIL = `pay-ops-${run}@creneau.example`;
const OP_PASSWORD = 'Rapprochement du vendredi';
const GOOD_IBAN = 'FR76 3000 6000 0112 3456 7890 189';
const BAD_IBAN = 'FR76 3000 6000 0112 3456 7890 188'; // last digit changed: the check fails
let operator;

const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ');
const longDay = (ymd) => norm(new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' })
	.format(new Date(ymd + 'T12:00:00Z')));
const amountText = (cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/* A pain.002.001.03 status report rejecting (AM04) the debit of `number` in the batch of
 * `date`; `count` is the number of transactions its group header claims. */
function pain002(msgId, date, number, cents, count) {
	const batch = 'CRN-SDD-' + date.replace(/-/g, '');
	const amount = amountText(cents);
	return '<?xml version="1.0" encoding="UTF-8"?>\n'
		+ '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>'
		+ `<GrpHdr><MsgId>${msgId}</MsgId><CreDtTm>${date}T08:00:00</CreDtTm></GrpHdr>`
		+ `<OrgnlGrpInfAndSts><OrgnlMsgId>${batch}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>`
		+ `<NbOfTxsPerSts><DtldNbOfTxs>${count}</DtldNbOfTxs><DtldSts>RJCT</DtldSts><DtldCtrlSum>${amount}</DtldCtrlSum>`
		+ '</NbOfTxsPerSts></OrgnlGrpInfAndSts>'
		+ `<OrgnlPmtInfAndSts><OrgnlPmtInfId>${batch}-FRST</OrgnlPmtInfId><TxInfAndSts><OrgnlEndToEndId>${number}`
		+ '</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>'
		+ `<OrgnlTxRef><Amt><InstdAmt Ccy="EUR">${amount}</InstdAmt></Amt><ReqdColltnDt>${date}</ReqdColltnDt>`
		+ '</OrgnlTxRef></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n';
}

/* A camt.053.001.02 statement: opening 1000.00, one credit of `cents` whose remittance text
 * cites no invoice number, closing balance adding up. */
function camt053(msgId, day, cents, text) {
	const amount = amountText(cents);
	const closing = amountText(100000 + cents);
	return '<?xml version="1.0" encoding="UTF-8"?>\n'
		+ '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
		+ `<GrpHdr><MsgId>${msgId}</MsgId><CreDtTm>${day}T07:00:00</CreDtTm></GrpHdr><Stmt><Id>${msgId}-1</Id>`
		+ '<Acct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id></Acct>'
		+ '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt>'
		+ `<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${day}</Dt></Dt></Bal>`
		+ `<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${closing}</Amt>`
		+ `<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${day}</Dt></Dt></Bal>`
		+ `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>`
		+ `<BookgDt><Dt>${day}</Dt></BookgDt><BkTxCd/><NtryDtls><TxDtls><Refs>`
		+ '<EndToEndId>NOTPROVIDED</EndToEndId></Refs><RltdPties><Dbtr><Nm>MENUISERIE AUBERT</Nm>'
		+ `</Dbtr></RltdPties><RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`
		+ '</Stmt></BkToCstmrStmt></Document>\n';
}

async function check(page, what) {
	const v = await axeViolations(page);
	assert.deepEqual(v, [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

async function paymentOf(number) {
	const list = (await owner.ok('GET', '/billing/payments')).payments;
	const p = list.find((x) => x.number === number);
	assert.ok(p, `no payment row for ${number}: ${JSON.stringify(list)}`);
	return p;
}

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUp(server.base, { business_name: 'Menuiserie Aubert', email: `pay-${run}@example.com`,
		password: 'Prélèvement du 3 du mois', business_type: 'garage', plan: 'essentiel' });
	await owner.ok('PUT', '/billing/identity', { legal_name: 'Menuiserie Aubert SARL', siren: '732829320',
		street: '12 rue des Copeaux', postcode: '35000', city: 'Rennes', country: 'FR', email: `compta-${run}@example.com` });
	await owner.ok('POST', '/subscription', { plan: 'pro' });
	const list = (await owner.ok('GET', '/invoices')).invoices;
	invoice = list.find((d) => d.type === 'invoice');
	assert.ok(invoice && invoice.due_date && invoice.amount_due_ttc > 0, JSON.stringify(list));

	operator = addOperator(server, OP_EMAIL, 'Paul Paiements', OP_PASSWORD);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

describe('payments', () => {
	let customer;

	test('the customer signs a SEPA mandate: a corrupted IBAN refused first', async () => {
		customer = await newPage(browser);
		customer.setDefaultTimeout(10000);
		await owner.logIn(customer);
		await customer.goto(server.base + '/office/account/');
		const section = customer.locator('#mandate-section');
		await section.getByRole('heading', { name: 'Prélèvement SEPA', exact: true }).waitFor();
		const form = customer.locator('#mandate-form');
		await form.waitFor();
		// the mandate text the banks require: the authorisation and the 8 weeks' refund
		const mandateText = norm(await customer.locator('#mandate-text').innerText());
		const creditor = (await owner.ok('GET', '/billing/mandate')).creditor;
		assert.ok(mandateText.includes(`vous autorisez ${creditor.name} à envoyer des instructions à votre banque pour débiter votre compte`),
			mandateText);
		assert.match(mandateText, /dans les 8 semaines suivant la date de débit/);
		assert.match(mandateText, /FR72ZZZ123456/);
		// the invoice: to pay by transfer, with its e-invoice
		const row = customer.locator(`#invoice-rows tr[data-id="${invoice.id}"]`);
		assert.match(norm(await row.innerText()), new RegExp(`À régler avant le ${longDay(invoice.due_date)}`));
		const xml = row.getByRole('link', { name: `Télécharger le XML de ${invoice.number} (facture électronique)` });
		const res = await customer.request.get(server.base + await xml.getAttribute('href'));
		assert.equal(res.status(), 200);
		assert.match(res.headers()['content-type'], /^application\/xml/);
		assert.match(await res.text(), new RegExp(`<ram:ID>${invoice.number}</ram:ID>`));
		await check(customer, 'account with the mandate form');

		// without ticking the authorisation: nothing sent
		await form.getByLabel('Titulaire du compte').fill('Menuiserie Aubert SARL');
		await form.getByLabel('IBAN', { exact: true }).fill(BAD_IBAN);
		await form.getByRole('button', { name: 'Signer le mandat' }).click();
		await customer.locator('#mandate-accept-error').getByText('Cochez cette case pour signer le mandat.').waitFor();

		await form.getByLabel('J’autorise le prélèvement de mon compte selon les termes de ce mandat.').check();
		const answer = customer.waitForResponse((r) => r.url().endsWith('/api/v1/billing/mandate') && r.request().method() === 'PUT');
		await form.getByRole('button', { name: 'Signer le mandat' }).click();
		assert.equal((await answer).status(), 400);
		const err = customer.locator('#iban-error');
		await err.waitFor();
		assert.equal(await err.innerText(), 'Cet IBAN n’est pas valable : vérifiez-le sur votre RIB.');
		assert.equal(await form.getByLabel('IBAN', { exact: true }).getAttribute('aria-invalid'), 'true');
		assert.equal(await form.getByLabel('IBAN', { exact: true }).inputValue(), BAD_IBAN, 'what was typed is kept');
		assert.equal(await form.getByLabel('Titulaire du compte').inputValue(), 'Menuiserie Aubert SARL');
		assert.equal((await owner.ok('GET', '/billing/mandate')).mandate, null, 'no mandate after a refusal');
		await check(customer, 'mandate form with an error');

		await form.getByLabel('IBAN', { exact: true }).fill(GOOD_IBAN);
		const signed = customer.waitForResponse((r) => r.url().endsWith('/api/v1/billing/mandate') && r.request().method() === 'PUT');
		await form.getByRole('button', { name: 'Signer le mandat' }).click();
		assert.ok((await signed).ok(), 'the mandate is signed'); /* read it only once it is */
		const m = (await owner.ok('GET', '/billing/mandate')).mandate;
		await customer.locator('#mandate-status').getByText(`Mandat signé : référence ${m.reference}.`, { exact: false }).waitFor();
		assert.ok(m && m.state === 'active', JSON.stringify(m));
		assert.ok(await form.isHidden());
		assert.equal(await customer.locator('#mandate-reference').innerText(), m.reference);
		assert.equal(await customer.locator('#mandate-iban').innerText(), m.iban);
		assert.match(m.iban, /^FR76 \*{4}/, 'masked');
		assert.equal(norm(await customer.locator('#mandate-date').innerText()), longDay(m.signature_date));
		assert.match(await customer.locator('#mandate-creditor').innerText(), /FR72ZZZ123456/);
		await check(customer, 'account with a mandate');
	});

	test('the operator downloads the batch, uploads the bank’s return, marks the invoice paid', async () => {
		const page = await newPage(browser);
		page.setDefaultTimeout(10000);
		await operator.logIn(page);
		await page.getByRole('link', { name: 'Paiements', exact: true }).click();
		await page.waitForURL('**/ops/payments/');
		await page.getByRole('heading', { level: 1, name: 'Paiements' }).waitFor();
		await page.locator('#lines-none').getByText('Aucune ligne en attente.').waitFor();
		await check(page, 'payments page');

		// the batch of the invoice's due date
		const batch = page.locator('#batch-form');
		await batch.getByLabel('Date de prélèvement').fill(invoice.due_date);
		const [response, download] = await Promise.all([
			page.waitForResponse((r) => r.url().includes('/api/v1/ops/sepa/batch?date=')),
			page.waitForEvent('download'),
			batch.getByRole('button', { name: 'Télécharger le lot' }).click(),
		]);
		assert.equal(response.status(), 200);
		assert.match(response.headers()['content-type'], /^application\/xml/);
		const date = invoice.due_date;
		assert.equal(download.suggestedFilename(), `pain008-${date}.xml`);
		const body = readFileSync(await download.path(), 'utf8');
		assert.match(body, /urn:iso:std:iso:20022:tech:xsd:pain\.008\.001\.02/);
		assert.match(body, new RegExp(`<EndToEndId>${invoice.number}</EndToEndId>`));
		assert.match(body, new RegExp(`<InstdAmt Ccy="EUR">${amountText(invoice.amount_due_ttc).replace('.', '\\.')}</InstdAmt>`));
		assert.equal(response.headers()['x-transactions'], '1');
		await batch.locator('[data-form-status]').getByText(`Lot du ${longDay(date)} : 1 prélèvement, fichier pain008-${date}.xml.`).waitFor();
		assert.equal((await paymentOf(invoice.number)).state, 'collecting');

		// a return whose totals do not add up: refused whole, with the reason next to the file
		const files = page.locator('#file-form');
		await files.getByLabel('Fichier XML').setInputFiles({ name: 'retour-faux.xml', mimeType: 'application/xml',
			buffer: Buffer.from(pain002(`RET-BAD-${run}`, date, invoice.number, invoice.amount_due_ttc, 2)) });
		await files.getByRole('button', { name: 'Importer' }).click();
		const ferr = page.locator('#bank-file-error');
		await ferr.waitFor();
		assert.match(await ferr.innerText(), /^Fichier refusé en entier, rien n’est appliqué : .*totals do not add up/);
		assert.equal(await files.getByLabel('Fichier XML').getAttribute('aria-invalid'), 'true');
		assert.equal((await paymentOf(invoice.number)).state, 'collecting', 'nothing applied');
		await check(page, 'bank file refused');

		// the bank rejects the debit
		await files.getByLabel('Fichier XML').setInputFiles({ name: 'retour.xml', mimeType: 'application/xml',
			buffer: Buffer.from(pain002(`RET-${run}`, date, invoice.number, invoice.amount_due_ttc, 1)) });
		const [upload] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/api/v1/ops/bank-files')),
			files.getByRole('button', { name: 'Importer' }).click(),
		]);
		assert.equal(upload.status(), 201);
		assert.equal(upload.request().headers()['content-type'], 'application/xml');
		await files.locator('[data-form-status]').getByText('Fichier retour.xml importé.').waitFor();
		assert.equal(await page.locator('#file-result-h3').innerText(), 'Ce que le fichier (retour de prélèvements pain.002) a changé');
		assert.equal(await page.locator('#file-summary dd[data-key="debits_rejected"]').innerText(), '1');
		assert.equal(await page.locator('#file-summary dd[data-key="lines"]').innerText(), '1');
		assert.ok(await page.locator('#bank-file-error').count() === 0, 'the earlier error is gone');
		assert.equal((await paymentOf(invoice.number)).state, 'open');
		await check(page, 'bank file applied');

		// the customer pays by transfer without citing the invoice: a statement line left for an operator
		await files.getByLabel('Fichier XML').setInputFiles({ name: 'releve.xml', mimeType: 'application/xml',
			buffer: Buffer.from(camt053(`STMT-${run}`, date, invoice.amount_due_ttc, 'VIR MENUISERIE AUBERT ABONNEMENT')) });
		await files.getByRole('button', { name: 'Importer' }).click();
		await files.locator('[data-form-status]').getByText('Fichier releve.xml importé.').waitFor();
		assert.equal(await page.locator('#file-summary dd[data-key="unmatched"]').innerText(), '1');
		const lineRow = page.locator('#lines tbody tr');
		await lineRow.first().waitFor();
		assert.equal(await lineRow.count(), 1);
		const shown = norm(await lineRow.innerText());
		assert.ok(shown.includes('VIR MENUISERIE AUBERT ABONNEMENT') && shown.includes('Aucune facture reconnue'), shown);
		assert.ok(await page.locator('#lines-none').isHidden());
		await check(page, 'a line left for an operator');

		// paid by hand for that line, with a note: the note is required
		await lineRow.getByRole('button', { name: 'Rapprocher' }).click();
		const paid = page.locator('#paid-form');
		assert.match(norm(await page.locator('#paid-line-note').innerText()), /VIR MENUISERIE AUBERT ABONNEMENT/);
		await paid.getByLabel('Numéro de la facture').fill(invoice.number);
		await paid.getByRole('button', { name: 'Marquer payée' }).click();
		await page.locator('#paid-note-error').getByText('Ce champ est obligatoire.').waitFor();
		await paid.getByLabel('Note (obligatoire)').fill('Chèque n° 1234567 reçu le 5, remis en banque');
		await paid.getByRole('button', { name: 'Marquer payée' }).click();
		await paid.locator('[data-form-status]').getByText(`Facture ${invoice.number} marquée payée.`).waitFor();
		await page.locator('#lines-none').getByText('Aucune ligne en attente.').waitFor();
		assert.equal(await lineRow.count(), 0, 'the line is settled');
		const p = await paymentOf(invoice.number);
		assert.equal(p.state, 'paid');
		assert.equal(p.paid_by, 'manual');
		await check(page, 'invoice marked paid');

		// twice: refused next to the number
		await paid.getByLabel('Numéro de la facture').fill(invoice.number);
		await paid.getByLabel('Note (obligatoire)').fill('encore');
		await paid.getByRole('button', { name: 'Marquer payée' }).click();
		await page.locator('#paid-invoice-error').getByText('Cette facture est déjà payée.').waitFor();
		assert.equal(await paid.getByLabel('Note (obligatoire)').inputValue(), 'encore', 'what was typed is kept');
		await page.close();
	});

	test('the customer sees the invoice paid', async () => {
		await customer.reload();
		const row = customer.locator(`#invoice-rows tr[data-id="${invoice.id}"]`);
		await row.waitFor();
		const cell = row.locator('td[data-payment]');
		assert.equal(await cell.getAttribute('data-payment'), 'paid');
		assert.match(norm(await cell.innerText()), /^Payée le \d{1,2} \S+ \d{4} \(enregistré par nos services\)$/);
		assert.match(await text(customer, '#mandate-view'), /Révoquer le mandat/);
		await check(customer, 'invoice paid');

		// English too
		await customer.getByRole('button', { name: 'English' }).click();
		assert.match(norm(await cell.innerText()), /^Paid on \d{1,2} \S+ \d{4} \(recorded by our staff\)$/);
		assert.match(norm(await customer.locator('#mandate-text').innerText()), /within 8 weeks/);
		await check(customer, 'invoice paid, in English');
		await customer.getByRole('button', { name: 'Français' }).click();

		// revoking: the form comes back
		await customer.getByRole('button', { name: 'Révoquer le mandat' }).click();
		await customer.locator('#mandate-status').getByText('Mandat révoqué : vos prochaines factures seront à régler par virement.').waitFor();
		assert.equal((await owner.ok('GET', '/billing/mandate')).mandate, null);
		await customer.locator('#mandate-form').waitFor();
		await check(customer, 'mandate revoked');
	});
});
