// mandate — the SEPA direct-debit mandate of the account area, and the payment state of each
// invoice for the invoices list (account.js draws the rows, this module gives the cells).
// The active mandate (masked IBAN, RUM, signature date, creditor and its identifier); signing
// one with the mandate text the banks require (authorisation to debit, refund within 8 weeks),
// replacing it (a new signature revokes the previous one) and revoking it.
// GET/PUT/DELETE /api/v1/billing/mandate, GET /api/v1/billing/payments.
import { api } from '../../common/api.js';
import { el, word } from '../../common/dom.js';
import { busy, clearErrors, errorText, fieldError, requireFilled, showError, status, value } from '../../common/form.js';
import { inZone } from '../../common/format.js';
import { intlLocale, t } from '../../common/i18n.js';

const $ = (id) => document.getElementById(id);
const form = $('mandate-form');

let mandate = null;  // the active mandate, or null
let creditor = null; // {id, name}
let replacing = false;
let payments = new Map(); // invoice id → GET /billing/payments' row

/* A local date "YYYY-MM-DD" written out: « 18 avril 2027 ». */
function localDay(ymd) {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd || '');
	if (!m)
		return ymd || '';
	const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
	return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

function pageStatus(text, kind) {
	const s = $('mandate-status');
	s.className = 'form-status' + (kind ? ' ' + kind : '');
	s.textContent = text || '';
}

function renderText() {
	const name = creditor?.name || 'Créneau';
	$('mandate-text-creditor').textContent = t('pay.text_creditor', { name, id: creditor?.id || '' });
	$('mandate-text-body').textContent = t('pay.text_body', { name });
	$('mandate-text-refund').textContent = t('pay.text_refund');
}

function render() {
	renderText();
	const has = !!mandate;
	$('mandate-view').hidden = !has;
	form.hidden = has && !replacing;
	$('mandate-cancel').hidden = !has;
	if (has) {
		$('mandate-reference').textContent = mandate.reference;
		$('mandate-iban').textContent = mandate.iban + (mandate.bic ? ` — BIC ${mandate.bic}` : '');
		$('mandate-holder').textContent = mandate.holder_name;
		$('mandate-date').textContent = localDay(mandate.signature_date);
		$('mandate-creditor').textContent = t('pay.creditor_value', { name: mandate.creditor_name, id: mandate.creditor_id });
	}
	$('mandate-form-h3').textContent = t(has ? 'pay.replace_h3' : 'pay.sign_h3');
}

$('mandate-replace').addEventListener('click', () => {
	replacing = true;
	pageStatus('');
	clearErrors(form);
	render();
	$('holder_name').focus();
});

$('mandate-cancel').addEventListener('click', () => {
	replacing = false;
	clearErrors(form);
	render();
	$('mandate-replace').focus();
});

$('mandate-revoke').addEventListener('click', async () => {
	const b = $('mandate-revoke');
	b.disabled = true;
	pageStatus('');
	try {
		await api('DELETE', '/billing/mandate');
		mandate = null;
		replacing = false;
		form.reset();
		render();
		pageStatus(t('pay.revoked'), 'success');
		$('mandate-h2').focus();
	} catch (e) {
		pageStatus(errorText(e), 'error');
	} finally {
		b.disabled = false;
	}
});

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	pageStatus('');
	if (!requireFilled(form, ['holder_name', 'iban']))
		return;
	if (!form.elements.namedItem('accept').checked) {
		fieldError(form, 'accept', t('pay.must_accept'));
		return;
	}
	const body = { holder_name: value(form, 'holder_name'), iban: value(form, 'iban') };
	const bic = value(form, 'bic');
	if (bic)
		body.bic = bic;
	busy(form, async () => {
		try {
			const res = await api('PUT', '/billing/mandate', body);
			const again = !!mandate;
			mandate = res.mandate;
			creditor = res.creditor || creditor;
			replacing = false;
			form.reset();
			render();
			pageStatus(t(again ? 'pay.replaced' : 'pay.signed_ok', { reference: mandate.reference }), 'success');
			$('mandate-h2').focus();
		} catch (e) {
			showError(form, e);
		}
	});
});

document.addEventListener('langchange', () => {
	if (creditor)
		render();
});

/* Loads the mandate and draws the section (the account's owner only). */
export async function initMandate() {
	const res = await api('GET', '/billing/mandate');
	mandate = res.mandate || null;
	creditor = res.creditor || null;
	render();
}

/* Loads the payment state of the account's invoices (for paymentCell). */
export async function loadPayments() {
	const res = await api('GET', '/billing/payments');
	payments = new Map((res.payments || []).map((p) => [p.invoice_id, p]));
}

/* The payment state of invoice `id`: « Payée le 3 mai 2027 (prélèvement) », « Prélèvement en
 * cours », « À régler avant le 3 mai 2027 », with the reminders sent; '' for a credit note. */
export function paymentCell(id, tz) {
	const p = payments.get(id);
	if (!p)
		return el('td', {});
	let text;
	let cls = 'pay-open';
	if (p.state === 'paid') {
		const how = word('pay.by.', p.paid_by || 'manual');
		text = p.paid_at ? t('pay.paid_on', { date: inZone(new Date(typeof p.paid_at === 'number' ? p.paid_at * 1000 : p.paid_at), { dateStyle: 'long' }, tz), how })
			: t('pay.paid', { how });
		cls = 'st-paid';
	} else if (p.state === 'collecting') {
		text = t('pay.collecting', { date: localDay(p.due_date) });
	} else {
		text = t(p.method === 'sepa_dd' ? 'pay.open_sepa' : 'pay.open', { date: localDay(p.due_date) });
		if (p.dunning_level > 0) {
			cls = 'pay-late';
			text += ' — ' + t(p.dunning_level >= 3 ? 'pay.unpaid_read_only'
				: p.dunning_level === 1 ? 'pay.reminded_one' : 'pay.reminded_many', { n: p.dunning_level });
		}
	}
	return el('td', { className: cls, dataset: { payment: p.state } }, text);
}
