// The data screen (exports and calendar feeds): client exports (format, separator, which
// clients, which columns), appointment exports (dates, staff, ICS or CSV), the staff calendar
// links (created, shown once, revoked) and the full archive (asked for, then downloaded for 7
// days). Exports work in every account state, so nothing here carries data-write. The imports
// section (<section id="imports">) is drawn by import.js.
import { api } from '../../common/api.js';
import { busy, clearErrors, showError, status } from '../../common/form.js';
import { dateTime } from '../../common/format.js';
import { apply, t } from '../../common/i18n.js';
import { start } from '../session.js';

const $ = (id) => document.getElementById(id);
/* [API column, its label] */
const COLUMNS = [['id', 'data.col_id'], ['first_name', 'data.col_first_name'], ['last_name', 'data.col_last_name'],
	['email', 'data.col_email'], ['phone', 'data.col_phone'], ['notes', 'data.col_notes'],
	['consent_email', 'data.col_consent_email'], ['consent_sms', 'data.col_consent_sms'],
	['no_shows', 'data.col_no_shows'], ['last_seen', 'data.col_last_seen'], ['created_at', 'data.col_created_at']];
const ARCHIVE_STATES = { pending: 'data.archive_pending', ready: 'data.archive_ready', failed: 'data.archive_failed',
	expired: 'data.archive_expired' };
let me = null;

function el(tag, text, cls) {
	const e = document.createElement(tag);
	if (text !== undefined && text !== null)
		e.textContent = text;
	if (cls)
		e.className = cls;
	return e;
}

function isoDay(d) {
	return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

/* GETs an export and hands it to the browser as a download; API errors go next to the fields. */
async function download(form, path) {
	const res = await fetch(path, { credentials: 'same-origin' });
	if (!res.ok) {
		const body = await res.json().catch(() => ({}));
		const err = new Error(body?.error?.message || res.statusText);
		err.status = res.status;
		err.code = body?.error?.code;
		err.field = body?.error?.field;
		throw err;
	}
	const blob = await res.blob();
	const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || 'export';
	const a = el('a');
	a.href = URL.createObjectURL(blob);
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(a.href), 10000);
	status(form, t('data.downloaded', { name }), 'success');
}

function drawColumns() {
	const box = $('c-columns');
	box.replaceChildren();
	for (const [c, label] of COLUMNS) {
		const id = 'col-' + c;
		const wrap = el('div', null, 'check');
		const input = el('input');
		input.type = 'checkbox';
		input.id = id;
		input.name = 'columns';
		input.value = c;
		input.checked = true;
		const l = el('label', t(label));
		l.htmlFor = id;
		wrap.append(input, l);
		box.append(wrap);
	}
}

function clientsPath(form) {
	const q = new URLSearchParams();
	const f = form.elements;
	q.set('separator', f.separator.value);
	q.set('filter', f.filter.value);
	if (f.filter.value === 'seen') {
		q.set('from', f.from.value);
		q.set('to', f.to.value);
	}
	const cols = [...form.querySelectorAll('input[name=columns]:checked')].map((i) => i.value);
	if (cols.length !== COLUMNS.length)
		q.set('columns', cols.join(','));
	return `/api/v1/exports/clients.${f.format.value}?${q}`;
}

async function drawFeeds() {
	const { feeds } = await api('GET', '/feeds');
	const list = $('feed-list');
	list.replaceChildren();
	$('feed-none').hidden = feeds.length > 0;
	for (const f of feeds) {
		const li = el('li');
		li.append(el('span', t('data.feed_of', { name: f.staff.name, date: dateTime(f.created_at, me.account.time_zone) })));
		const b = el('button', t('data.feed_revoke'), 'secondary');
		b.type = 'button';
		b.setAttribute('aria-label', t('data.feed_revoke_of', { name: f.staff.name }));
		b.addEventListener('click', async () => {
			await api('DELETE', '/feeds/' + f.id);
			$('feed-new').hidden = true;
			status($('feeds-form'), t('data.feed_revoked', { name: f.staff.name }), 'success');
			await drawFeeds();
		});
		li.append(' ', b);
		list.append(li);
	}
}

async function drawArchives() {
	const { archives } = await api('GET', '/exports/archive');
	const list = $('archive-list');
	list.replaceChildren();
	for (const a of archives) {
		const li = el('li');
		li.append(el('span', t(ARCHIVE_STATES[a.state] || 'data.archive_failed', { date: dateTime(a.created_at, me.account.time_zone) })));
		if (a.download_url) {
			const link = el('a', t('data.archive_download'));
			link.href = a.download_url;
			li.append(' ', link);
		}
		list.append(li);
	}
	if (archives.some((a) => a.state === 'pending'))
		setTimeout(drawArchives, 2000);
}

async function main() {
	me = await start();
	const owner = me.user?.role === 'owner';
	for (const s of document.querySelectorAll('[data-owner]'))
		s.hidden = !owner;
	drawColumns();
	const today = new Date();
	$('a-from').value = isoDay(today);
	$('a-to').value = isoDay(new Date(today.getTime() + 30 * 86400000));
	$('c-filter').addEventListener('change', () => { $('c-range').hidden = $('c-filter').value !== 'seen'; });

	$('clients-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const form = ev.currentTarget;
		clearErrors(form);
		busy(form, () => download(form, clientsPath(form)).catch((err) => showError(form, err)));
	});
	$('appts-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const form = ev.currentTarget;
		clearErrors(form);
		const f = form.elements;
		const q = new URLSearchParams({ from: f.from.value, to: f.to.value });
		if (f.staff.value)
			q.set('staff', f.staff.value);
		busy(form, () => download(form, `/api/v1/exports/appointments.${f.format.value}?${q}`)
			.catch((err) => showError(form, err)));
	});

	if (!owner)
		return;
	const { staff } = await api('GET', '/staff');
	for (const sel of [$('a-staff'), $('f-staff')])
		for (const s of staff) {
			const o = el('option', s.name);
			o.value = s.id;
			sel.append(o);
		}
	$('feeds-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const form = ev.currentTarget;
		clearErrors(form);
		busy(form, async () => {
			try {
				const { feed } = await api('POST', '/feeds', { staff: form.elements.staff.value });
				$('feed-url').value = location.origin + feed.url;
				$('feed-new').hidden = false;
				status(form, t('data.feed_created'), 'success');
				await drawFeeds();
			} catch (err) {
				showError(form, err);
			}
		});
	});
	$('archive-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const form = ev.currentTarget;
		clearErrors(form);
		busy(form, async () => {
			try {
				await api('POST', '/exports/archive', {});
				status(form, t('data.archive_asked'), 'success');
				await drawArchives();
			} catch (err) {
				showError(form, err);
			}
		});
	});
	await Promise.all([drawFeeds(), drawArchives()]);
	apply(document);
}

main();
