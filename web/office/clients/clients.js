// The clients screen: a searchable list (accents ignored by the API, 25 a page with
// « Clients suivants »), a client's card (contact, consents, notes, no-shows, upcoming and past
// appointments, the messages sent to them, the e-mail suppression notice), create and edit
// (the API's field errors next to the fields), merge a duplicate, erase (asked in a dialog).
// Editing controls carry data-write: session.js disables them in a read-only account.
import { api } from '../../common/api.js';
import { busy, clearErrors, errorText, showError, status } from '../../common/form.js';
import { dateTime } from '../../common/format.js';
import { apply, t } from '../../common/i18n.js';
import { start } from '../session.js';

const PAGE = 25;
const $ = (id) => document.getElementById(id);
let me = null;
let cursor = null;
let current = null; /* the client shown on the card */
let editing = null; /* null: a new client; else its id */

function el(tag, text, cls) {
	const e = document.createElement(tag);
	if (text !== undefined && text !== null)
		e.textContent = text;
	if (cls)
		e.className = cls;
	return e;
}

function fullName(c) {
	return [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || c.phone || '—';
}

const STATUS = { booked: 'clients.status_booked', cancelled: 'clients.status_cancelled',
	no_show: 'clients.status_no_show', done: 'clients.status_done' };
const MESSAGE = { queued: 'clients.msg_queued', sent: 'clients.msg_sent', failed: 'clients.msg_failed',
	suppressed: 'clients.msg_suppressed', delivered: 'clients.msg_delivered' };
const when = (iso) => dateTime(iso, me?.account?.time_zone);

/* ---- list ---- */

async function loadList(more) {
	const q = $('q').value.trim();
	const params = new URLSearchParams({ limit: String(PAGE) });
	if (q)
		params.set('q', q);
	if (more && cursor)
		params.set('cursor', cursor);
	const data = await api('GET', '/clients?' + params);
	const list = $('client-list');
	if (!more)
		list.replaceChildren();
	for (const c of data.clients) {
		const li = el('li');
		const b = el('button', fullName(c), 'link');
		b.type = 'button';
		b.dataset.client = c.id;
		b.addEventListener('click', () => openCard(c.id));
		const contact = el('span', [c.email, c.phone].filter(Boolean).join(' · '), 'muted');
		li.append(b, contact);
		list.append(li);
	}
	cursor = data.next_cursor;
	$('more').hidden = !cursor;
	$('list-empty').hidden = list.children.length > 0;
}

/* ---- card ---- */

function appointmentItem(a) {
	const li = el('li');
	li.append(el('span', when(a.starts_at)), el('span', [a.service, a.staff].filter(Boolean).join(' · ')),
		el('span', STATUS[a.status] ? t(STATUS[a.status]) : a.status, 'muted'));
	return li;
}

async function openCard(id) {
	const [{ client: c }, log] = await Promise.all([
		api('GET', '/clients/' + encodeURIComponent(id)),
		api('GET', '/notifications/log?limit=50&client=' + encodeURIComponent(id)).catch(() => ({ messages: [] })),
	]);
	current = c;
	$('edit').hidden = true;
	$('card').hidden = false;
	$('card-name').textContent = fullName(c);
	$('card-erased').hidden = !c.anonymised_at;
	$('card-email').textContent = c.email || '—';
	$('card-phone').textContent = c.phone || '—';
	const consents = [];
	if (c.consent_email)
		consents.push(t('clients.consent_email_short'));
	if (c.consent_sms)
		consents.push(t('clients.consent_sms_short'));
	$('card-consents').textContent = consents.join(', ') || t('clients.consent_none');
	$('card-no-shows').textContent = String(c.no_show_count ?? 0);
	$('card-notes').textContent = c.notes || t('clients.no_notes');
	const sup = $('card-suppressed');
	sup.hidden = !c.email_suppressed;
	if (c.email_suppressed)
		sup.textContent = t('clients.suppressed', { date: when(c.email_suppressed.since), reason: c.email_suppressed.reason });
	$('card-export').href = '/api/v1/clients/' + encodeURIComponent(c.id) + '/export';
	$('card-erase').hidden = me.user?.role !== 'owner' || !!c.anonymised_at;
	$('card-merge').hidden = me.user?.role !== 'owner' || !!c.anonymised_at;
	$('card-edit').hidden = !!c.anonymised_at;
	fillList($('card-upcoming'), c.upcoming, appointmentItem, 'clients.no_upcoming');
	fillList($('card-past'), c.past, appointmentItem, 'clients.no_past');
	fillList($('card-messages'), log.messages, (m) => {
		const li = el('li');
		li.append(el('span', when(m.created_at)), el('span', (m.channel === 'sms' ? 'SMS' : t('clients.email')) + ' · ' + m.recipient),
			el('span', MESSAGE[m.status] ? t(MESSAGE[m.status]) : m.status, 'muted'));
		return li;
	}, 'clients.no_messages');
	status_('');
	$('card-name').focus();
}

function fillList(ul, items, make, emptyKey) {
	ul.replaceChildren();
	for (const x of items || [])
		ul.append(make(x));
	if (!ul.children.length)
		ul.append(el('li', t(emptyKey), 'muted'));
}

function status_(text, kind = 'success') {
	const s = $('card-status');
	s.textContent = text;
	s.className = 'form-status' + (text ? ' ' + kind : '');
}

/* ---- create, edit ---- */

function openEdit(c) {
	editing = c ? c.id : null;
	const f = $('edit-form');
	clearErrors(f);
	f.first_name.value = c?.first_name || '';
	f.last_name.value = c?.last_name || '';
	f.email.value = c?.email || '';
	f.phone.value = c?.phone || '';
	f.notes.value = c?.notes || '';
	f.consent_email.checked = c ? !!c.consent_email : true;
	f.consent_sms.checked = c ? !!c.consent_sms : false;
	$('edit-h2').textContent = t(c ? 'clients.edit_h2' : 'clients.new_h2');
	$('card').hidden = true;
	$('edit').hidden = false;
	f.first_name.focus();
}

async function saveEdit(ev) {
	ev.preventDefault();
	const f = $('edit-form');
	clearErrors(f);
	const body = {
		first_name: f.first_name.value.trim(), last_name: f.last_name.value.trim(), email: f.email.value.trim(),
		phone: f.phone.value.trim(), notes: f.notes.value, consent_email: f.consent_email.checked,
		consent_sms: f.consent_sms.checked,
	};
	await busy(f, async () => {
		try {
			const data = editing
				? await api('PATCH', '/clients/' + encodeURIComponent(editing), body)
				: await api('POST', '/clients', body);
			await loadList(false);
			await openCard(data.client.id);
			status_(t('clients.saved'));
		} catch (err) {
			showError(f, err); /* what was typed stays in the fields */
		}
	});
}

/* ---- merge ---- */

async function mergeSearch() {
	const q = $('merge-q').value.trim();
	const data = await api('GET', '/clients?limit=20' + (q ? '&q=' + encodeURIComponent(q) : ''));
	const box = $('merge-choices');
	box.replaceChildren();
	for (const c of data.clients) {
		if (c.id === current.id)
			continue;
		const row = el('div', null, 'check');
		const input = document.createElement('input');
		input.type = 'radio';
		input.name = 'merge_pick';
		input.id = 'merge-' + c.id;
		input.value = c.id;
		const label = el('label', fullName(c) + ([c.email, c.phone].some(Boolean) ? ' — ' + [c.email, c.phone].filter(Boolean).join(' · ') : ''));
		label.htmlFor = input.id;
		row.append(input, label);
		box.append(row);
	}
	if (!box.children.length)
		box.append(el('p', t('clients.none'), 'muted'));
}

async function openMerge() {
	const f = $('merge-form');
	clearErrors(f);
	$('merge-lead').textContent = t('clients.merge_lead', { name: fullName(current) });
	$('merge-q').value = current.last_name || current.first_name || '';
	await mergeSearch();
	$('merge-dialog').showModal();
}

async function doMerge(ev) {
	ev.preventDefault();
	const f = $('merge-form');
	clearErrors(f);
	const picked = f.querySelector('input[name="merge_pick"]:checked');
	if (!picked) {
		status(f, t('clients.merge_none'), 'error');
		return;
	}
	await busy(f, async () => {
		try {
			const data = await api('POST', '/clients/' + encodeURIComponent(current.id) + '/merge', { from: picked.value });
			$('merge-dialog').close();
			await loadList(false);
			await openCard(data.client.id);
			status_(t('clients.merged', { n: data.appointments_moved }));
		} catch (err) {
			showError(f, err);
		}
	});
}

/* ---- erase ---- */

async function doErase(ev) {
	ev.preventDefault();
	const f = $('erase-form');
	clearErrors(f);
	await busy(f, async () => {
		try {
			await api('DELETE', '/clients/' + encodeURIComponent(current.id));
			$('erase-dialog').close();
			$('card').hidden = true;
			await loadList(false);
			const s = $('clients-status');
			s.textContent = t('clients.erased_done');
		} catch (err) {
			showError(f, err);
		}
	});
}

/* ---- wiring ---- */

function guard(fn) {
	return (...args) => fn(...args).catch((err) => {
		const s = $('clients-status');
		s.textContent = errorText(err);
		s.className = 'form-status error';
	});
}

$('search-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	guard(loadList)(false);
});
$('more').addEventListener('click', guard(() => loadList(true)));
$('new-client').addEventListener('click', () => openEdit(null));
$('card-edit').addEventListener('click', () => openEdit(current));
$('edit-cancel').addEventListener('click', () => {
	$('edit').hidden = true;
	if (current)
		$('card').hidden = false;
});
$('edit-form').addEventListener('submit', saveEdit);
$('card-merge').addEventListener('click', guard(openMerge));
$('merge-q').addEventListener('input', guard(mergeSearch));
$('merge-form').addEventListener('submit', doMerge);
$('merge-cancel').addEventListener('click', () => $('merge-dialog').close());
$('card-erase').addEventListener('click', () => {
	clearErrors($('erase-form'));
	$('erase-dialog').showModal();
});
$('erase-form').addEventListener('submit', doErase);
$('erase-cancel').addEventListener('click', () => $('erase-dialog').close());
document.addEventListener('langchange', () => {
	apply(document);
	if (current && !$('card').hidden)
		guard(openCard)(current.id);
});

try {
	me = await start();
	await loadList(false);
	$('clients-status').textContent = '';
	$('clients').hidden = false;
} catch (err) {
	$('clients-status').textContent = errorText(err);
	$('clients-status').className = 'form-status error';
}
