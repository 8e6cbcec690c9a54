// account — the owner's account area: the plan held and the trial days left, the three plans
// with the exact quote of a change before confirming it, the billing identity, subscribing
// and changing plan, cancelling at the end of the month and resuming, and the invoices and
// credit notes with their PDF, each invoice's payment state and its e-invoice XML; the SEPA
// mandate is mandate.js's.
// GET /api/v1/subscription, GET /api/v1/subscription/quote?plan=, POST and DELETE
// /api/v1/subscription, POST /api/v1/subscription/resume, GET/PUT /api/v1/billing/identity,
// GET /api/v1/invoices, GET /api/v1/invoices/{id}.pdf and .xml, GET /api/v1/plans.
import { api } from '../../common/api.js';
import { el, word } from '../../common/dom.js';
import { busy, clearErrors, errorText, requireFilled, showError, status, value } from '../../common/form.js';
import { dateTime, money, monthlyPrice, planFeatures } from '../../common/format.js';
import { intlLocale, t } from '../../common/i18n.js';
import { start } from '../session.js';
import { initMandate, loadPayments, paymentCell } from './mandate.js';

const $ = (id) => document.getElementById(id);
const ID_FIELDS = ['legal_name', 'siren', 'vat_number', 'street', 'postcode', 'city', 'country', 'email'];
const PAYING = ['active', 'cancel_pending'];

let me = null;
let plans = [];
let sub = null;	     // GET /subscription's answer
let identity = null; // the billing identity, or null when none yet
let invoices = [];
let quote = null;    // {plan, q} shown in #quote

const tz = () => me?.account?.time_zone || 'Europe/Paris';

/* A local date "YYYY-MM-DD" written out: « 18 avril 2027 » (no time zone involved). */
function localDay(ymd) {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd || '');
	if (!m)
		return ymd || '';
	const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
	return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

function planName(code) {
	return plans.find((p) => p.code === code)?.name || code || '';
}

function stateText(s) {
	return word('state.', s);
}

/* ---- what the account holds ---- */

function renderNow() {
	const s = sub;
	$('cur-plan').textContent = planName(s.plan);
	$('cur-state').textContent = stateText(s.state);
	const inTrial = s.state === 'trial';
	$('trial-left-box').hidden = !inTrial;
	if (inTrial) {
		const n = s.trial_days_left ?? 0;
		$('trial-left').textContent = t(n === 1 ? 'acct.trial_left_one' : 'acct.trial_left_many', { n });
	}
	const cancelAt = s.state === 'cancel_pending' ? s.cancel_at : null;
	$('cancel-box').hidden = !cancelAt;
	if (cancelAt) {
		$('cancel-date').textContent = dateTime(cancelAt, tz());
		$('cancel-date').dateTime = String(cancelAt);
	}
	const note = $('state-note');
	let text = '';
	if (inTrial && s.trial_ends_at)
		text = t('acct.note_trial', { date: dateTime(s.trial_ends_at, tz()) });
	else if (s.state === 'frozen')
		text = t('acct.note_frozen');
	else if (s.state === 'read_only')
		text = t(s.state_reason === 'unpaid' ? 'acct.note_unpaid' : 'acct.note_read_only');
	else if (cancelAt)
		text = t('acct.note_cancel_pending', { date: dateTime(cancelAt, tz()) });
	note.hidden = !text;
	note.textContent = text;

	// cancel / resume
	const paying = PAYING.includes(s.state);
	$('cancel-section').hidden = !paying;
	$('cancel-button').hidden = s.state !== 'active';
	$('cancel-text').textContent = s.state === 'active' ? t('acct.cancel_text')
		: cancelAt ? t('acct.resume_text', { date: dateTime(cancelAt, tz()) }) : '';
	$('resume-button').hidden = !s.can_resume;
}

/* ---- plans and quotes ---- */

function renderPlans() {
	const paying = PAYING.includes(sub.state);
	$('plans-h2').textContent = t(paying ? 'acct.plans_h2' : 'acct.subscribe_h2');
	$('plans').replaceChildren(...plans.map((p) => {
		const held = paying && p.code === sub.plan;
		const h = el('h3', { id: 'plan-' + p.code }, p.name);
		const btn = el('button', { type: 'button', className: held ? 'secondary' : 'primary', disabled: held || !!quote?.loading,
			dataset: { plan: p.code } }, held ? t('acct.plan_held') : t(paying ? 'acct.plan_change' : 'acct.plan_subscribe', { name: p.name }));
		btn.addEventListener('click', () => askQuote(p.code, btn));
		const card = el('li', { className: 'plan' + (held ? ' current' : ''), 'aria-labelledby': h.id }, h,
			el('p', { className: 'price' }, monthlyPrice(p.price_cents, p.currency)),
			el('ul', {}, ...planFeatures(p).map((x) => el('li', {}, x))), btn);
		return card;
	}));
	$('plans').removeAttribute('aria-busy');
}

function clearPlansStatus() {
	$('plans-status').textContent = '';
	$('plans-status').className = 'form-status';
}

async function askQuote(code, btn) {
	const ps = $('plans-status');
	clearPlansStatus();
	if (!identity) {
		ps.className = 'form-status error';
		ps.textContent = t('acct.identity_first');
		$('legal_name').focus();
		return;
	}
	btn.disabled = true;
	btn.setAttribute('aria-busy', 'true');
	try {
		const res = await api('GET', '/subscription/quote?plan=' + encodeURIComponent(code));
		quote = { plan: code, q: res.quote || res };
		renderQuote();
		$('quote').hidden = false;
		$('quote').focus();
	} catch (e) {
		ps.className = 'form-status error';
		ps.textContent = errorText(e);
	} finally {
		btn.disabled = false;
		btn.removeAttribute('aria-busy');
	}
}

function renderQuote() {
	if (!quote)
		return;
	const q = quote.q;
	const name = planName(quote.plan);
	const paying = q.kind ? q.kind !== 'subscribe' : PAYING.includes(sub.state);
	$('quote-h2').textContent = t(paying ? 'acct.quote_change_h2' : 'acct.quote_subscribe_h2', { name });
	const lines = [];
	const line = (label, cents, cls) => lines.push(el('dt', {}, label), el('dd', { className: cls || '' }, money(cents)));
	if (q.document === 'invoice') {
		lines.push(el('dt', {}, t('acct.quote_period')),
			el('dd', {}, t('acct.quote_days', { r: q.days_remaining, n: q.days_in_month })));
		if (q.credit_used_ht)
			line(t('acct.quote_credit'), -q.credit_used_ht);
		line(t('acct.quote_ht'), q.amount_ht);
		line(t('acct.quote_vat'), q.amount_vat);
		line(t('acct.quote_ttc'), q.amount_ttc, 'total');
	} else if (q.document === 'credit_note') {
		line(t('acct.quote_credit_note_ht'), q.amount_ht);
		line(t('acct.quote_vat'), q.amount_vat);
		line(t('acct.quote_credit_note_ttc'), q.amount_ttc, 'total');
	} else {
		lines.push(el('dt', {}, t('acct.quote_today')), el('dd', {}, t('acct.quote_nothing')));
	}
	$('quote-lines').replaceChildren(...lines);
	const next = q.next_month_ht ?? plans.find((p) => p.code === quote.plan)?.price_cents;
	$('quote-note').textContent = [
		q.document === 'invoice' ? t('acct.quote_invoice_note') : q.document === 'credit_note' ? t('acct.quote_credit_note_note') : '',
		next != null ? t('acct.quote_next', { price: money(next) }) : '',
	].filter(Boolean).join(' ');
	$('quote-confirm').textContent = t(q.document === 'invoice' ? 'acct.quote_confirm_pay' : 'acct.quote_confirm', { name });
}

$('quote-cancel').addEventListener('click', () => {
	const code = quote?.plan;
	quote = null;
	$('quote').hidden = true;
	$('plans').querySelector(`[data-plan="${code}"]`)?.focus();
});

$('quote-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const f = $('quote-form');
	clearErrors(f);
	const code = quote?.plan;
	if (!code)
		return;
	busy(f, async () => {
		try {
			await api('POST', '/subscription', { plan: code });
			quote = null;
			$('quote').hidden = true;
			await reload();
			const ps = $('plans-status');
			ps.className = 'form-status success';
			ps.textContent = t('acct.changed', { name: planName(code) });
			clearErrors($('cancel-form'));
			$('plans-h2').focus();
		} catch (e) {
			showError(f, e);
		}
	});
});

/* ---- cancel, resume ---- */

$('cancel-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const f = $('cancel-form');
	clearErrors(f);
	clearPlansStatus();
	busy(f, async () => {
		try {
			await api('DELETE', '/subscription');
			await reload();
			status(f, t('acct.cancelled', { date: dateTime(sub.cancel_at, tz()) }), 'success');
			$('resume-button').focus();
		} catch (e) {
			showError(f, e);
		}
	});
});

$('resume-button').addEventListener('click', () => {
	const f = $('cancel-form');
	clearErrors(f);
	clearPlansStatus();
	const b = $('resume-button');
	b.disabled = true;
	(async () => {
		try {
			await api('POST', '/subscription/resume');
			await reload();
			status(f, t('acct.resumed'), 'success');
			$('cancel-button').focus();
		} catch (e) {
			showError(f, e);
		} finally {
			b.disabled = false;
		}
	})();
});

/* ---- billing identity ---- */

function fillIdentity() {
	const f = $('identity-form');
	const src = identity || {};
	for (const k of ID_FIELDS) {
		const c = f.elements.namedItem(k);
		if (k === 'country')
			c.value = src.country || 'FR';
		else if (k === 'email')
			c.value = src.email || me.user?.email || '';
		else
			c.value = src[k] ?? '';
	}
}

$('identity-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const f = $('identity-form');
	clearErrors(f);
	if (!requireFilled(f, ['legal_name', 'siren', 'street', 'postcode', 'city', 'email']))
		return;
	const body = {};
	for (const k of ID_FIELDS)
		body[k] = value(f, k);
	if (!body.vat_number)
		delete body.vat_number;
	busy(f, async () => {
		try {
			const res = await api('PUT', '/billing/identity', body);
			identity = res.identity;
			fillIdentity();
			status(f, t('common.saved'), 'success');
		} catch (e) {
			showError(f, e);
		}
	});
});

/* ---- invoices ---- */

function renderInvoices() {
	$('invoice-rows').replaceChildren(...invoices.map((d) => {
		const credit = d.type === 'credit_note';
		const id = d.id;
		const number = d.number || '';
		const link = el('a', { href: d.pdf_url || `/api/v1/invoices/${encodeURIComponent(id)}.pdf`,
			download: `${number || id}.pdf`, 'aria-label': t('acct.pdf_of', { number }) }, t('acct.pdf'));
		const what = credit ? t('acct.type_credit_note') : t('acct.type_invoice');
		return el('tr', { dataset: { id, type: d.type || 'invoice' } },
			el('th', { scope: 'row' }, number),
			el('td', {}, d.issue_date ? localDay(d.issue_date) : ''),
			el('td', {}, what, credit && d.corrects_number ? el('small', {}, t('acct.corrects', { number: d.corrects_number })) : null,
				d.period?.start ? el('small', {}, t('acct.period', { from: localDay(d.period.start), to: localDay(d.period.end) })) : null),
			el('td', { className: 'num' }, money(d.total_ht ?? 0)),
			el('td', { className: 'num' }, money(d.total_ttc ?? 0)),
			el('td', {}, !credit && d.due_date ? localDay(d.due_date) : ''),
			credit ? el('td', {}) : paymentCell(id, tz()),
			el('td', {}, link),
			el('td', {}, el('a', { href: `/api/v1/invoices/${encodeURIComponent(id)}.xml`, download: `${number || id}.xml`,
				'aria-label': t('pay.xml_of', { number }) }, t('pay.xml'))));
	}));
	$('invoices-status').textContent = invoices.length ? '' : t('acct.no_invoices');
	$('invoices-wrap').hidden = !invoices.length;
}

async function loadInvoices() {
	const [res] = await Promise.all([api('GET', '/invoices'), loadPayments()]);
	invoices = res.invoices || [];
	const credit = res.credit_left_ttc;
	$('credit-left').hidden = !credit;
	if (credit)
		$('credit-left').textContent = t('acct.credit_left', { amount: money(credit) });
	renderInvoices();
}

/* ---- the page ---- */

async function loadSub() {
	const res = await api('GET', '/subscription');
	sub = res.subscription || res;
}

async function loadIdentity() {
	try {
		const res = await api('GET', '/billing/identity');
		identity = res.complete ? res.identity : null;
	} catch (e) {
		if (e.status !== 404)
			throw e;
		identity = null;
	}
}

async function reload() {
	await Promise.all([loadSub(), loadInvoices()]);
	renderNow();
	renderPlans();
}

document.addEventListener('langchange', () => {
	if (!sub)
		return;
	renderNow();
	renderPlans();
	renderQuote();
	renderInvoices();
});

const statusEl = $('acct-status');
try {
	me = await start();
	if (me.user?.role !== 'owner') {
		statusEl.hidden = true;
		$('acct-owner-only').hidden = false;
	} else {
		const [p] = await Promise.all([api('GET', '/plans'), loadSub(), loadIdentity(), loadInvoices(), initMandate()]);
		plans = p.plans || [];
		fillIdentity();
		renderNow();
		renderPlans();
		statusEl.textContent = '';
		statusEl.hidden = true;
		$('acct').hidden = false;
	}
} catch (e) {
	statusEl.textContent = errorText(e);
	statusEl.className = 'form-status error';
}
