// The agenda: the business's appointments in day (one column per staff member), week and month
// views, drawn by the vendored event-calendar (global EventCalendar). Click a free time to book,
// drag to move (a refusal puts the appointment back and says why), drag the bottom edge to
// change the length of an appointment whose service is resizable (the same on refusal), click
// an appointment to cancel it or mark it no-show or done. Changes made elsewhere arrive by
// polling GET /api/v1/appointments/changes every 3 s. Times are the business's zone's (zone.js).
// In a read-only account nothing is editable and the controls that write carry data-write.
import { api } from '../../common/api.js';
import { el, word } from '../../common/dom.js';
import { busy, clearErrors, errorText, fieldError, showError, status } from '../../common/form.js';
import { inZone } from '../../common/format.js';
import { has, intlLocale, lang, t } from '../../common/i18n.js';
import { readOnlyReason, start as startSession } from '../session.js';
import { dayOfCalendar, instantOfCalendar, instantOfWall, timeOfCalendar, todayIn, wallOf } from './zone.js';

const POLL_MS = 3000;
const DAY_VIEW = 'resourceTimeGridDay';
const VIEWS = [DAY_VIEW, 'timeGridWeek', 'dayGridMonth'];

const statusEl = document.getElementById('ag-status');
const announceEl = document.getElementById('ag-announce');
const newDialog = document.getElementById('ag-new');
const newForm = document.getElementById('ag-new-form');
const evDialog = document.getElementById('ag-event');
const evForm = document.getElementById('ag-event-form');

let me = null;
let tz = 'Europe/Paris';
let canWrite = false;
let ec = null;
const services = new Map();
let staffList = [];
const staffById = new Map();
const shown = new Set();
const appts = new Map(); // id → appointment, for the range on screen
let range = null; // {from, to}: local dates, inclusive
let loadSeq = 0;
let cursor = 0;
let follow = 0; /* the change feed's position when the agenda opened */
let dragging = false;
let polling = false;

/* ---- texts ---- */

function agendaError(e) {
	const key = 'agenda.err.' + e.code;
	return has(key) ? t(key) : errorText(e);
}

function announce(text, kind = 'info') {
	announceEl.className = 'ag-announce ' + kind;
	announceEl.textContent = text;
}

function clientName(a) {
	const c = a.client;
	if (!c)
		return t('agenda.no_client');
	return [c.first_name, c.last_name].filter(Boolean).join(' ') || t('agenda.no_client');
}

function whenText(instant) {
	return inZone(new Date(instant), { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit',
		minute: '2-digit' }, tz);
}

/* ---- colours: a readable ink on each service's colour ---- */

function luminance(hex) {
	const m = /^#([0-9a-f]{6})$/i.exec(hex || '');
	if (!m)
		return null;
	const c = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16) / 255)
		.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
	return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

function inkOn(bg) {
	const l = luminance(bg);
	if (l === null)
		return '#ffffff';
	const white = 1.05 / (l + 0.05);
	const dark = (l + 0.05) / (luminance('#1d2430') + 0.05);
	return white >= dark ? '#ffffff' : '#1d2430';
}

/* ---- events ---- */

function toEvent(a) {
	const svc = services.get(a.service);
	const bg = svc?.color || staffById.get(a.staff)?.color || '#2f6f5e';
	const mark = a.status === 'booked' ? '' : ' (' + word('agenda.status.', a.status) + ')';
	return {
		id: a.id,
		resourceIds: [a.staff],
		start: wallOf(a.start, tz),
		end: wallOf(a.end, tz),
		title: `${clientName(a)} · ${svc?.name || ''}${mark}`,
		backgroundColor: bg,
		textColor: inkOn(bg),
		classNames: ['ag-ev', 'ag-' + a.status],
		startEditable: canWrite && a.status === 'booked',
		durationEditable: canWrite && a.status === 'booked' && !!svc?.resizable && !(svc.capacity > 1),
		extendedProps: { id: a.id },
	};
}

function render() {
	if (!ec || dragging)
		return;
	const list = [];
	for (const a of appts.values())
		if (a.status !== 'cancelled' && shown.has(a.staff))
			list.push(toEvent(a));
	ec.setOption('events', list);
}

function inRange(a) {
	if (!range)
		return false;
	const day = wallOf(a.start, tz).slice(0, 10);
	return day >= range.from && day <= range.to;
}

/* Keeps the newest state of an appointment (the feed and the list may cross). */
function upsert(a) {
	const old = appts.get(a.id);
	if (old && old.change_seq > a.change_seq)
		return;
	if (inRange(a))
		appts.set(a.id, a);
	else
		appts.delete(a.id);
}

async function loadRange(from, to) {
	const seq = ++loadSeq;
	range = { from, to };
	/* where to follow the changes from, read before the appointments so none is missed */
	if (!cursor && !follow)
		follow = (await api('GET', '/appointments/changes?since=latest')).next || 0;
	const r = await api('GET', `/appointments?from=${from}&to=${to}`);
	if (seq !== loadSeq)
		return;
	appts.clear();
	for (const a of r.appointments || [])
		appts.set(a.id, a);
	if (!cursor)
		cursor = follow; /* changes after it are fetched again: harmless, upsert keeps the newest */
	render();
}

/* One round of the change feed: every page until it is drained (at most 20 a round). */
async function poll() {
	if (polling || !range)
		return;
	polling = true;
	try {
		for (let i = 0; i < 20; i++) {
			const r = await api('GET', `/appointments/changes?since=${cursor}`);
			for (const a of r.changes || [])
				upsert(a);
			cursor = Math.max(cursor, r.next || 0);
			if ((r.changes || []).length < 500)
				break;
		}
		render();
	} catch {
		/* the next round tries again */
	} finally {
		polling = false;
	}
}

/* ---- the calendar ---- */

function buttonText(text) {
	return {
		...text,
		today: t('agenda.today'),
		[DAY_VIEW]: t('agenda.view_day'),
		timeGridWeek: t('agenda.view_week'),
		dayGridMonth: t('agenda.view_month'),
		prev: t('agenda.prev'),
		next: t('agenda.next'),
	};
}

function resources() {
	return staffList.filter((s) => shown.has(s.id)).map((s) => ({ id: s.id, title: s.name }));
}

function calendarOptions(view, date) {
	return {
		view,
		date,
		timeZone: 'UTC',
		locale: intlLocale(),
		firstDay: 1,
		headerToolbar: { start: 'prev,next today', center: 'title', end: VIEWS.join(',') },
		buttonText,
		resources: resources(),
		events: [],
		allDaySlot: false,
		slotDuration: '00:30',
		snapDuration: '00:15',
		slotMinTime: '07:00',
		slotMaxTime: '21:00',
		slotHeight: 32,
		flexibleSlotTimeLimits: true,
		scrollTime: '08:00',
		slotLabelFormat: { hour: '2-digit', minute: '2-digit' },
		eventTimeFormat: { hour: '2-digit', minute: '2-digit' },
		dayMaxEvents: true,
		editable: canWrite,
		eventStartEditable: canWrite,
		eventDurationEditable: false, /* per event: only where the service is resizable */
		selectable: false,
		height: 'auto',
		datesSet: onDatesSet,
		dateClick: onDateClick,
		eventClick: onEventClick,
		eventDragStart: () => { dragging = true; },
		eventDragStop: () => { dragging = false; setTimeout(render, 0); },
		eventDrop: onDrop,
		eventResizeStart: () => { dragging = true; },
		eventResizeStop: () => { dragging = false; setTimeout(render, 0); },
		eventResize: onResize,
		eventDidMount: (info) => {
			const a = appts.get(info.event.id);
			if (a) {
				const seen = info.el.textContent.replace(/\s+/g, ' ').trim();
				info.el.setAttribute('aria-label', `${seen}, ${staffById.get(a.staff)?.name || ''}`);
			}
		},
	};
}

/* The calendar marks its grid up as a table whose rows hold toolbars and buttons, which
 * assistive technologies cannot make sense of; its cells are plain boxes here, and each
 * appointment is a button labelled with what it shows and its staff member. */
const GRID_ROLES = '[role="table"],[role="rowgroup"],[role="row"],[role="columnheader"],[role="cell"],[role="rowheader"]';

function plainGrid(root) {
	for (const n of root.querySelectorAll(GRID_ROLES)) {
		n.removeAttribute('role');
		n.removeAttribute('aria-colindex');
	}
}

function onDatesSet(info) {
	const from = dayOfCalendar(info.start);
	const to = dayOfCalendar(new Date(info.end.getTime() - 1));
	const url = new URL(location.href);
	url.searchParams.set('view', info.view.type);
	url.searchParams.set('date', dayOfCalendar(ec ? ec.getOption('date') : info.start));
	history.replaceState(null, '', url);
	loadRange(from, to).catch((e) => announce(agendaError(e), 'error'));
}

function onDateClick(info) {
	if (info.view.type === 'dayGridMonth') {
		ec.setOption('view', DAY_VIEW);
		ec.setOption('date', dayOfCalendar(info.date));
		return;
	}
	if (!canWrite)
		return;
	openNew(info.date, info.resource ? String(info.resource.id) : null);
}

async function onDrop(info) {
	const a = appts.get(info.event.id);
	if (!a) {
		info.revert();
		return;
	}
	const body = { start: instantOfCalendar(info.event.start, tz), version: a.version };
	if (info.newResource)
		body.staff = String(info.newResource.id);
	try {
		const r = await api('PATCH', `/appointments/${encodeURIComponent(a.id)}`, body);
		upsert(r.appointment);
		render();
		announce(t('agenda.moved', { who: clientName(r.appointment), when: whenText(r.appointment.start) }), 'success');
	} catch (e) {
		info.revert();
		announce(t('agenda.move_refused', { message: agendaError(e) }), 'error');
		if (e.code === 'stale_version' || e.status === 404)
			loadRange(range.from, range.to).catch(() => {});
	}
}

/* A new end by the event's bottom edge: PATCH {end}; a refusal puts the event back. */
async function onResize(info) {
	const a = appts.get(info.event.id);
	if (!a) {
		info.revert();
		return;
	}
	const body = { end: instantOfCalendar(info.event.end, tz), version: a.version };
	try {
		const r = await api('PATCH', `/appointments/${encodeURIComponent(a.id)}`, body);
		upsert(r.appointment);
		render();
		const end = inZone(new Date(r.appointment.end), { hour: '2-digit', minute: '2-digit' }, tz);
		announce(t('agenda.resized', { who: clientName(r.appointment), end }), 'success');
	} catch (e) {
		info.revert();
		announce(t('agenda.resize_refused', { message: agendaError(e) }), 'error');
		if (e.code === 'stale_version' || e.status === 404)
			loadRange(range.from, range.to).catch(() => {});
	}
}

/* ---- the filter by staff member ---- */

function drawFilter() {
	const box = document.getElementById('ag-filter-list');
	box.replaceChildren();
	document.getElementById('ag-filter').hidden = staffList.length < 2;
	for (const s of staffList) {
		const id = 'ag-f-' + s.id;
		const input = el('input', { type: 'checkbox', id, checked: shown.has(s.id) });
		input.addEventListener('change', () => {
			if (input.checked)
				shown.add(s.id);
			else
				shown.delete(s.id);
			ec.setOption('resources', resources());
			render();
		});
		box.append(el('div', { className: 'check' }, input, el('label', { for: id }, s.name)));
	}
}

/* ---- booking dialog ---- */

let chosenClient = null; // {id, name}
let searchTimer = null;
let searchSeq = 0;
let pendingPartial = null; // the body of a recurring booking some of whose dates are taken

function option(value, text) {
	return el('option', { value }, text);
}

function fillStaffSelect(preferred) {
	const sel = document.getElementById('ag-staff');
	const svc = services.get(document.getElementById('ag-service').value);
	const current = preferred || sel.value;
	sel.replaceChildren();
	for (const s of staffList)
		if (s.bookable !== false && (!svc || (svc.staff || []).includes(s.id)))
			sel.append(option(s.id, s.name));
	if ([...sel.options].some((o) => o.value === current))
		sel.value = current;
}

function setChosen(c) {
	chosenClient = c;
	document.getElementById('ag-client-chosen').textContent = c ? t('agenda.client_chosen', { name: c.name }) : '';
	for (const b of document.querySelectorAll('#ag-client-results button'))
		b.setAttribute('aria-pressed', String(!!c && b.dataset.id === c.id));
}

function showNewClient(on) {
	document.getElementById('ag-client-new').hidden = !on;
	document.getElementById('ag-client-new-toggle').setAttribute('aria-expanded', String(on));
	if (on) {
		setChosen(null);
		document.getElementById('ag-c-first').focus();
	}
}

async function searchClients() {
	const q = document.getElementById('ag-client-q').value.trim();
	const box = document.getElementById('ag-client-results');
	const seq = ++searchSeq;
	if (!q) {
		box.replaceChildren();
		return;
	}
	let r;
	try {
		r = await api('GET', `/clients?q=${encodeURIComponent(q.slice(0, 100))}&limit=8`);
	} catch (e) {
		if (seq === searchSeq)
			box.replaceChildren(el('p', { className: 'muted' }, agendaError(e)));
		return;
	}
	if (seq !== searchSeq)
		return;
	box.replaceChildren();
	const list = r.clients || [];
	if (!list.length)
		box.append(el('p', { className: 'muted' }, t('agenda.client_none')));
	for (const c of list) {
		const name = [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || c.phone;
		const detail = [c.email, c.phone].filter(Boolean).join(' · ');
		const b = el('button', { type: 'button', className: 'ag-client', dataset: { id: c.id },
			'aria-pressed': String(chosenClient?.id === c.id) }, el('strong', {}, name),
		detail ? el('span', {}, detail) : null);
		b.addEventListener('click', () => {
			showNewClient(false);
			setChosen({ id: c.id, name });
		});
		box.append(b);
	}
}

function openNew(date, resourceId) {
	clearErrors(newForm);
	newForm.reset();
	setChosen(null);
	showNewClient(false);
	pendingPartial = null;
	document.getElementById('ag-partial').hidden = true;
	document.getElementById('ag-repeat-box').hidden = true;
	document.getElementById('ag-client-results').replaceChildren();
	const svcSel = document.getElementById('ag-service');
	svcSel.replaceChildren();
	for (const s of services.values())
		if (s.active !== false && (!resourceId || (s.staff || []).includes(resourceId)))
			svcSel.append(option(s.id, s.name));
	if (!svcSel.options.length)
		for (const s of services.values())
			if (s.active !== false)
				svcSel.append(option(s.id, s.name));
	fillStaffSelect(resourceId);
	document.getElementById('ag-date').value = dayOfCalendar(date);
	document.getElementById('ag-time').value = timeOfCalendar(date);
	updateWhen();
	newDialog.showModal();
	document.getElementById('ag-client-q').focus();
}

function updateWhen() {
	const d = document.getElementById('ag-date').value;
	const h = document.getElementById('ag-time').value;
	const out = document.getElementById('ag-new-when');
	if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !/^\d{2}:\d{2}$/.test(h)) {
		out.textContent = '';
		return;
	}
	out.textContent = whenText(startInstant());
}

function startInstant() {
	const [y, mo, d] = document.getElementById('ag-date').value.split('-').map(Number);
	const [h, mi] = document.getElementById('ag-time').value.split(':').map(Number);
	return instantOfWall(y, mo, d, h, mi, tz);
}

function newClientFields() {
	const v = (id) => document.getElementById(id).value.trim();
	const c = { first_name: v('ag-c-first'), last_name: v('ag-c-last'), email: v('ag-c-email'), phone: v('ag-c-phone') };
	return Object.values(c).some(Boolean) ? c : null;
}

function bookingBody() {
	const body = {
		service: document.getElementById('ag-service').value,
		staff: document.getElementById('ag-staff').value,
		start: startInstant(),
	};
	if (chosenClient)
		body.client = chosenClient.id;
	const notes = document.getElementById('ag-notes').value.trim();
	if (notes)
		body.notes = notes;
	if (document.getElementById('ag-override').checked)
		body.override = { notice: true, horizon: true, grid: true };
	if (document.getElementById('ag-repeat').checked)
		body.repeat = { every_weeks: Number(document.getElementById('ag-every').value),
			count: Number(document.getElementById('ag-count').value) };
	return body;
}

function booked(r) {
	const list = r.appointment ? [r.appointment] : r.appointments || [];
	for (const a of list)
		upsert(a);
	render();
	newDialog.close();
	const first = list[0];
	announce(list.length > 1 ? t('agenda.booked_many', { n: list.length })
		: t('agenda.booked', { who: first ? clientName(first) : '', when: first ? whenText(first.start) : '' }),
	'success');
	const unplaced = r.unplaced || [];
	const box = document.getElementById('ag-unplaced');
	box.hidden = !unplaced.length;
	if (unplaced.length) {
		document.getElementById('ag-unplaced-lead').textContent = t('agenda.unplaced_lead', { n: unplaced.length });
		document.getElementById('ag-unplaced-list').replaceChildren(...unplaced.map((u) =>
			el('li', {}, `${whenText(u.start)} — ${agendaError(u)}`)));
	}
}

/* A recurring booking: first a dry run; if some dates cannot be placed, list them and let the
 * user book the others. */
async function bookRecurring(body) {
	const plan = await api('POST', '/appointments', { ...body, dry_run: true });
	if (!plan.occurrences) {
		booked(plan);
		return;
	}
	const bad = plan.occurrences.filter((o) => !o.placeable);
	if (!bad.length) {
		booked(await api('POST', '/appointments', body));
		return;
	}
	pendingPartial = body;
	document.getElementById('ag-partial').hidden = false;
	document.getElementById('ag-partial-lead').textContent =
		t('agenda.partial_lead', { bad: bad.length, good: plan.placeable || 0 });
	document.getElementById('ag-partial-list').replaceChildren(...bad.map((o) =>
		el('li', {}, `${whenText(o.start)} — ${o.reason ? agendaError(o.reason) : ''}`)));
	document.getElementById('ag-partial-go').hidden = !plan.placeable;
	status(newForm, t('agenda.partial_status'), 'error');
}

async function submitNew() {
	clearErrors(newForm);
	if (!document.getElementById('ag-service').value)
		return fieldError(newForm, 'service', t('err.missing_field'));
	if (!document.getElementById('ag-staff').value)
		return fieldError(newForm, 'staff', t('err.missing_field'));
	if (!/^\d{4}-\d{2}-\d{2}$/.test(document.getElementById('ag-date').value))
		return fieldError(newForm, 'date', t('err.missing_field'));
	if (!/^\d{2}:\d{2}$/.test(document.getElementById('ag-time').value))
		return fieldError(newForm, 'start', t('err.missing_field'));
	const fresh = !document.getElementById('ag-client-new').hidden && newClientFields();
	if (fresh) {
		try {
			const c = (await api('POST', '/clients', fresh)).client;
			showNewClient(false);
			setChosen({ id: c.id, name: [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || c.phone });
			for (const id of ['ag-c-first', 'ag-c-last', 'ag-c-email', 'ag-c-phone'])
				document.getElementById(id).value = '';
		} catch (e) {
			if (e.field && ['first_name', 'last_name', 'email', 'phone'].includes(e.field))
				return fieldError(newForm, e.field, agendaError(e));
			return status(newForm, agendaError(e), 'error');
		}
	}
	const body = bookingBody();
	try {
		if (body.repeat && body.repeat.count > 1)
			await bookRecurring(body);
		else
			booked(await api('POST', '/appointments', body));
	} catch (e) {
		const field = { 'repeat.every_weeks': 'repeat.every_weeks', 'repeat.count': 'repeat.count' }[e.field] ||
			(['service', 'staff', 'start', 'client', 'notes'].includes(e.field) ? e.field : null);
		fieldError(newForm, field, agendaError(e));
	}
}

/* ---- an appointment's dialog ---- */

let current = null;
const STATUS_SET = { cancelled: 'agenda.status_set.cancelled', no_show: 'agenda.status_set.no_show',
	done: 'agenda.status_set.done' };

function openEvent(a) {
	current = a;
	clearErrors(evForm);
	document.getElementById('ag-event-h2').textContent = clientName(a);
	const facts = [
		[t('agenda.service'), services.get(a.service)?.name || ''],
		[t('agenda.staff'), staffById.get(a.staff)?.name || ''],
		[t('agenda.when'), whenText(a.start) + ' – ' + inZone(new Date(a.end), { hour: '2-digit', minute: '2-digit' }, tz)],
		[t('agenda.status'), word('agenda.status.', a.status)],
		[t('agenda.source'), word('agenda.source.', a.source)],
	];
	if (a.notes)
		facts.push([t('agenda.notes'), a.notes]);
	if (a.recurrence_id)
		facts.push([t('agenda.series'), t('agenda.series_yes')]);
	document.getElementById('ag-event-facts').replaceChildren(...facts.flatMap(([k, v]) =>
		[el('dt', {}, k), el('dd', {}, v)]));
	for (const b of evForm.querySelectorAll('[data-status]')) {
		b.hidden = !canWrite || a.status === 'cancelled' || a.status === b.dataset.status;
		delete b.dataset.confirm;
		b.textContent = t(b.dataset.i18n);
	}
	evDialog.showModal();
}

function onEventClick(info) {
	const a = appts.get(info.event.id);
	if (a)
		openEvent(a);
}

async function setStatus(button) {
	const want = button.dataset.status;
	if (want === 'cancelled' && !button.dataset.confirm) {
		button.dataset.confirm = '1';
		button.textContent = t('agenda.cancel_confirm');
		status(evForm, t('agenda.cancel_confirm_hint'), 'info');
		return;
	}
	try {
		const r = await api('PATCH', `/appointments/${encodeURIComponent(current.id)}`,
			{ status: want, version: current.version });
		upsert(r.appointment);
		render();
		evDialog.close();
		announce(t(STATUS_SET[want], { who: clientName(r.appointment) }), 'success');
	} catch (e) {
		status(evForm, agendaError(e), 'error');
		if (e.code === 'stale_version')
			loadRange(range.from, range.to).catch(() => {});
	}
}

/* ---- wiring ---- */

function wire() {
	document.getElementById('ag-client-q').addEventListener('input', () => {
		clearTimeout(searchTimer);
		searchTimer = setTimeout(searchClients, 250);
	});
	document.getElementById('ag-client-new-toggle').addEventListener('click', () =>
		showNewClient(document.getElementById('ag-client-new').hidden));
	document.getElementById('ag-service').addEventListener('change', () => fillStaffSelect());
	document.getElementById('ag-date').addEventListener('change', updateWhen);
	document.getElementById('ag-time').addEventListener('change', updateWhen);
	document.getElementById('ag-repeat').addEventListener('change', (ev) => {
		document.getElementById('ag-repeat-box').hidden = !ev.target.checked;
		document.getElementById('ag-partial').hidden = true;
	});
	newForm.addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy(newForm, submitNew);
	});
	document.getElementById('ag-partial-go').addEventListener('click', () => {
		if (!pendingPartial)
			return;
		const body = { ...pendingPartial, accept_partial: true };
		busy(newForm, async () => {
			try {
				booked(await api('POST', '/appointments', body));
			} catch (e) {
				status(newForm, agendaError(e), 'error');
			}
		});
	});
	for (const d of [newDialog, evDialog])
		for (const b of d.querySelectorAll('[data-close]'))
			b.addEventListener('click', () => d.close());
	for (const b of evForm.querySelectorAll('[data-status]'))
		b.addEventListener('click', () => setStatus(b));
	document.getElementById('ag-unplaced-close').addEventListener('click', () => {
		document.getElementById('ag-unplaced').hidden = true;
	});
	document.addEventListener('langchange', () => {
		if (!ec)
			return;
		ec.setOption('locale', intlLocale());
		ec.setOption('buttonText', buttonText);
		drawHelp();
		drawZone();
		render();
	});
}

function drawHelp() {
	const help = document.getElementById('ag-help');
	if (!canWrite)
		help.textContent = t('agenda.read_only');
	else
		help.textContent = t('agenda.help') + ([...services.values()].some((s) => s.resizable) ? ' ' + t('agenda.help_resize') : '');
}

function drawZone() {
	document.getElementById('ag-zone').textContent = t('agenda.zone', { zone: tz });
}

async function main() {
	me = await startSession();
	tz = me.account?.time_zone || 'Europe/Paris';
	canWrite = !!me.may?.write && !readOnlyReason(me);
	const [sv, st] = await Promise.all([api('GET', '/services'), api('GET', '/staff')]);
	for (const s of sv.services || [])
		services.set(s.id, s);
	staffList = (st.staff || []).filter((s) => s.active !== false);
	for (const s of st.staff || [])
		staffById.set(s.id, s);
	for (const s of staffList)
		shown.add(s.id);
	statusEl.textContent = '';
	document.getElementById('ag').hidden = false;
	drawHelp();
	drawZone();
	drawFilter();
	wire();
	const q = new URLSearchParams(location.search);
	const view = VIEWS.includes(q.get('view')) ? q.get('view') : DAY_VIEW;
	const date = /^\d{4}-\d{2}-\d{2}$/.test(q.get('date') || '') ? q.get('date') : todayIn(tz);
	const calEl = document.getElementById('ag-cal');
	new MutationObserver(() => plainGrid(calEl)).observe(calEl, { childList: true, subtree: true });
	ec = EventCalendar.create(calEl, calendarOptions(view, date));
	plainGrid(calEl);
	setInterval(poll, POLL_MS);
	document.documentElement.lang = lang();
}

main().catch((e) => {
	statusEl.textContent = agendaError(e);
	statusEl.className = 'form-status error';
});
