// booking — the public booking page (/b/{slug}) and the widget's framed page (/widget/b/{slug}).
//
// One module with no other import than the dictionary, so the page costs three requests after
// its HTML (this file, /common/i18n.js, /book/book.css). The manage page imports its helpers too.
// Steps: service → staff or no preference → a day of a month calendar (one availability call
// per visible month, at most 31 days) → a time → the client's details → confirmation. Times are
// shown in the business's zone. Texts from the business (theme) go in with textContent only.
import { init, intlLocale, lang, t } from '../common/i18n.js';

/* The widget (/widget/b/{slug}) serves this same page inside an iframe: mark it framed before
 * anything renders, so the stylesheet and the height reporting know. */
if (location.pathname.startsWith('/widget/'))
	document.documentElement.setAttribute('data-framed', '');

/* ---------- helpers shared with the manage page ---------- */

export class PublicError extends Error {
	constructor(status, code, message, field) {
		super(message || code);
		this.status = status;
		this.code = code;
		this.field = field || null;
	}
}

/* A JSON call to /api/v1 (public routes: no session, no CSRF token). */
export async function call(method, path, body, headers = {}) {
	const h = { Accept: 'application/json', ...headers };
	if (body !== undefined)
		h['Content-Type'] = 'application/json';
	let res;
	try {
		// GETs revalidate (the page's JSON has an ETag: a returning visitor gets a 304)
		res = await fetch('/api/v1' + path, { method, headers: h, credentials: 'omit',
			cache: method === 'GET' ? 'no-cache' : 'no-store',
			body: body === undefined ? undefined : JSON.stringify(body) });
	} catch {
		throw new PublicError(0, 'network');
	}
	let data = null;
	try {
		data = await res.json();
	} catch {
		data = null;
	}
	if (!res.ok) {
		const err = (data && data.error) || {};
		throw new PublicError(res.status, err.code || 'http_' + res.status, err.message, err.field);
	}
	return data || {};
}

/* The last path segment after prefix (/b/, /widget/b/, /m/), or ?name= for the static paths. */
export function fromPath(prefix, name) {
	const q = new URLSearchParams(location.search).get(name);
	if (q)
		return q;
	const p = location.pathname;
	if (p.startsWith(prefix)) {
		const rest = p.slice(prefix.length).replace(/\/$/, '');
		if (rest && !rest.includes('/') && rest !== 'index.html')
			return decodeURIComponent(rest);
	}
	return '';
}

export function byId(id) {
	return document.getElementById(id);
}

export function el(tag, props = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(props)) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k === 'text')
			e.textContent = v;
		else if (k === 'class')
			e.className = v;
		else if (k in e && typeof v !== 'string')
			e[k] = v;
		else
			e.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children)
		if (c)
			e.append(c);
	return e;
}

export function money(cents, currency = 'EUR') {
	const whole = cents % 100 === 0;
	return new Intl.NumberFormat(intlLocale(), { style: 'currency', currency,
		minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2 }).format(cents / 100);
}

function fmt(opts, tz, d) {
	try {
		return new Intl.DateTimeFormat(intlLocale(), { ...opts, timeZone: tz || undefined }).format(d);
	} catch {
		return new Intl.DateTimeFormat(intlLocale(), opts).format(d);
	}
}

/* « 09:30 » in zone tz. */
export function timeOf(iso, tz) {
	return fmt({ hour: '2-digit', minute: '2-digit' }, tz, new Date(iso));
}

/* « jeudi 3 décembre 2026 » in zone tz. */
export function dayOf(iso, tz) {
	return fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, tz, new Date(iso));
}

/* « jeudi 3 décembre 2026 à 09:30 » in zone tz. */
export function whenOf(iso, tz) {
	return t('book.when', { day: dayOf(iso, tz), time: timeOf(iso, tz) });
}

/* YYYY-MM-DD of an instant in zone tz. */
export function dateIn(d, tz) {
	try {
		return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
	} catch {
		return d.toISOString().slice(0, 10);
	}
}

/* The visitor's zone, or '' when the browser does not say. */
export function visitorZone() {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
	} catch {
		return '';
	}
}

/* Sets the business's colours as custom properties (script may; style attributes may not). */
export function applyColours(theme, root = document.documentElement) {
	if (!theme)
		return;
	const ok = (c) => typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c);
	if (ok(theme.primary)) {
		root.style.setProperty('--brand', theme.primary);
		root.style.setProperty('--brand-ink', inkOn(theme.primary));
	}
	if (ok(theme.accent))
		root.style.setProperty('--brand-accent', theme.accent);
}

/* Black or white, whichever reads better on colour c (#rrggbb). */
export function inkOn(c) {
	const lin = (v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
	const n = parseInt(c.slice(1), 16);
	const l = 0.2126 * lin(((n >> 16) & 255) / 255) + 0.7152 * lin(((n >> 8) & 255) / 255) + 0.0722 * lin((n & 255) / 255);
	return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? '#ffffff' : '#000000';
}

/* The business's own text for key in the current language, or ''. */
export function themeText(theme, key) {
	const texts = theme && theme.texts;
	const v = texts && texts[lang()] && texts[lang()][key];
	return typeof v === 'string' ? v.trim() : '';
}

/* The error of a public call in plain words. */
export function errorText(err) {
	const key = 'book.err_' + err.code;
	const s = t(key);
	return s !== key ? s : t('book.err_generic');
}

/* In the widget, tells the embedding page our height whenever it changes. */
export function reportHeight() {
	if (!document.documentElement.hasAttribute('data-framed') || window.parent === window)
		return;
	let last = 0;
	const send = () => {
		const h = Math.ceil(document.documentElement.scrollHeight);
		if (h !== last) {
			last = h;
			window.parent.postMessage({ type: 'creneau:height', height: h }, '*');
		}
	};
	new ResizeObserver(send).observe(document.body);
	send();
}

/* One tab stop for a group of buttons (the pressed one, else the first enabled); the arrow
 * keys move between them, Home and End to the ends; cols > 0 makes Up and Down jump a row. */
export function roving(box, cols = 0) {
	const all = () => [...box.querySelectorAll('button')];
	const stop = (target) => {
		for (const b of all())
			b.tabIndex = b === target ? 0 : -1;
	};
	const enabled = all().filter((b) => !b.disabled);
	stop(enabled.find((b) => b.getAttribute('aria-pressed') === 'true') || enabled[0]);
	if (box.dataset.roving)
		return;
	box.dataset.roving = '1';
	box.addEventListener('focusin', (ev) => {
		if (ev.target instanceof HTMLButtonElement)
			stop(ev.target);
	});
	box.addEventListener('keydown', (ev) => {
		const list = all();
		const i = list.indexOf(document.activeElement);
		if (i < 0)
			return;
		const steps = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols || 1, ArrowUp: -(cols || 1) };
		let j = -1;
		if (ev.key in steps) {
			for (j = i + steps[ev.key]; j >= 0 && j < list.length && list[j].disabled; j += steps[ev.key])
				;
		} else if (ev.key === 'Home') {
			j = list.findIndex((b) => !b.disabled);
		} else if (ev.key === 'End') {
			j = list.findLastIndex((b) => !b.disabled);
		} else {
			return;
		}
		ev.preventDefault();
		if (j >= 0 && j < list.length && !list[j].disabled)
			list[j].focus();
	});
}

/* ---------- the booking page ---------- */

const S = {
	slug: '',
	info: null,
	service: null,
	staff: 'any',
	month: null, // {y, m} shown
	days: new Map(), // date → slots of the visible month
	monthKey: '',
	date: '',
	slot: null, // {start, staff:[...]}
	today: '',
	loadSeq: 0,
	done: null, // {out, body} once booked
};

function tz() {
	return S.info.business.time_zone;
}

function showStatus(text) {
	const s = byId('b-status');
	s.textContent = text || '';
}

function staffName(id) {
	const s = S.info.staff.find((x) => x.id === id);
	return s ? s.name : '';
}

function renderHeader() {
	const { business, theme } = S.info;
	byId('b-name').textContent = business.name;
	byId('b-name').removeAttribute('data-i18n');
	document.title = t('book.page_title', { name: business.name });
	const welcome = themeText(theme, 'welcome');
	byId('b-welcome').textContent = welcome;
	byId('b-welcome').hidden = !welcome;
	const instr = themeText(theme, 'instructions');
	byId('b-instructions').textContent = instr;
	byId('b-instructions').hidden = !instr;
	const button = themeText(theme, 'book_button');
	const submit = byId('b-submit');
	if (button) {
		submit.removeAttribute('data-i18n');
		submit.textContent = button;
	} else {
		submit.setAttribute('data-i18n', 'book.confirm');
		submit.textContent = t('book.confirm');
	}
	const logo = byId('b-logo');
	if (theme && theme.logo_url) {
		logo.src = theme.logo_url;
		logo.alt = t('book.logo_alt', { name: business.name });
		logo.hidden = false;
	} else {
		logo.hidden = true;
	}
	const vz = visitorZone();
	const note = byId('b-tz');
	note.hidden = !vz || vz === business.time_zone;
	note.textContent = t('book.tz_notice', { zone: business.time_zone, visitor: vz });
}

function renderServices() {
	const box = byId('b-services');
	box.replaceChildren();
	const groups = new Map();
	for (const s of S.info.services) {
		const c = s.category || '';
		if (!groups.has(c))
			groups.set(c, []);
		groups.get(c).push(s);
	}
	for (const [cat, list] of groups) {
		const opts = el('div', { class: 'options' });
		for (const s of list) {
			const input = el('input', { type: 'radio', name: 'service', value: s.id, id: 'svc-' + s.id });
			input.checked = S.service && S.service.id === s.id;
			input.addEventListener('change', () => chooseService(s));
			const facts = [t('book.minutes', { n: s.duration_min })];
			if (typeof s.price_cents === 'number' && s.price_cents > 0)
				facts.push(money(s.price_cents, s.currency || 'EUR'));
			const label = el('label', { class: 'option', for: 'svc-' + s.id }, input,
				el('span', {}, el('strong', { text: s.name }), el('small', { text: facts.join(' · ') }),
					s.description ? el('small', { text: s.description }) : null));
			opts.append(label);
		}
		if (cat || groups.size > 1)
			box.append(el('fieldset', { class: 'group' }, el('legend', { text: cat || t('book.other_services') }), opts));
		else
			box.append(opts);
	}
	if (!S.info.services.length)
		box.append(el('p', { text: t('book.no_services') }));
}

function renderStaff() {
	const box = byId('b-staff');
	box.replaceChildren();
	const ids = S.service.staff || [];
	const people = S.info.staff.filter((p) => ids.includes(p.id));
	const add = (value, name, hint) => {
		const input = el('input', { type: 'radio', name: 'staff', value, id: 'stf-' + value });
		input.checked = S.staff === value;
		input.addEventListener('change', () => chooseStaff(value));
		box.append(el('label', { class: 'option', for: 'stf-' + value }, input,
			el('span', {}, el('strong', { text: name }), hint ? el('small', { text: hint }) : null)));
	};
	if (people.length > 1)
		add('any', t('book.any_staff'), t('book.any_staff_hint'));
	for (const p of people)
		add(p.id, p.name);
}

function chooseService(s) {
	S.service = s;
	const ids = s.staff || [];
	S.staff = ids.length === 1 ? ids[0] : 'any';
	renderStaff();
	byId('step-staff').hidden = false;
	renderQuestions();
	resetDay();
	loadMonth();
}

function chooseStaff(v) {
	S.staff = v;
	resetDay();
	loadMonth();
}

function resetDay() {
	S.date = '';
	S.slot = null;
	S.monthKey = '';
	byId('step-day').hidden = false;
	byId('step-time').hidden = true;
	byId('step-details').hidden = true;
	clearError();
}

/* ---- calendar ---- */

function pad(n) {
	return String(n).padStart(2, '0');
}

function ymd(y, m, d) {
	return `${y}-${pad(m)}-${pad(d)}`;
}

function daysIn(y, m) {
	return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function lastBookable() {
	const h = S.info.rules && S.info.rules.horizon_s;
	if (!h)
		return '';
	return dateIn(new Date(Date.now() + h * 1000), tz());
}

function monthRange() {
	const { y, m } = S.month;
	let from = ymd(y, m, 1);
	let to = ymd(y, m, daysIn(y, m));
	if (from < S.today)
		from = S.today;
	const last = lastBookable();
	if (last && to > last)
		to = last;
	return { from, to };
}

async function loadMonth() {
	if (!S.service)
		return;
	const seq = ++S.loadSeq;
	const { from, to } = monthRange();
	const key = `${S.service.id}|${S.staff}|${from}|${to}`;
	renderCalendar(true);
	if (to < from) {
		S.days = new Map();
		S.monthKey = key;
		renderCalendar(false);
		return;
	}
	byId('cal-status').textContent = t('common.loading');
	try {
		const q = new URLSearchParams({ service: S.service.id, staff: S.staff, from, to });
		const data = await call('GET', `/public/${encodeURIComponent(S.slug)}/availability?${q}`);
		if (seq !== S.loadSeq)
			return;
		S.days = new Map((data.days || []).map((d) => [d.date, d.slots || []]));
		S.monthKey = key;
		renderCalendar(false);
	} catch (err) {
		if (seq !== S.loadSeq)
			return;
		byId('cal-status').textContent = errorText(err);
	}
}

function renderCalendar(loading) {
	const { y, m } = S.month;
	const first = new Date(Date.UTC(y, m - 1, 1, 12));
	byId('cal-title').textContent = fmt({ month: 'long', year: 'numeric' }, 'UTC', first);
	const [ty, tm] = S.today.split('-').map(Number);
	byId('cal-prev').disabled = y * 12 + m <= ty * 12 + tm;
	const last = lastBookable();
	byId('cal-next').disabled = !!last && ymd(y, m, daysIn(y, m)) >= last;
	const cal = byId('cal');
	cal.setAttribute('aria-busy', String(!!loading));
	cal.replaceChildren();
	for (let i = 0; i < 7; i++) {
		// 2024-01-01 was a Monday
		const d = new Date(Date.UTC(2024, 0, 1 + i, 12));
		cal.append(el('li', { class: 'dow', 'aria-hidden': 'true', text: fmt({ weekday: 'short' }, 'UTC', d) }));
	}
	const lead = (first.getUTCDay() + 6) % 7;
	for (let i = 0; i < lead; i++)
		cal.append(el('li', { 'aria-hidden': 'true' }));
	let free = 0;
	for (let d = 1; d <= daysIn(y, m); d++) {
		const date = ymd(y, m, d);
		const slots = S.days.get(date) || [];
		const open = !loading && slots.length > 0;
		free += open ? 1 : 0;
		const label = fmt({ weekday: 'long', day: 'numeric', month: 'long' }, 'UTC', new Date(Date.UTC(y, m - 1, d, 12)));
		const b = el('button', { type: 'button', text: String(d), 'data-date': date,
			'aria-label': open ? t('book.day_free', { day: label, n: slots.length }) : t('book.day_full', { day: label }),
			'aria-pressed': String(S.date === date) });
		b.disabled = !open;
		b.addEventListener('click', () => chooseDay(date));
		cal.append(el('li', {}, b));
	}
	roving(cal, 7);
	if (!loading)
		byId('cal-status').textContent = free ? '' : t('book.month_full');
}

function moveMonth(delta) {
	let { y, m } = S.month;
	m += delta;
	if (m < 1) { m = 12; y--; }
	if (m > 12) { m = 1; y++; }
	S.month = { y, m };
	loadMonth();
}

function chooseDay(date) {
	S.date = date;
	S.slot = null;
	for (const b of byId('cal').querySelectorAll('button'))
		b.setAttribute('aria-pressed', String(b.dataset.date === date));
	renderTimes();
	byId('step-time').hidden = false;
	byId('step-details').hidden = true;
	const first = byId('b-times').querySelector('button');
	if (first)
		first.focus();
}

function timeButton(slot, onPick) {
	const b = el('button', { type: 'button', text: timeOf(slot.start, tz()), 'data-start': slot.start,
		'aria-pressed': String(!!S.slot && S.slot.start === slot.start),
		'aria-label': whenOf(slot.start, tz()) });
	b.addEventListener('click', () => onPick(slot));
	return b;
}

function renderTimes() {
	const slots = S.days.get(S.date) || [];
	byId('time-day').textContent = slots.length ? dayOf(slots[0].start, tz()) : '';
	const box = byId('b-times');
	box.replaceChildren(...slots.map((s) => timeButton(s, chooseTime)));
	roving(box);
}

function chooseTime(slot) {
	S.slot = slot;
	for (const b of byId('b-times').querySelectorAll('button'))
		b.setAttribute('aria-pressed', String(b.dataset.start === slot.start));
	byId('step-details').hidden = false;
	renderRecap();
	byId('first_name').focus();
}

function renderRecap() {
	if (!S.slot)
		return;
	const who = S.staff !== 'any' ? staffName(S.staff) : (S.slot.staff.length === 1 ? staffName(S.slot.staff[0]) : t('book.any_staff'));
	byId('b-recap').textContent = t('book.recap', { service: S.service.name, when: whenOf(S.slot.start, tz()), staff: who });
}

/* ---- questions and the form ---- */

function renderQuestions() {
	const box = byId('b-questions');
	const kept = new Map();
	for (const f of box.querySelectorAll('input, select, textarea'))
		kept.set(f.name, f.type === 'checkbox' ? f.checked : f.value);
	box.replaceChildren();
	for (const q of S.service.questions || []) {
		const id = 'q-' + q.id;
		const name = 'answers.' + q.id;
		const req = q.required ? ' *' : '';
		if (q.kind === 'yesno') {
			const input = el('input', { type: 'checkbox', id, name, 'aria-required': q.required ? 'true' : undefined });
			if (kept.has(name))
				input.checked = kept.get(name);
			box.append(el('div', { class: 'check' }, input, el('label', { for: id, text: q.label + req })));
		} else if (q.kind === 'choice') {
			const sel = el('select', { id, name, required: q.required });
			sel.append(el('option', { value: '', text: t('book.choose') }));
			for (const c of q.choices || [])
				sel.append(el('option', { value: c, text: c }));
			if (kept.has(name))
				sel.value = kept.get(name);
			box.append(el('div', { class: 'field' }, el('label', { for: id, text: q.label + req }), sel));
		} else {
			const input = el('input', { type: 'text', id, name, maxlength: '500', required: q.required });
			if (kept.has(name))
				input.value = kept.get(name);
			box.append(el('div', { class: 'field' }, el('label', { for: id, text: q.label + req }), input));
		}
	}
	if ((S.service.questions || []).some((q) => q.required))
		box.append(el('p', { class: 'hint', text: t('book.required_note') }));
}

function clearError() {
	const form = byId('b-form');
	for (const p of form.querySelectorAll('.field-error'))
		p.remove();
	for (const f of form.querySelectorAll('[aria-invalid]')) {
		f.removeAttribute('aria-invalid');
		const d = (f.getAttribute('aria-describedby') || '').split(' ').filter((x) => !x.endsWith('-error')).join(' ');
		if (d)
			f.setAttribute('aria-describedby', d);
		else
			f.removeAttribute('aria-describedby');
	}
	byId('b-error').textContent = '';
	byId('b-error').className = 'status';
	byId('b-alternatives').hidden = true;
}

function fieldError(control, text) {
	const p = el('p', { class: 'field-error', id: control.id + '-error', text });
	control.closest('.field, .check').append(p);
	control.setAttribute('aria-invalid', 'true');
	const d = control.getAttribute('aria-describedby');
	control.setAttribute('aria-describedby', (d ? d + ' ' : '') + p.id);
}

function formError(text) {
	const box = byId('b-error');
	box.className = 'status notice error';
	box.textContent = text;
}

function validate() {
	const bad = [];
	const need = (id, key) => {
		const f = byId(id);
		if (!f.value.trim()) {
			fieldError(f, t(key));
			bad.push(f);
		}
	};
	need('first_name', 'book.err_first_name');
	need('last_name', 'book.err_last_name');
	const email = byId('email');
	if (!email.value.trim())
		need('email', 'book.err_email');
	else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim())) {
		fieldError(email, t('book.err_email_format'));
		bad.push(email);
	}
	for (const q of S.service.questions || []) {
		if (!q.required)
			continue;
		const f = byId('q-' + q.id);
		if (q.kind === 'yesno' ? !f.checked : !f.value.trim()) {
			fieldError(f, t('book.err_required'));
			bad.push(f);
		}
	}
	if (bad.length) {
		formError(t('book.err_fix', { n: bad.length }));
		bad[0].focus();
		return false;
	}
	return true;
}

function requestBody() {
	const answers = {};
	for (const q of S.service.questions || []) {
		const f = byId('q-' + q.id);
		if (q.kind === 'yesno')
			answers[q.id] = f.checked;
		else if (f.value.trim())
			answers[q.id] = f.value.trim();
	}
	const body = {
		service: S.service.id,
		staff: S.staff,
		start: S.slot.start,
		client: { first_name: byId('first_name').value.trim(), last_name: byId('last_name').value.trim(),
			email: byId('email').value.trim() },
		consent_email: byId('consent_email').checked,
		consent_sms: byId('consent_sms').checked,
	};
	const phone = byId('phone').value.trim();
	if (phone)
		body.client.phone = phone;
	const note = byId('note').value.trim();
	if (note)
		body.notes = note;
	if (Object.keys(answers).length)
		body.answers = answers;
	return body;
}

let idemKey = '';
let idemFor = '';

async function submit(ev) {
	ev.preventDefault();
	clearError();
	if (!S.slot || !validate())
		return;
	const body = requestBody();
	const json = JSON.stringify(body);
	if (json !== idemFor) {
		idemFor = json;
		idemKey = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
	}
	const btn = byId('b-submit');
	btn.disabled = true;
	byId('b-error').textContent = t('book.sending');
	try {
		const out = await call('POST', `/public/${encodeURIComponent(S.slug)}/appointments`, body,
			{ 'Idempotency-Key': idemKey });
		showDone(out, body);
	} catch (err) {
		if (err.status === 409 || err.code === 'slot_taken')
			await slotTaken();
		else if (err.field && document.querySelector(`[name="${CSS.escape(err.field.replace(/^client\./, ''))}"]`)) {
			const f = document.querySelector(`[name="${CSS.escape(err.field.replace(/^client\./, ''))}"]`);
			fieldError(f, errorText(err));
			formError(errorText(err));
			f.focus();
		} else {
			formError(errorText(err));
		}
	} finally {
		btn.disabled = false;
	}
}

/* The slot went meanwhile: say so, re-read the month and offer the nearest free times. */
async function slotTaken() {
	const lost = S.slot.start;
	formError(t('book.slot_taken_at', { time: whenOf(lost, tz()) }));
	S.slot = null;
	S.monthKey = '';
	try {
		const { from, to } = monthRange();
		const q = new URLSearchParams({ service: S.service.id, staff: S.staff, from, to });
		const data = await call('GET', `/public/${encodeURIComponent(S.slug)}/availability?${q}`);
		S.days = new Map((data.days || []).map((d) => [d.date, d.slots || []]));
	} catch {
		/* keep the old month: the visitor can still choose */
	}
	renderCalendar(false);
	renderTimes();
	const target = Date.parse(lost);
	const all = [...S.days.values()].flat().filter((s) => s.start !== lost);
	all.sort((a, b) => Math.abs(Date.parse(a.start) - target) - Math.abs(Date.parse(b.start) - target));
	const near = all.slice(0, 4).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
	const box = byId('b-alt-times');
	box.replaceChildren(...near.map((s) => {
		const b = timeButton(s, (slot) => {
			S.date = dateIn(new Date(slot.start), tz());
			renderCalendar(false);
			renderTimes();
			chooseTime(slot);
			clearError();
			byId('b-submit').focus();
		});
		b.textContent = whenOf(s.start, tz());
		b.removeAttribute('aria-label');
		return b;
	}));
	byId('b-alternatives').hidden = !near.length;
	byId('b-recap').textContent = near.length ? '' : t('book.none_near');
	const f = box.querySelector('button');
	if (f)
		f.focus();
}

function showDone(out, body, focus = true) {
	S.done = { out, body };
	const a = out.appointment || {};
	const token = out.manage_token || '';
	byId('b-form').hidden = true;
	const done = byId('b-done');
	done.hidden = false;
	const custom = themeText(S.info.theme, 'confirmation');
	byId('b-done-text').textContent = custom || t('book.done_text');
	const staffId = a.staff || (S.slot && S.slot.staff[0]);
	const rows = [
		['book.sum_service', S.service.name],
		['book.sum_when', whenOf(a.start || body.start, tz())],
		['book.sum_duration', t('book.minutes', { n: S.service.duration_min })],
		['book.sum_staff', staffName(staffId)],
		['book.sum_name', `${body.client.first_name} ${body.client.last_name}`],
		['book.sum_address', S.info.business.address || ''],
		['book.sum_phone', S.info.business.phone || ''],
	];
	const dl = byId('b-summary');
	dl.replaceChildren();
	for (const [k, v] of rows)
		if (v)
			dl.append(el('dt', { text: t(k) }), el('dd', { text: v }));
	const ics = byId('b-ics');
	const manage = byId('b-manage');
	ics.href = `/api/v1/manage/${encodeURIComponent(token)}/ics`;
	ics.setAttribute('download', 'rendez-vous.ics');
	manage.href = `/m/${encodeURIComponent(token)}`;
	if (document.documentElement.hasAttribute('data-framed')) {
		manage.target = '_blank';
		manage.rel = 'noopener';
	}
	if (focus)
		done.focus();
}

function showClosed(reason) {
	byId('b-form').hidden = true;
	byId('b-closed').hidden = false;
	const phone = S.info && S.info.business && S.info.business.phone;
	byId('b-closed-text').textContent = t(reason === 'gone' ? 'book.gone_text' : 'book.closed_text') +
		(phone ? ' ' + t('book.call', { phone }) : '');
}

function showMissing(status) {
	byId('b-form').hidden = true;
	byId('b-closed').hidden = false;
	byId('b-closed-title').textContent = t(status === 410 ? 'book.gone_title' : 'book.missing_title');
	byId('b-closed-title').removeAttribute('data-i18n');
	byId('b-closed-text').textContent = t(status === 410 ? 'book.gone_text' : 'book.missing_text');
}

function rerender() {
	if (!S.info)
		return;
	renderHeader();
	if (S.done) {
		showDone(S.done.out, S.done.body, false);
		return;
	}
	if (byId('b-closed').hidden === false && !S.info.bookings_open)
		showClosed(S.info.closed_reason);
	if (S.info.bookings_open) {
		renderServices();
		if (S.service) {
			renderStaff();
			renderQuestions();
			renderCalendar(!S.monthKey);
			if (S.date)
				renderTimes();
			renderRecap();
		}
	}
}

async function start() {
	init();
	reportHeight();
	document.addEventListener('langchange', rerender);
	byId('b-form').addEventListener('submit', submit);
	byId('cal-prev').addEventListener('click', () => moveMonth(-1));
	byId('cal-next').addEventListener('click', () => moveMonth(1));
	S.slug = fromPath(document.documentElement.hasAttribute('data-framed') ? '/widget/b/' : '/b/', 'slug');
	if (!S.slug) {
		showStatus('');
		showMissing(404);
		return;
	}
	try {
		S.info = await call('GET', `/public/${encodeURIComponent(S.slug)}`);
	} catch (err) {
		showStatus(err.status === 404 || err.status === 410 ? '' : errorText(err));
		if (err.status === 404 || err.status === 410)
			showMissing(err.status);
		return;
	}
	S.info.services = S.info.services || [];
	S.info.staff = S.info.staff || [];
	applyColours(S.info.theme);
	S.today = dateIn(new Date(), tz());
	const [y, m] = S.today.split('-').map(Number);
	S.month = { y, m };
	renderHeader();
	showStatus('');
	if (!S.info.bookings_open) {
		showClosed(S.info.closed_reason);
		return;
	}
	renderServices();
	byId('b-form').hidden = false;
	if (S.info.services.length === 1) {
		const only = byId('b-services').querySelector('input');
		only.checked = true;
		chooseService(S.info.services[0]);
	}
}

if (document.body && document.body.hasAttribute('data-booking'))
	start();
