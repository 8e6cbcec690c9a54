// setup — the set-up screens of the back office (/office/setup/), one page with five tabs:
// services with their booking questions and staff, the team with weekly hours and
// exceptions, closed days with the year's public holidays, the booking rules and business
// profile, and the booking link with the widget snippet. Owners change; anyone else reads.
import { api } from '../../common/api.js';
import { el } from '../../common/dom.js';
import { errorText, status } from '../../common/form.js';
import { inZone, money } from '../../common/format.js';
import { lang, t } from '../../common/i18n.js';
import { readOnlyReason, start } from '../session.js';
import { S, copy, intOf, need, rangeEditor, showConflicts, submit } from './util.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const TABS = ['services', 'staff', 'closed', 'rules', 'link'];
const STEPS = [5, 10, 15, 20, 30, 45, 60];
const $ = (id) => document.getElementById(id);

/* ---------- small helpers */

/* A local date "2027-05-01" written for the page: « samedi 1 mai 2027 ». */
function day(d) {
	return inZone(new Date(d + 'T12:00:00Z'), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, 'UTC');
}

function swatch(color) {
	const s = el('span', { className: 'swatch', 'aria-hidden': 'true' });
	if (color)
		s.style.background = color;
	return s;
}

/* Controls that only show or hide something: they stay usable when nothing may be changed. */
const VIEW_ONLY = '#panel-link, #svc-cancel, #stf-cancel, #hol-year, #hol-am';

/* Disables every editing control when the user may not write (staff, or a read-only account);
 * the controls that write also carry data-write, which session.js locks in a read-only account. */
function lock() {
	if (S.canWrite)
		return;
	for (const c of document.querySelectorAll('#setup form input, #setup form select, #setup form textarea, #setup form button, [data-write]'))
		if (!c.closest(VIEW_ONLY))
			c.disabled = true;
}

/* ---------- rules fields (the business's, and a service's overrides) */

function ruleFields(box, idp, forService) {
	const num = (name, key, unit) => {
		const id = `${idp}-${name}`;
		return el('div', { className: 'field' },
			el('label', { for: id, textContent: t(key) }),
			el('input', { type: 'text', id, name, inputMode: 'decimal', 'aria-describedby': id + '-hint' }),
			el('span', { className: 'hint', id: id + '-hint', textContent: t(unit) }));
	};
	const stepId = `${idp}-slot_step_min`;
	const step = el('select', { id: stepId, name: 'slot_step_min' });
	if (forService)
		step.append(el('option', { value: '', textContent: t('setup.rule_default') }));
	step.append(el('option', { value: '0', textContent: t('setup.step_duration') }));
	for (const m of STEPS)
		step.append(el('option', { value: String(m), textContent: t('setup.step_min', { n: m }) }));
	box.replaceChildren(
		num('min_notice_s', 'setup.rule_notice', forService ? 'setup.unit_hours_default' : 'setup.unit_hours'),
		num('horizon_s', 'setup.rule_horizon', forService ? 'setup.unit_days_default' : 'setup.unit_days'),
		el('div', { className: 'field' }, el('label', { for: stepId, textContent: t('setup.rule_step') }), step),
		num('cancel_cutoff_s', 'setup.rule_cutoff', forService ? 'setup.unit_hours_default' : 'setup.unit_hours'));
}

const SCALE = { min_notice_s: 3600, horizon_s: 86400, cancel_cutoff_s: 3600 };

function fmtNum(v) {
	return lang() === 'fr' ? String(v).replace('.', ',') : String(v);
}

function setRules(form, values) {
	for (const [k, f] of Object.entries(SCALE)) {
		const v = values[k];
		form.elements[k].value = v === null || v === undefined ? '' : fmtNum(Math.round((v / f) * 100) / 100);
	}
	const sel = form.elements.slot_step_min;
	const v = values.slot_step_min;
	const want = v === null || v === undefined ? '' : String(v);
	if (![...sel.options].some((o) => o.value === want))
		sel.append(el('option', { value: want, textContent: t('setup.step_min', { n: want }) }));
	sel.value = want;
}

/* The four rules as the API takes them; `nullable`: "" means the business's rule. */
function readRules(form, nullable) {
	const out = {};
	for (const [k, f] of Object.entries(SCALE)) {
		const s = form.elements[k].value.trim().replace(',', '.');
		if (s === '') {
			if (!nullable)
				throw Object.assign(new Error('missing'), { status: 400, code: 'missing_field', field: k });
			out[k] = null;
			continue;
		}
		const n = /^\d+(\.\d+)?$/.test(s) ? Math.round(Number(s) * f) : NaN;
		out[k] = need(form, k, n);
	}
	const st = form.elements.slot_step_min.value;
	out.slot_step_min = st === '' ? null : Number(st);
	return out;
}

/* ---------- services */

const svcForm = $('svc-form');
let svcEditing = null; // the service being edited, or null for a new one
let questions = [];

function svcRow(s) {
	const staffNames = (s.staff || []).map((id) => S.staff.find((x) => x.id === id)?.name).filter(Boolean);
	const sub = [t('setup.minutes', { n: s.duration_min }), money(s.price_cents, s.currency)];
	if (s.capacity > 1)
		sub.push(t('setup.group', { n: s.capacity }));
	if (!s.active)
		sub.push(t('setup.inactive'));
	if (s.resizable)
		sub.push(t('setup.resizable'));
	sub.push(staffNames.length ? staffNames.join(', ') : t('setup.no_staff'));
	if (s.questions?.length)
		sub.push(t('setup.n_questions', { n: s.questions.length }));
	const edit = el('button', { type: 'button', className: 'small', textContent: S.canWrite ? t('setup.edit') : t('setup.view'),
		'aria-label': t(S.canWrite ? 'setup.edit_of' : 'setup.view_of', { name: s.name }) });
	edit.addEventListener('click', () => openService(s));
	const li = el('li', { dataset: { id: s.id } },
		el('span', { className: 'grow' }, swatch(s.color), el('strong', { textContent: s.name }),
			el('span', { className: 'sub', textContent: sub.join(' · ') })), edit);
	if (svcEditing && svcEditing.id === s.id)
		li.setAttribute('aria-current', 'true');
	return li;
}

function drawServices() {
	const ul = $('svc-list');
	ul.replaceChildren(...S.services.map(svcRow));
	if (!S.services.length)
		ul.append(el('li', { className: 'muted', textContent: t('setup.no_services') }));
}

function questionBox(q, i) {
	const id = `q-${i}`;
	const kind = el('select', { id: id + '-kind', name: `questions[${i}].kind` },
		...['text', 'choice', 'yesno'].map((k) => el('option', { value: k, textContent: t(`setup.q_kind_${k}`) })));
	kind.value = q.kind || 'text';
	const choices = el('textarea', { id: id + '-choices', name: `questions[${i}].choices`, rows: 3,
		value: (q.choices || []).join('\n'), 'aria-describedby': id + '-choices-hint' });
	const choicesField = el('div', { className: 'field' },
		el('label', { for: id + '-choices', textContent: t('setup.q_choices') }), choices,
		el('span', { className: 'hint', id: id + '-choices-hint', textContent: t('setup.q_choices_hint') }));
	choicesField.hidden = kind.value !== 'choice';
	kind.addEventListener('change', () => { choicesField.hidden = kind.value !== 'choice'; });
	const req = el('input', { type: 'checkbox', id: id + '-required', name: `questions[${i}].required`, checked: !!q.required });
	const rm = el('button', { type: 'button', className: 'small', textContent: t('setup.q_remove'),
		'aria-label': t('setup.q_remove_n', { n: i + 1 }), dataset: { write: '' } });
	rm.addEventListener('click', () => {
		questions = readQuestions();
		questions.splice(i, 1);
		drawQuestions();
		$('svc-q-add').focus();
	});
	return el('div', { className: 'question', role: 'group', 'aria-label': t('setup.q_n', { n: i + 1 }), dataset: { qid: q.id || '' } },
		el('div', { className: 'two' },
			el('div', { className: 'field' }, el('label', { for: id + '-label', textContent: t('setup.q_label') }),
				el('input', { type: 'text', id: id + '-label', name: `questions[${i}].label`, maxLength: 300, value: q.label || '' })),
			el('div', { className: 'field' }, el('label', { for: id + '-kind', textContent: t('setup.q_kind') }), kind)),
		choicesField,
		el('div', { className: 'check' }, req, el('label', { for: id + '-required', textContent: t('setup.q_required') })),
		rm);
}

function drawQuestions() {
	const box = $('svc-questions');
	box.replaceChildren(...questions.map(questionBox));
	if (!questions.length)
		box.append(el('p', { className: 'muted', textContent: t('setup.q_none') }));
	$('svc-q-add').disabled = !S.canWrite || questions.length >= 20;
	lock();
}

function readQuestions() {
	return [...$('svc-questions').querySelectorAll('.question')].map((box, i) => {
		const q = {
			label: box.querySelector(`[name="questions[${i}].label"]`).value.trim(),
			kind: box.querySelector(`[name="questions[${i}].kind"]`).value,
			required: box.querySelector(`[name="questions[${i}].required"]`).checked,
		};
		q.choices = q.kind === 'choice'
			? box.querySelector(`[name="questions[${i}].choices"]`).value.split('\n').map((x) => x.trim()).filter(Boolean)
			: [];
		if (box.dataset.qid)
			q.id = box.dataset.qid;
		return q;
	});
}

function drawServiceStaff(selected) {
	const box = $('svc-staff');
	box.replaceChildren(...S.staff.map((p) => el('div', { className: 'check' },
		el('input', { type: 'checkbox', id: 'svc-staff-' + p.id, name: 'staff', value: p.id, checked: selected.includes(p.id) }),
		el('label', { for: 'svc-staff-' + p.id, textContent: p.name + (p.active ? '' : ' (' + t('setup.inactive') + ')') }))));
	if (!S.staff.length)
		box.append(el('p', { className: 'muted', textContent: t('setup.no_staff_yet') }));
}

function fillService(s) {
	const f = svcForm.elements;
	f.name.value = s.name || '';
	f.description.value = s.description || '';
	f.category.value = s.category || '';
	f.color.value = s.color || '#2f6f5e';
	f.duration_min.value = s.duration_min ?? 30;
	f.price_cents.value = s.price_cents ? fmtNum((s.price_cents / 100).toFixed(2)) : '';
	f.capacity.value = s.capacity ?? 1;
	f.buffer_before_min.value = s.buffer_before_min ?? 0;
	f.buffer_after_min.value = s.buffer_after_min ?? 0;
	f.active.checked = s.active !== false;
	f.resizable.checked = !!s.resizable;
	drawServiceStaff(s.staff || (S.staff.length === 1 ? [S.staff[0].id] : []));
	questions = (s.questions || []).map((q) => ({ ...q }));
	drawQuestions();
	setRules(svcForm, s.id ? s : { min_notice_s: null, horizon_s: null, slot_step_min: null, cancel_cutoff_s: null });
}

function openService(s) {
	svcEditing = s;
	svcForm.hidden = false;
	status(svcForm, '');
	for (const e of svcForm.querySelectorAll('.field-error'))
		e.remove();
	$('svc-form-h').textContent = s ? t('setup.svc_edit_h', { name: s.name }) : t('setup.svc_new');
	$('svc-delete').hidden = !s;
	fillService(s || {});
	drawServices();
	lock();
	$('svc-form-h').focus();
}

function priceCents(form) {
	const s = form.elements.price_cents.value.trim().replace(/\s|€/g, '').replace(',', '.');
	if (s === '')
		return 0;
	return need(form, 'price_cents', /^\d+(\.\d{1,2})?$/.test(s) ? Math.round(Number(s) * 100) : NaN);
}

svcForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	submit(svcForm, async () => {
		const f = svcForm.elements;
		const body = {
			name: f.name.value.trim(),
			description: f.description.value.trim(),
			category: f.category.value.trim(),
			color: f.color.value.toLowerCase(),
			duration_min: need(svcForm, 'duration_min', intOf(f.duration_min.value) ?? NaN),
			price_cents: priceCents(svcForm),
			capacity: need(svcForm, 'capacity', intOf(f.capacity.value) ?? 1),
			buffer_before_min: need(svcForm, 'buffer_before_min', intOf(f.buffer_before_min.value) ?? 0),
			buffer_after_min: need(svcForm, 'buffer_after_min', intOf(f.buffer_after_min.value) ?? 0),
			active: f.active.checked,
			resizable: f.resizable.checked,
			staff: [...svcForm.querySelectorAll('[name="staff"]:checked')].map((c) => c.value),
			questions: readQuestions(),
			...readRules(svcForm, true),
		};
		let res;
		if (svcEditing)
			res = await api('PATCH', '/services/' + encodeURIComponent(svcEditing.id), { ...body, version: svcEditing.version });
		else
			res = await api('POST', '/services', body);
		const s = res.service;
		const i = S.services.findIndex((x) => x.id === s.id);
		if (i >= 0)
			S.services[i] = s;
		else
			S.services.push(s);
		svcEditing = s;
		$('svc-form-h').textContent = t('setup.svc_edit_h', { name: s.name });
		$('svc-delete').hidden = false;
		questions = s.questions.map((q) => ({ ...q }));
		drawQuestions();
		drawServices();
		status(svcForm, t('setup.svc_saved', { name: s.name }), 'success');
	}, async () => {
		const r = await api('GET', '/services/' + encodeURIComponent(svcEditing.id));
		const i = S.services.findIndex((x) => x.id === r.service.id);
		S.services[i] = r.service;
		openService(r.service);
		status(svcForm, t('setup.reloaded'), 'info');
	});
});

$('svc-new').addEventListener('click', () => openService(null));
$('svc-cancel').addEventListener('click', () => {
	svcForm.hidden = true;
	svcEditing = null;
	drawServices();
	$('svc-new').focus();
});
$('svc-q-add').addEventListener('click', () => {
	questions = readQuestions();
	questions.push({ label: '', kind: 'text', choices: [], required: false });
	drawQuestions();
	$(`q-${questions.length - 1}-label`).focus();
});
$('svc-delete').addEventListener('click', () => {
	if (!svcEditing || !confirm(t('setup.svc_confirm_delete', { name: svcEditing.name })))
		return;
	submit(svcForm, async () => {
		const r = await api('DELETE', '/services/' + encodeURIComponent(svcEditing.id));
		const name = svcEditing.name;
		if (r.deleted)
			S.services = S.services.filter((x) => x.id !== svcEditing.id);
		else
			Object.assign(S.services.find((x) => x.id === svcEditing.id), { active: false });
		svcForm.hidden = true;
		svcEditing = null;
		drawServices();
		$('setup-status').textContent = t(r.deleted ? 'setup.svc_deleted' : 'setup.svc_kept', { name });
	});
});

/* ---------- staff, hours, exceptions */

const stfForm = $('stf-form');
const hoursForm = $('hours-form');
const excForm = $('exc-form');
let stfEditing = null;
const dayEditors = {};
let excRanges = null;

function stfRow(p) {
	const sub = [p.email, p.bookable ? t('setup.bookable') : t('setup.not_bookable')];
	if (!p.active)
		sub.push(t('setup.inactive'));
	const edit = el('button', { type: 'button', className: 'small', textContent: t('setup.stf_open'),
		'aria-label': t('setup.stf_open_of', { name: p.name }) });
	edit.addEventListener('click', () => openStaff(p));
	const li = el('li', { dataset: { id: p.id } },
		el('span', { className: 'grow' }, swatch(p.color), el('strong', { textContent: p.name }),
			el('span', { className: 'sub', textContent: sub.filter(Boolean).join(' · ') })), edit);
	if (stfEditing && stfEditing.id === p.id)
		li.setAttribute('aria-current', 'true');
	return li;
}

function drawStaff() {
	const ul = $('stf-list');
	ul.replaceChildren(...S.staff.map(stfRow));
	if (!S.staff.length)
		ul.append(el('li', { className: 'muted', textContent: t('setup.no_staff_yet') }));
}

function fillStaff(p) {
	const f = stfForm.elements;
	f.name.value = p.name || '';
	f.email.value = p.email || '';
	f.phone.value = p.phone || '';
	f.color.value = p.color || '#2980b9';
	f.bookable.checked = p.bookable !== false;
	f.active.checked = p.active !== false;
}

async function openStaff(p) {
	stfEditing = p;
	stfForm.hidden = false;
	status(stfForm, '');
	for (const e of stfForm.querySelectorAll('.field-error'))
		e.remove();
	$('stf-form-h').textContent = p ? t('setup.stf_edit_h', { name: p.name }) : t('setup.stf_new');
	$('stf-delete').hidden = !p;
	fillStaff(p || {});
	drawStaff();
	$('stf-detail').hidden = !p;
	if (p)
		await loadDetail(p);
	lock();
	$('stf-form-h').focus();
}

function drawWeek(hours) {
	const box = $('hours-days');
	box.replaceChildren();
	for (const d of DAYS) {
		const ranges = el('div', { id: 'hours-' + d });
		const h = el('h4', { id: 'hours-' + d + '-h', textContent: t(`setup.day_${d}`) });
		box.append(el('div', { className: 'day', role: 'group', 'aria-labelledby': h.id }, h, ranges));
		dayEditors[d] = rangeEditor(ranges, 'hours.' + d, 'h-' + d, () => t(`setup.day_${d}`));
		dayEditors[d].set(hours[d] || []);
	}
}

async function loadDetail(p) {
	$('hours-h').textContent = t('setup.hours_h', { name: p.name });
	$('hours-conflicts').replaceChildren();
	$('exc-conflicts').replaceChildren();
	status(hoursForm, '');
	const [h, x] = await Promise.all([
		api('GET', `/staff/${encodeURIComponent(p.id)}/hours`),
		api('GET', `/staff/${encodeURIComponent(p.id)}/exceptions`),
	]);
	drawWeek(h.hours || {});
	drawExceptions(x.exceptions || []);
	resetExcForm();
}

stfForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	submit(stfForm, async () => {
		const f = stfForm.elements;
		const body = {
			name: f.name.value.trim(), email: f.email.value.trim(), phone: f.phone.value.trim(),
			color: f.color.value.toLowerCase(), bookable: f.bookable.checked, active: f.active.checked,
		};
		const res = stfEditing
			? await api('PATCH', '/staff/' + encodeURIComponent(stfEditing.id), { ...body, version: stfEditing.version })
			: await api('POST', '/staff', body);
		const p = res.staff;
		const i = S.staff.findIndex((x) => x.id === p.id);
		const created = i < 0;
		if (created)
			S.staff.push(p);
		else
			S.staff[i] = p;
		stfEditing = p;
		$('stf-form-h').textContent = t('setup.stf_edit_h', { name: p.name });
		$('stf-delete').hidden = false;
		drawStaff();
		if (created) {
			$('stf-detail').hidden = false;
			await loadDetail(p);
		} else {
			$('hours-h').textContent = t('setup.hours_h', { name: p.name });
		}
		status(stfForm, t(created ? 'setup.stf_created' : 'setup.stf_saved', { name: p.name }), 'success');
	}, async () => {
		const r = await api('GET', '/staff/' + encodeURIComponent(stfEditing.id));
		S.staff[S.staff.findIndex((x) => x.id === r.staff.id)] = r.staff;
		await openStaff(r.staff);
		status(stfForm, t('setup.reloaded'), 'info');
	});
});

$('stf-new').addEventListener('click', () => openStaff(null));
$('stf-cancel').addEventListener('click', () => {
	stfForm.hidden = true;
	$('stf-detail').hidden = true;
	stfEditing = null;
	drawStaff();
	$('stf-new').focus();
});
$('stf-delete').addEventListener('click', () => {
	if (!stfEditing || !confirm(t('setup.stf_confirm_delete', { name: stfEditing.name })))
		return;
	submit(stfForm, async () => {
		const r = await api('DELETE', '/staff/' + encodeURIComponent(stfEditing.id));
		const name = stfEditing.name;
		if (r.deleted)
			S.staff = S.staff.filter((x) => x.id !== stfEditing.id);
		else
			Object.assign(S.staff.find((x) => x.id === stfEditing.id), { active: false });
		stfForm.hidden = true;
		$('stf-detail').hidden = true;
		stfEditing = null;
		drawStaff();
		$('setup-status').textContent = t(r.deleted ? 'setup.stf_deleted' : 'setup.stf_kept', { name });
	});
});

$('hours-copy').addEventListener('click', () => {
	const mon = dayEditors.mon.get();
	for (const d of DAYS.slice(1))
		dayEditors[d].set(mon.map((r) => [...r]));
	status(hoursForm, t('setup.hours_copied'), 'info');
});

hoursForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	$('hours-conflicts').replaceChildren();
	submit(hoursForm, async () => {
		const week = {};
		for (const d of DAYS)
			week[d] = dayEditors[d].get();
		const res = await api('PUT', `/staff/${encodeURIComponent(stfEditing.id)}/hours`, week);
		for (const d of DAYS)
			dayEditors[d].set(res.hours[d] || []);
		status(hoursForm, t('setup.hours_saved'), 'success');
		await showConflicts($('hours-conflicts'), res);
	});
});

/* exceptions */

function excText(x) {
	const dates = x.to && x.to !== x.from ? t('setup.exc_range', { from: day(x.from), to: day(x.to) }) : day(x.from);
	const ranges = (x.ranges || []).map((r) => `${r[0]}–${r[1]}`).join(', ');
	let what = t(`setup.exc_kind_${x.kind}`);
	if (x.kind === 'hours')
		what = ranges ? t('setup.exc_hours_is', { ranges }) : t('setup.exc_closed');
	else if (x.kind === 'extra')
		what = t('setup.exc_extra_is', { ranges });
	return { dates, what };
}

function drawExceptions(list) {
	const ul = $('exc-list');
	ul.replaceChildren(...list.map((x) => {
		const { dates, what } = excText(x);
		const rm = el('button', { type: 'button', className: 'small', textContent: t('setup.delete'),
			'aria-label': t('setup.exc_delete_of', { dates }), dataset: { write: '' } });
		rm.addEventListener('click', () => submit(excForm, async () => {
			const res = await api('DELETE', `/staff/${encodeURIComponent(stfEditing.id)}/exceptions/${encodeURIComponent(x.id)}`);
			const r = await api('GET', `/staff/${encodeURIComponent(stfEditing.id)}/exceptions`);
			drawExceptions(r.exceptions || []);
			status(excForm, t('setup.exc_deleted'), 'success');
			await showConflicts($('exc-conflicts'), res);
		}));
		return el('li', {}, el('span', { className: 'grow' }, el('strong', { textContent: dates }),
			el('span', { className: 'sub', textContent: [what, x.note].filter(Boolean).join(' — ') })), rm);
	}));
	if (!list.length)
		ul.append(el('li', { className: 'muted', textContent: t('setup.exc_none') }));
	lock();
}

function excKindChanged() {
	const k = excForm.elements.kind.value;
	$('exc-ranges-box').hidden = k === 'off';
	if (k === 'extra' && !excRanges.get().length)
		excRanges.set([['09:00', '12:00']]);
}

function resetExcForm() {
	excRanges = rangeEditor($('exc-ranges'), 'ranges', 'exc-r', () => t('setup.exc_day'));
	excRanges.set([]);
	excForm.elements.from.value = '';
	excForm.elements.to.value = '';
	excForm.elements.note.value = '';
	excKindChanged();
}

excForm.elements.kind.addEventListener('change', excKindChanged);
excForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	$('exc-conflicts').replaceChildren();
	submit(excForm, async () => {
		const f = excForm.elements;
		const body = { kind: f.kind.value, from: f.from.value, note: f.note.value.trim() };
		if (!body.from) {
			const err = { status: 400, code: 'missing_field', field: 'from' };
			throw err;
		}
		if (f.to.value)
			body.to = f.to.value;
		if (body.kind !== 'off')
			body.ranges = excRanges.get();
		const res = await api('POST', `/staff/${encodeURIComponent(stfEditing.id)}/exceptions`, body);
		const r = await api('GET', `/staff/${encodeURIComponent(stfEditing.id)}/exceptions`);
		drawExceptions(r.exceptions || []);
		const { dates } = excText(res.exception);
		resetExcForm();
		status(excForm, t('setup.exc_saved', { dates }), 'success');
		await showConflicts($('exc-conflicts'), res);
	});
});

/* ---------- closed days */

const holForm = $('hol-form');
const closedForm = $('closed-form');
let closed = [];

function thisYear() {
	return Number(inZone(new Date(), { year: 'numeric' }, S.account?.time_zone).replace(/\D/g, ''));
}

async function loadClosed() {
	closed = (await api('GET', '/closed-days')).closed_days || [];
	drawClosed();
}

function drawClosed() {
	const ul = $('closed-list');
	const today = new Date().toISOString().slice(0, 10);
	const shown = closed.filter((c) => c.day >= today);
	ul.replaceChildren(...shown.map((c) => {
		const rm = el('button', { type: 'button', className: 'small', textContent: t('setup.delete'),
			'aria-label': t('setup.closed_delete_of', { day: day(c.day) }), dataset: { write: '' } });
		rm.addEventListener('click', () => submit(closedForm, async () => {
			await api('DELETE', '/closed-days/' + encodeURIComponent(c.id));
			await loadClosed();
			await loadHolidays();
			status(closedForm, t('setup.closed_deleted', { day: day(c.day) }), 'success');
		}));
		return el('li', {}, el('span', { className: 'grow' }, el('strong', { textContent: day(c.day) }),
			el('span', { className: 'sub', textContent: c.label || '' })), rm);
	}));
	if (!shown.length)
		ul.append(el('li', { className: 'muted', textContent: t('setup.closed_none') }));
	lock();
}

async function loadHolidays() {
	const year = holForm.elements.year.value;
	const am = holForm.elements.alsace_moselle.checked;
	const r = await api('GET', `/closed-days/holidays?year=${encodeURIComponent(year)}&alsace_moselle=${am ? 1 : 0}`);
	const box = $('hol-list');
	box.replaceChildren(...r.holidays.map((h) => {
		const id = 'hol-' + h.day;
		const name = lang() === 'en' ? h.name_en : h.name_fr;
		const c = el('input', { type: 'checkbox', id, value: h.day, checked: h.closed, dataset: { name: h.name_fr, write: '' } });
		c.addEventListener('change', () => toggleHoliday(c, name));
		return el('div', { className: 'check' }, c, el('label', { for: id, textContent: `${name} — ${day(h.day)}` }));
	}));
	lock();
}

function toggleHoliday(c, name) {
	submit(holForm, async () => {
		c.disabled = true;
		try {
			if (c.checked) {
				await api('POST', '/closed-days', { day: c.value, label: c.dataset.name });
			} else {
				const x = closed.find((d) => d.day === c.value);
				if (x)
					await api('DELETE', '/closed-days/' + encodeURIComponent(x.id));
			}
		} catch (err) {
			c.checked = !c.checked;
			throw err;
		} finally {
			c.disabled = false;
		}
		await loadClosed();
		status(holForm, t(c.checked ? 'setup.hol_closed' : 'setup.hol_open', { name, day: day(c.value) }), 'success');
	});
}

holForm.elements.year.addEventListener('change', () => loadHolidays().catch((e) => status(holForm, errorText(e), 'error')));
holForm.elements.alsace_moselle.addEventListener('change', () => loadHolidays().catch((e) => status(holForm, errorText(e), 'error')));
holForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	submit(holForm, async () => {
		const r = await api('POST', '/closed-days', { holidays: Number(holForm.elements.year.value),
			alsace_moselle: holForm.elements.alsace_moselle.checked });
		closed = r.closed_days || [];
		drawClosed();
		await loadHolidays();
		status(holForm, t('setup.hol_added', { n: r.added }), 'success');
	});
});

closedForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	submit(closedForm, async () => {
		const body = { day: closedForm.elements.day.value, label: closedForm.elements.label.value.trim() };
		if (!body.day) {
			const err = { status: 400, code: 'missing_field', field: 'day' };
			throw err;
		}
		const r = await api('POST', '/closed-days', body);
		await loadClosed();
		await loadHolidays();
		closedForm.reset();
		status(closedForm, t('setup.closed_added', { day: day(r.closed_day.day) }), 'success');
	});
});

/* ---------- rules and business profile */

const rulesForm = $('rules-form');
const profileForm = $('profile-form');

function fillAccount() {
	const a = S.account;
	setRules(rulesForm, a);
	const f = profileForm.elements;
	f.name.value = a.name || '';
	f.contact_email.value = a.contact_email || '';
	f.phone.value = a.phone || '';
	f.website.value = a.website || '';
	f.address.value = a.address || '';
}

async function reloadAccount(form) {
	S.account = (await api('GET', '/account')).account;
	fillAccount();
	status(form, t('setup.reloaded'), 'info');
}

rulesForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	submit(rulesForm, async () => {
		const body = { ...readRules(rulesForm, false), version: S.account.version };
		S.account = (await api('PATCH', '/account', body)).account;
		setRules(rulesForm, S.account);
		status(rulesForm, t('setup.rules_saved'), 'success');
	}, () => reloadAccount(rulesForm));
});

profileForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	submit(profileForm, async () => {
		const f = profileForm.elements;
		const body = { name: f.name.value.trim(), contact_email: f.contact_email.value.trim(), phone: f.phone.value.trim(),
			website: f.website.value.trim(), address: f.address.value.trim(), version: S.account.version };
		S.account = (await api('PATCH', '/account', body)).account;
		status(profileForm, t('setup.profile_saved'), 'success');
	}, () => reloadAccount(profileForm));
});

/* ---------- link and widget */

function drawLink() {
	const slug = S.account.slug;
	const origin = location.origin;
	const url = `${origin}/b/${encodeURIComponent(slug)}`;
	$('link-url').value = url;
	$('link-open').href = url;
	$('widget-code').value = `<script src="${origin}/widget/embed.js" data-creneau="${slug}" async></script>`;
	$('iframe-code').value = `<iframe src="${origin}/widget/b/${encodeURIComponent(slug)}" title="${t('setup.iframe_title')}"`
		+ ' width="100%" height="640" style="border:0" loading="lazy"></iframe>';
}

for (const b of document.querySelectorAll('[data-copy]'))
	b.addEventListener('click', () => copy(b.dataset.copy));

/* ---------- tabs */

function showTab(name, focus) {
	if (!TABS.includes(name))
		name = 'services';
	for (const tn of TABS) {
		const on = tn === name;
		const tab = $('tab-' + tn);
		tab.setAttribute('aria-selected', String(on));
		tab.tabIndex = on ? 0 : -1;
		$('panel-' + tn).hidden = !on;
	}
	if (focus)
		$('tab-' + name).focus();
	if (location.hash !== '#' + name)
		history.replaceState(null, '', '#' + name);
}

for (const tn of TABS) {
	const tab = $('tab-' + tn);
	tab.addEventListener('click', () => showTab(tn));
	tab.addEventListener('keydown', (ev) => {
		const i = TABS.indexOf(tn);
		let j = null;
		if (ev.key === 'ArrowRight')
			j = (i + 1) % TABS.length;
		else if (ev.key === 'ArrowLeft')
			j = (i + TABS.length - 1) % TABS.length;
		else if (ev.key === 'Home')
			j = 0;
		else if (ev.key === 'End')
			j = TABS.length - 1;
		if (j !== null) {
			ev.preventDefault();
			showTab(TABS[j], true);
		}
	});
}
window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));

/* ---------- start */

function redraw() {
	if (!S.account)
		return;
	drawServices();
	drawStaff();
	drawClosed();
	ruleFields($('svc-rules'), 'svc', true);
	ruleFields($('rules-fields'), 'rules', false);
	fillAccount();
	drawLink();
	if (!svcForm.hidden)
		fillService(svcEditing || {});
	if (stfEditing)
		drawWeek(Object.fromEntries(DAYS.map((d) => [d, dayEditors[d].get()])));
	loadHolidays().catch(() => {});
	lock();
}

document.addEventListener('langchange', redraw);

try {
	S.me = await start();
	const role = S.me.user?.role;
	S.canWrite = role === 'owner' && S.me.may?.write !== false && !readOnlyReason(S.me);
	const [acc, svcs, staff] = await Promise.all([api('GET', '/account'), api('GET', '/services'), api('GET', '/staff')]);
	S.account = acc.account;
	S.services = svcs.services || [];
	S.staff = staff.staff || [];
	const ys = holForm.elements.year;
	const y = thisYear();
	for (const v of [y, y + 1, y + 2])
		ys.append(el('option', { value: String(v), textContent: String(v) }));
	await loadClosed();
	redraw();
	if (!S.canWrite) {
		const n = $('setup-readonly');
		n.hidden = false;
		n.textContent = role !== 'owner' ? t('setup.staff_readonly') : t('setup.account_readonly');
		for (const b of document.querySelectorAll('#svc-new, #stf-new'))
			b.hidden = true;
	}
	$('setup-status').textContent = '';
	$('setup').hidden = false;
	showTab(location.hash.slice(1));
} catch (e) {
	$('setup-status').textContent = errorText(e);
	$('setup-status').className = 'form-status error';
}
