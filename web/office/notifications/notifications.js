// notifications — the owner's notification screens: settings (reminder offsets and channels,
// notices to the owner and staff, SMS sender and accent-free option), the reminder texts
// (e-mail and SMS, French and English, with the variables and, for SMS, the coding and the
// worst-case number of SMS measured as one types), and the log of messages sent.
// GET/PUT /api/v1/notifications/settings, POST /api/v1/notifications/sms-preview,
// GET /api/v1/notifications/log.
import { api } from '../../common/api.js';
import { el, word } from '../../common/dom.js';
import { busy, clearErrors, errorText, fieldError, showError, status } from '../../common/form.js';
import { inZone } from '../../common/format.js';
import { has, t } from '../../common/i18n.js';
import { start } from '../session.js';

const $ = (id) => document.getElementById(id);
const MAX_REMINDERS = 4;
const MIN_MINUTES = 15;
const MAX_MINUTES = 14 * 1440;
const UNITS = [['days', 1440], ['hours', 60], ['minutes', 1]];
const LOG_LIMIT = 25;

let me = null;
let settings = null; // as last loaded or saved
let texts = [];	     // [{channel, locale, subject, body, edited, encoding, segments}]
let variables = [];  // [{name, ...}]
let reminders = [];  // what the rows show: [{minutes, email, sms}]

/* ---- settings ---- */

function toRow(r) {
	const ch = Array.isArray(r.channels) ? r.channels : [];
	return { minutes: r.minutes, email: ch.includes('email'), sms: ch.includes('sms') };
}

/* The unit a delay reads best in: days from 2 days on, else hours, else minutes. */
function unitOf(minutes) {
	if (minutes >= 2880 && minutes % 1440 === 0)
		return ['days', minutes / 1440];
	if (minutes % 60 === 0)
		return ['hours', minutes / 60];
	return ['minutes', minutes];
}

/* Reads the rows back into `reminders` (keeps what was typed across re-renders). */
function readRows() {
	reminders = [...$('reminders').children].map((li, i) => {
		const n = Number(li.querySelector('input[type="number"]').value);
		const unit = li.querySelector('select').value;
		const per = UNITS.find(([u]) => u === unit)[1];
		return {
			minutes: Number.isFinite(n) ? Math.round(n * per) : NaN,
			raw: li.querySelector('input[type="number"]').value,
			unit,
			email: li.querySelector('[data-ch="email"]').checked,
			sms: li.querySelector('[data-ch="sms"]').checked,
		};
	});
}

function renderRows() {
	const list = $('reminders');
	list.replaceChildren(...reminders.map((r, i) => {
		const [unit, amount] = r.unit ? [r.unit, r.raw] : unitOf(r.minutes);
		const id = `rem-${i}`;
		const num = el('input', { type: 'number', id: id + '-n', name: `reminders[${i}].minutes`, min: '1',
			step: '1', required: true, value: String(amount ?? ''), inputMode: 'numeric' });
		const sel = el('select', { id: id + '-u', 'aria-label': t('notif.unit_label') },
			...UNITS.map(([u]) => el('option', { value: u, selected: u === unit }, word('notif.unit_', u))));
		const channel = (c) => el('div', { className: 'check' },
			el('input', { type: 'checkbox', id: `${id}-${c}`, name: `reminders[${i}].channels`, checked: r[c],
				dataset: { ch: c } }),
			el('label', { for: `${id}-${c}` }, word('notif.channel_', c)));
		const remove = el('button', { type: 'button', className: 'link remove', disabled: reminders.length <= 1,
			'aria-label': t('notif.reminder_remove_n', { n: i + 1 }) }, t('notif.reminder_remove'));
		remove.addEventListener('click', () => {
			readRows();
			reminders.splice(i, 1);
			renderRows();
			$('reminder-add').focus();
		});
		return el('li', { className: 'nt-reminder' },
			el('div', { className: 'nt-offset' },
				el('label', { for: num.id }, t('notif.reminder_n', { n: i + 1 })), num, sel,
				el('span', {}, t('notif.before'))),
			el('fieldset', {}, el('legend', { className: 'visually-hidden' },
				t('notif.reminder_channels', { n: i + 1 })), channel('email'), channel('sms')),
			remove);
	}));
	$('reminder-add').disabled = reminders.length >= MAX_REMINDERS || !me.may?.write;
}

function fillSettings() {
	const s = settings;
	reminders = (s.reminders || []).map(toRow);
	renderRows();
	const f = $('settings-form');
	for (const k of ['owner_new_booking', 'owner_changes', 'staff_notices', 'sms_accent_free'])
		f.elements.namedItem(k).checked = !!s[k];
	f.elements.namedItem('sms_sender').value = s.sms_sender || '';
}

$('reminder-add').addEventListener('click', () => {
	readRows();
	if (reminders.length >= MAX_REMINDERS)
		return;
	reminders.push({ minutes: 60, email: true, sms: false });
	renderRows();
	$(`rem-${reminders.length - 1}-n`).focus();
});

$('settings-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const f = $('settings-form');
	clearErrors(f);
	readRows();
	for (const [i, r] of reminders.entries()) {
		if (!Number.isInteger(r.minutes) || r.minutes < MIN_MINUTES || r.minutes > MAX_MINUTES) {
			fieldError(f, `reminders[${i}].minutes`, t('notif.err_offset'));
			return;
		}
		if (!r.email && !r.sms) {
			fieldError(f, `reminders[${i}].minutes`, t('notif.err_no_channel'));
			return;
		}
		if (reminders.findIndex((x) => x.minutes === r.minutes) < i) {
			fieldError(f, `reminders[${i}].minutes`, t('notif.err_duplicate'));
			return;
		}
	}
	const body = {
		reminders: reminders.map((r) => ({ minutes: r.minutes,
			channels: [r.email && 'email', r.sms && 'sms'].filter(Boolean) })),
		owner_new_booking: f.elements.namedItem('owner_new_booking').checked,
		owner_changes: f.elements.namedItem('owner_changes').checked,
		staff_notices: f.elements.namedItem('staff_notices').checked,
		sms_sender: f.elements.namedItem('sms_sender').value.trim(),
		sms_accent_free: f.elements.namedItem('sms_accent_free').checked,
	};
	busy(f, async () => {
		try {
			await save(body);
			fillSettings();
			measureNow();
			status(f, t('common.saved'), 'success');
		} catch (e) {
			// the API names a reminder as reminders[i]: its number field shows the message
			const m = /^reminders\[(\d+)\]/.exec(e.field || '');
			if (m && f.querySelector(`[name="reminders[${m[1]}].minutes"]`))
				fieldError(f, `reminders[${m[1]}].minutes`, errorText(e));
			else
				showError(f, e);
		}
	});
});

/* PUT with the version last seen; answers the new state. */
async function save(body) {
	const res = await api('PUT', '/notifications/settings', { ...body, version: settings.version });
	take(res);
	return res;
}

function take(res) {
	settings = res.settings || settings;
	if (Array.isArray(res.texts))
		texts = res.texts;
	if (Array.isArray(res.variables))
		variables = res.variables;
}

/* ---- texts ---- */

function textOf(channel, locale) {
	return texts.find((x) => x.channel === channel && x.locale === locale) || { channel, locale, subject: '', body: '' };
}

function renderVars() {
	$('vars').replaceChildren(...variables.map((v) => {
		const name = typeof v === 'string' ? v : v.name;
		const key = 'notif.var_' + name;
		const about = [has(key) ? t(key) : '', v.example ? t('notif.var_example', { example: v.example }) : '']
			.filter(Boolean).join(' — ');
		return el('li', {}, el('code', {}, `{{${name}}}`), about ? ' ' + about : '');
	}));
}

function fillTexts() {
	const l = $('text-locale').value;
	const mail = textOf('email', l);
	const sms = textOf('sms', l);
	$('email-subject').value = mail.subject || '';
	$('email-body').value = mail.body || '';
	$('sms-body').value = sms.body || '';
	renderVars();
	showMeasure(sms.encoding ? sms : null);
	measureNow();
}

$('text-locale').addEventListener('change', () => {
	clearErrors($('texts-form'));
	fillTexts();
});

$('texts-reset').addEventListener('click', () => {
	const f = $('texts-form');
	clearErrors(f);
	const l = $('text-locale').value;
	busy(f, async () => {
		try {
			await save({ texts: [{ channel: 'email', locale: l, body: null }, { channel: 'sms', locale: l, body: null }] });
			fillTexts();
			status(f, t('notif.texts_reset_done'), 'success');
		} catch (e) {
			showError(f, e);
		}
	});
});

/* The SMS measure: the server's, asked 250 ms after the last key stroke; a newer answer
 * always replaces an older one, an older one never a newer. */
let measureTimer = null;
let measureSeq = 0;

function showMeasure(m, error) {
	const out = $('sms-measure');
	if (error) {
		out.className = 'nt-measure over';
		out.textContent = error;
		return;
	}
	if (!m) {
		out.className = 'nt-measure';
		out.textContent = '';
		return;
	}
	const enc = m.encoding === 'ucs2' ? t('notif.enc_ucs') : t('notif.enc_gsm');
	const n = m.segments;
	const over = n > (m.max_segments || 3);
	out.className = 'nt-measure' + (over ? ' over' : '');
	out.replaceChildren(
		t('notif.measure_enc'), ' ', el('strong', { dataset: { encoding: m.encoding } }, enc), ' · ',
		el('strong', { dataset: { segments: String(n) } }, t(n > 1 ? 'notif.segments_many' : 'notif.segments_one', { n })),
		' ', t('notif.measure_worst'),
		over ? ' — ' + t('notif.too_long') : '');
}

async function measure(seq) {
	const body = $('sms-body').value;
	if (!body.trim()) {
		showMeasure(null);
		return;
	}
	try {
		const m = await api('POST', '/notifications/sms-preview', {
			body,
			sms_accent_free: $('settings-form').elements.namedItem('sms_accent_free').checked,
		});
		if (seq === measureSeq)
			showMeasure(m);
	} catch (e) {
		if (seq === measureSeq)
			showMeasure(null, errorText(e));
	}
}

function measureNow() {
	clearTimeout(measureTimer);
	measure(++measureSeq);
}

$('sms-body').addEventListener('input', () => {
	clearTimeout(measureTimer);
	const seq = ++measureSeq;
	measureTimer = setTimeout(() => measure(seq), 250);
});
$('sms_accent_free').addEventListener('change', measureNow);

$('texts-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const f = $('texts-form');
	clearErrors(f);
	const l = $('text-locale').value;
	const mail = textOf('email', l);
	const sms = textOf('sms', l);
	const subject = $('email-subject').value.trim();
	const mailBody = $('email-body').value.trim();
	const smsBody = $('sms-body').value.trim();
	// only what changed: a shipped text left as it is stays the shipped one
	const list = [];
	if (subject !== (mail.subject || '').trim() || mailBody !== (mail.body || '').trim()) {
		if (mailBody && !subject) {
			fieldError(f, 'email_subject', t('notif.err_subject'));
			return;
		}
		list.push({ channel: 'email', locale: l, subject, body: mailBody || null });
	}
	if (smsBody !== (sms.body || '').trim())
		list.push({ channel: 'sms', locale: l, body: smsBody || null });
	if (!list.length) {
		status(f, t('notif.texts_unchanged'), 'info');
		return;
	}
	const ctlOf = list.map((x) => x.channel === 'sms' ? { body: 'sms_body' } : { body: 'email_body', subject: 'email_subject' });
	busy(f, async () => {
		try {
			await save({ texts: list });
			fillTexts();
			status(f, t('notif.texts_saved'), 'success');
		} catch (e) {
			// the server names the text at fault as texts[i].body etc.: show it on our control
			const m = /^texts\[(\d)\]\.(subject|body)$/.exec(e.field || '');
			const ctl = m && ctlOf[Number(m[1])]?.[m[2]];
			if (ctl) {
				fieldError(f, ctl, errorText(e));
			} else {
				showError(f, e);
			}
		}
	});
});

/* ---- log ---- */

let logCursor = null;	// cursor of the page after the one shown
let logPages = [null];	// cursors of the pages seen, for going back to the first

const STATUSES = ['queued', 'sent', 'delivered', 'failed', 'suppressed'];

function fillStatusFilter() {
	const sel = $('log-status');
	const v = sel.value;
	sel.replaceChildren(el('option', { value: '' }, t('notif.all')),
		...STATUSES.map((s) => el('option', { value: s }, word('notif.st_', s))));
	sel.value = v;
}

let logRows = [];

/* « 26 nov. 2026 à 17:51 » / "26 Nov 2026, 17:51" in the business's zone. */
function shortDateTime(instant, tz) {
	const d = new Date(instant);
	if (Number.isNaN(d.getTime()))
		return String(instant);
	return t('notif.when', {
		date: inZone(d, { dateStyle: 'medium' }, tz),
		time: inZone(d, { timeStyle: 'short' }, tz),
	});
}

/* « Rappel 24 h avant » for reminder_1440, else the kind's name. */
function kindText(kind) {
	const m = /^reminder_(\d+)$/.exec(kind || '');
	if (!m)
		return word('notif.kind_', kind);
	const n = Number(m[1]);
	const [u, v] = unitOf(n);
	const when = u === 'days' ? `${v} ${word('notif.unit_', 'days')}` : u === 'hours' ? `${v} h` : `${v} min`;
	return t('notif.kind_reminder_at', { when });
}

function renderLog() {
	const tz = me.account?.time_zone;
	$('log-rows').replaceChildren(...logRows.map((m) => {
		const when = m.sent_at || m.created_at;
		const stateText = word('notif.st_', m.status);
		const why = m.reason ? word('notif.why_', m.reason) : '';
		return el('tr', { dataset: { kind: m.kind || '', status: m.status || '' } },
			el('td', {}, when ? el('time', { dateTime: String(when) }, shortDateTime(when, tz)) : ''),
			el('td', {}, kindText(m.kind)),
			el('td', {}, m.recipient || ''),
			el('td', {}, word('notif.channel_', m.channel)),
			el('td', {}, el('span', { className: 'st-' + (m.status || '') }, stateText), why ? el('small', {}, why) : null),
			el('td', { className: 'num' }, m.channel === 'sms' && m.segments ? String(m.segments) : ''));
	}));
	$('log-count').textContent = logRows.length ? t('notif.log_shown', { n: logRows.length }) : t('notif.log_empty');
}

async function loadLog(cursor) {
	const f = $('log-filters');
	clearErrors(f);
	const q = new URLSearchParams({ limit: String(LOG_LIMIT) });
	for (const k of ['channel', 'status']) {
		const v = f.elements.namedItem(k).value;
		if (v)
			q.set(k, v);
	}
	if (cursor)
		q.set('cursor', cursor);
	$('log-table').setAttribute('aria-busy', 'true');
	try {
		const res = await api('GET', '/notifications/log?' + q);
		logRows = res.messages || res.log || res.items || [];
		logCursor = res.next_cursor || null;
		renderLog();
	} catch (e) {
		showError(f, e);
	} finally {
		$('log-table').setAttribute('aria-busy', 'false');
		$('log-next').disabled = !logCursor;
		$('log-first').disabled = logPages.length <= 1;
	}
}

$('log-filters').addEventListener('submit', (ev) => {
	ev.preventDefault();
	logPages = [null];
	loadLog(null);
});
$('log-next').addEventListener('click', () => {
	if (!logCursor)
		return;
	logPages.push(logCursor);
	loadLog(logCursor);
});
$('log-first').addEventListener('click', () => {
	logPages = [null];
	loadLog(null);
});

/* ---- the page ---- */

function notes() {
	const a = me.account || {};
	const ro = $('notif-readonly');
	ro.hidden = !!me.may?.write;
	if (!me.may?.write)
		ro.textContent = t(a.state === 'frozen' ? 'err.account_frozen' : 'err.account_read_only');
	const sms = $('notif-sms-note');
	sms.hidden = !!me.may?.sms;
	if (!me.may?.sms)
		sms.textContent = t(a.state === 'trial' ? 'notif.sms_trial' : 'notif.sms_plan');
	for (const b of document.querySelectorAll('#settings-form [type="submit"], #texts-form [type="submit"]'))
		b.disabled = !me.may?.write;
}

document.addEventListener('langchange', () => {
	if (!settings)
		return;
	readRows();
	renderRows();
	renderVars();
	fillStatusFilter();
	renderLog();
	notes();
	measureNow();
});

const statusEl = $('notif-status');
try {
	me = await start();
	if (me.user?.role !== 'owner') {
		statusEl.textContent = t('notif.owner_only');
	} else {
		take(await api('GET', '/notifications/settings'));
		fillSettings();
		fillTexts();
		fillStatusFilter();
		notes();
		statusEl.textContent = '';
		statusEl.hidden = true;
		$('notif').hidden = false;
		await loadLog(null);
	}
} catch (e) {
	statusEl.textContent = errorText(e);
	statusEl.className = 'form-status error';
}
