// manage — the link in a client's e-mails (/m/{token}): see the appointment, move it to
// another free slot of the same service, or cancel it, while the business's cut-off allows.
// A wrong, expired or cancelled link gets a clear page and never another appointment.
import { init, t } from '../common/i18n.js';
import { byId, call, dateIn, dayOf, el, errorText, fromPath, roving, timeOf, whenOf } from '../book/booking.js';

const M = { token: '', data: null, pub: null, days: new Map(), pick: null };

function tz() {
	return M.data.business.time_zone;
}

function api(method, suffix = '', body) {
	return call(method, `/manage/${encodeURIComponent(M.token)}${suffix}`, body);
}

function problem(titleKey, textKey, vars) {
	byId('m-status').textContent = '';
	byId('m-view').hidden = true;
	byId('m-problem').hidden = false;
	byId('m-problem-title').textContent = t(titleKey);
	byId('m-problem-text').textContent = t(textKey, vars);
}

function problemFor(err) {
	if (err.status === 404)
		problem('manage.wrong_title', 'manage.wrong_text');
	else if (err.status === 410)
		problem('manage.expired_title', 'manage.expired_text');
	else
		problem('manage.error_title', 'book.err_generic');
}

function render() {
	const { appointment: a, business: b } = M.data;
	byId('m-business').textContent = b.name;
	byId('m-business').removeAttribute('data-i18n');
	document.title = t('manage.page_title', { name: b.name });
	const cancelled = a.status === 'cancelled';
	byId('m-state').textContent = cancelled ? t('manage.state_cancelled') : t('manage.state_booked');
	byId('m-state').className = cancelled ? 'notice error' : 'notice success';
	const rows = [
		['book.sum_service', a.service && a.service.name],
		['book.sum_when', whenOf(a.start, tz())],
		['book.sum_duration', a.service && t('book.minutes', { n: a.service.duration_min })],
		['book.sum_staff', a.staff && a.staff.name],
		['book.sum_address', b.address],
		['book.sum_phone', b.phone],
	];
	const dl = byId('m-summary');
	dl.replaceChildren();
	for (const [k, v] of rows)
		if (v)
			dl.append(el('dt', { text: t(k) }), el('dd', { text: v }));
	const until = byId('m-until');
	if (M.data.can_change)
		until.textContent = t('manage.until', { when: whenOf(M.data.change_until, tz()) });
	else {
		const why = M.data.reason || 'past_cutoff';
		const key = 'manage.reason_' + why;
		until.textContent = t(key) + (b.phone ? ' ' + t('book.call', { phone: b.phone }) : '');
	}
	byId('m-move').hidden = !M.data.can_change;
	byId('m-cancel').hidden = !M.data.can_change;
	byId('m-ics').hidden = cancelled;
	byId('m-ics').href = `/api/v1/manage/${encodeURIComponent(M.token)}/ics`;
	if (!M.data.can_change) {
		byId('m-reschedule').hidden = true;
		byId('m-cancel-box').hidden = true;
	}
	byId('m-view').hidden = false;
}

async function load() {
	M.data = await api('GET');
	render();
}

/* The public ids of the service and staff member: from the answer, else by name on the public page. */
async function ids() {
	const a = M.data.appointment;
	let service = a.service && a.service.id;
	let staff = a.staff && a.staff.id;
	if (!service || !staff) {
		if (!M.pub)
			M.pub = await call('GET', `/public/${encodeURIComponent(M.data.business.slug)}`);
		const s = (M.pub.services || []).find((x) => x.name === (a.service && a.service.name));
		const p = (M.pub.staff || []).find((x) => x.name === (a.staff && a.staff.name));
		service = service || (s && s.id);
		staff = staff || (p && p.id) || 'any';
	}
	return { service, staff };
}

async function openMove() {
	byId('m-cancel-box').hidden = true;
	byId('m-reschedule').hidden = false;
	byId('m-result').textContent = '';
	const status = byId('m-move-status');
	status.textContent = t('common.loading');
	M.pick = null;
	byId('m-move-confirm').disabled = true;
	try {
		const { service, staff } = await ids();
		if (!service)
			throw new Error('service');
		M.service = service;
		M.staff = staff;
		const from = dateIn(new Date(), tz());
		const to = dateIn(new Date(Date.now() + 30 * 86400000), tz());
		const q = new URLSearchParams({ service, staff, from, to });
		const data = await call('GET', `/public/${encodeURIComponent(M.data.business.slug)}/availability?${q}`);
		const current = M.data.appointment.start;
		M.days = new Map((data.days || []).map((d) => [d.date, (d.slots || []).filter((s) => Date.parse(s.start) !== Date.parse(current))])
			.filter(([, s]) => s.length));
		const sel = byId('m-day');
		sel.replaceChildren(...[...M.days].map(([date, slots]) =>
			el('option', { value: date, text: `${dayOf(slots[0].start, tz())} (${t('manage.free', { n: slots.length })})` })));
		status.textContent = M.days.size ? '' : t('manage.no_slots');
		renderTimes();
		sel.focus();
	} catch (err) {
		status.textContent = err.status ? errorText(err) : t('book.err_generic');
	}
}

function renderTimes() {
	const slots = M.days.get(byId('m-day').value) || [];
	byId('m-times').replaceChildren(...slots.map((s) => {
		const b = el('button', { type: 'button', text: timeOf(s.start, tz()), 'aria-label': whenOf(s.start, tz()),
			'aria-pressed': String(!!M.pick && M.pick.start === s.start) });
		b.addEventListener('click', () => {
			M.pick = s;
			for (const x of byId('m-times').querySelectorAll('button'))
				x.setAttribute('aria-pressed', String(x === b));
			byId('m-move-confirm').disabled = false;
			byId('m-move-status').textContent = t('manage.picked', { when: whenOf(s.start, tz()) });
		});
		return b;
	}));
	roving(byId('m-times'));
}

async function confirmMove() {
	if (!M.pick)
		return;
	const body = { start: M.pick.start };
	const staff = M.staff && M.staff !== 'any' ? M.staff : M.pick.staff && M.pick.staff[0];
	if (staff)
		body.staff = staff;
	const result = byId('m-result');
	byId('m-move-confirm').disabled = true;
	try {
		await api('PATCH', '', body);
		await load();
		byId('m-reschedule').hidden = true;
		result.className = 'status notice success';
		result.textContent = t('manage.moved', { when: whenOf(M.data.appointment.start, tz()) });
	} catch (err) {
		result.className = 'status notice error';
		result.textContent = errorText(err);
		if (err.code === 'slot_taken')
			openMove();
		else
			await load().catch(() => {});
	}
}

async function confirmCancel() {
	const result = byId('m-result');
	try {
		await api('DELETE');
		await load();
		result.className = 'status notice success';
		result.textContent = t('manage.cancelled');
	} catch (err) {
		result.className = 'status notice error';
		result.textContent = errorText(err);
		await load().catch(() => {});
	}
	byId('m-cancel-box').hidden = true;
}

async function start() {
	init();
	M.token = fromPath('/m/', 'token');
	document.addEventListener('langchange', () => M.data && render());
	byId('m-move').addEventListener('click', openMove);
	byId('m-day').addEventListener('change', () => {
		M.pick = null;
		byId('m-move-confirm').disabled = true;
		renderTimes();
	});
	byId('m-move-confirm').addEventListener('click', confirmMove);
	byId('m-cancel').addEventListener('click', () => {
		byId('m-reschedule').hidden = true;
		byId('m-cancel-box').hidden = false;
		byId('m-cancel-confirm').focus();
	});
	byId('m-cancel-keep').addEventListener('click', () => {
		byId('m-cancel-box').hidden = true;
		byId('m-cancel').focus();
	});
	byId('m-cancel-confirm').addEventListener('click', confirmCancel);
	if (!M.token) {
		problem('manage.wrong_title', 'manage.wrong_text');
		return;
	}
	try {
		await load();
		byId('m-status').textContent = '';
	} catch (err) {
		problemFor(err);
	}
}

start();
