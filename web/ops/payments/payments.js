// The operators' payments: the pain.008 batch of a collection date downloaded (GET
// /api/v1/ops/sepa/batch?date=), a bank file uploaded as its raw bytes (POST
// /api/v1/ops/bank-files: pain.002, camt.054, camt.053) with what it did or why it was
// refused, the statement lines left for an operator (GET /api/v1/ops/payments/unmatched), and
// an invoice marked paid by hand with a note (POST /api/v1/ops/invoices/{id}/paid), settling
// one of those lines when it came from one.
import { api, ApiError } from '../../common/api.js';
import { el, word } from '../../common/dom.js';
import { busy, clearErrors, errorText, fieldError, requireFilled, showError, status, value } from '../../common/form.js';
import { money } from '../../common/format.js';
import { intlLocale, t } from '../../common/i18n.js';
import { requireOperator, status as pageStatus } from '../ops.js';

const ZONE = 'Europe/Paris';
const $ = (id) => document.getElementById(id);
const batchForm = $('batch-form');
const fileForm = $('file-form');
const paidForm = $('paid-form');
let lines = [];
let lastImport = null; // {file, summary} of the last upload shown

function csrf() {
	return sessionStorage.getItem('creneau.csrf') || '';
}

/* The ApiError of a failed fetch answer (JSON error body or none). */
async function failure(res) {
	const data = await res.json().catch(() => ({}));
	const e = data.error || {};
	return new ApiError(res.status, e.code || 'http_' + res.status, e.message, e.field);
}

/* A local date "YYYY-MM-DD" written out: « 3 mai 2027 ». */
function localDay(ymd) {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd || '');
	if (!m)
		return ymd || '';
	const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
	return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

/* Today in Paris as YYYY-MM-DD. */
function today() {
	return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/* An amount given as cents or as text "123.45" in euros. */
function amountText(a) {
	if (typeof a === 'number')
		return money(a);
	const n = Number(a);
	return Number.isFinite(n) ? money(Math.round(n * 100)) : String(a ?? '');
}

/* ---- the batch ---- */

batchForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(batchForm);
	if (!requireFilled(batchForm, ['date']))
		return;
	const date = value(batchForm, 'date');
	busy(batchForm, async () => {
		try {
			const res = await fetch('/api/v1/ops/sepa/batch?date=' + encodeURIComponent(date),
				{ credentials: 'same-origin', cache: 'no-store' });
			if (!res.ok)
				throw await failure(res);
			const blob = await res.blob();
			const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || `pain008-${date}.xml`;
			const n = Number(res.headers.get('X-Transactions') || 0);
			const a = el('a', { href: URL.createObjectURL(blob), download: name });
			document.body.append(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(a.href), 10000);
			status(batchForm, t(n === 1 ? 'opsp.batch_done_one' : 'opsp.batch_done_many',
				{ n, date: localDay(date), name }), 'success');
		} catch (e) {
			showError(batchForm, e.field ? e : Object.assign(e, { field: 'date' }));
		}
	});
});

/* ---- the bank files ---- */

const SUMMARY = ['lines', 'matched', 'unmatched', 'ambiguous', 'debits_rejected', 'debits_settled', 'invoices_paid_by_transfer'];

function drawImport() {
	const box = $('file-result');
	box.hidden = !lastImport;
	if (!lastImport)
		return;
	const { file, summary } = lastImport;
	$('file-result-h3').textContent = t(file.duplicate ? 'opsp.file_duplicate' : 'opsp.file_applied',
		{ kind: word('opsp.kind.', file.kind) });
	$('file-summary').replaceChildren(...SUMMARY.flatMap((k) => [el('dt', {}, word('opsp.sum.', k)),
		el('dd', { dataset: { key: k } }, String(summary?.[k] ?? 0))]));
}

fileForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(fileForm);
	const file = $('bank-file').files[0];
	if (!file) {
		fieldError(fileForm, 'file', t('opsp.file_missing'));
		return;
	}
	busy(fileForm, async () => {
		try {
			const res = await fetch('/api/v1/ops/bank-files', {
				method: 'POST', body: file, credentials: 'same-origin', cache: 'no-store',
				headers: { 'Content-Type': 'application/xml', Accept: 'application/json', 'X-CSRF-Token': csrf(),
					'Content-Disposition': `attachment; filename="${file.name.replace(/[^\x20-\x7e]|["\\;]/g, '_')}"` },
			});
			if (!res.ok)
				throw await failure(res);
			lastImport = await res.json();
			drawImport();
			status(fileForm, t(lastImport.file?.duplicate ? 'opsp.file_done_duplicate' : 'opsp.file_done',
				{ name: file.name }), 'success');
			await loadLines();
		} catch (e) {
			lastImport = null;
			drawImport();
			if (e.code === 'bank_file_rejected')
				fieldError(fileForm, 'file', t('opsp.file_rejected', { reason: e.message }));
			else
				showError(fileForm, e.field ? e : Object.assign(e, { field: 'file' }));
		}
	});
});

/* ---- the lines left for an operator ---- */

function lineState(ln) {
	if (ln.state === 'ambiguous')
		return t('opsp.ambiguous', { numbers: (ln.candidates || []).join(', ') });
	return t('opsp.unmatched');
}

function drawLines() {
	const body = document.querySelector('#lines tbody');
	body.replaceChildren(...lines.map((ln) => {
		const settle = el('button', { type: 'button', className: 'secondary', dataset: { line: ln.id } },
			t('opsp.settle'));
		settle.addEventListener('click', () => pickLine(ln));
		return el('tr', { dataset: { id: ln.id } },
			el('td', {}, localDay(ln.booking_date), el('small', {}, word('opsp.kind.', ln.file?.kind || ln.kind))),
			el('td', { className: 'num' }, amountText(ln.amount)),
			el('td', {}, ln.counterparty || '—'),
			el('td', {}, ln.reference || ln.end_to_end_id || '—'),
			el('td', {}, lineState(ln)),
			el('td', {}, settle));
	}));
	$('lines-wrap').hidden = !lines.length;
	$('lines-none').hidden = !!lines.length;
}

async function loadLines() {
	lines = (await api('GET', '/ops/payments/unmatched')).lines || [];
	drawLines();
}

function pickLine(ln) {
	clearErrors(paidForm);
	paidForm.elements.namedItem('bank_line_id').value = ln.id;
	const note = $('paid-line-note');
	note.hidden = false;
	note.textContent = t('opsp.paid_for_line', { amount: amountText(ln.amount), date: localDay(ln.booking_date),
		reference: ln.reference || ln.end_to_end_id || '—' });
	const inv = paidForm.elements.namedItem('invoice');
	if (ln.candidates?.length && !inv.value)
		inv.value = ln.candidates[0];
	$('paid-h2').focus();
	inv.focus();
}

/* ---- paid by hand ---- */

paidForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(paidForm);
	if (!requireFilled(paidForm, ['invoice', 'note']))
		return;
	const invoice = value(paidForm, 'invoice').replace(/\s+/g, '');
	const body = { note: value(paidForm, 'note') };
	const line = value(paidForm, 'bank_line_id');
	if (line)
		body.bank_line_id = line;
	busy(paidForm, async () => {
		try {
			const res = await api('POST', `/ops/invoices/${encodeURIComponent(invoice)}/paid`, body);
			paidForm.reset();
			// a hidden input's value is its default: reset() keeps it
			paidForm.elements.namedItem('bank_line_id').value = '';
			$('paid-line-note').hidden = true;
			status(paidForm, t('opsp.paid_done', { number: res.invoice?.number || invoice }), 'success');
			await loadLines();
		} catch (e) {
			if (e.field === 'bank_line_id')
				paidForm.elements.namedItem('bank_line_id').value = '';
			const text = e.status === 404 ? t('opsp.no_invoice') : errorText(e);
			fieldError(paidForm, e.field && e.field !== 'bank_line_id' ? e.field : 'invoice', text);
		}
	});
});

/* ---- the page ---- */

document.addEventListener('langchange', () => {
	drawLines();
	drawImport();
});

try {
	if (await requireOperator()) {
		batchForm.elements.namedItem('date').value = today();
		await loadLines();
		pageStatus('');
		$('pay').hidden = false;
	}
} catch (e) {
	pageStatus(errorText(e));
}
