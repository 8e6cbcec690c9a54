// The support screen of the back office: the account's tickets (GET /api/v1/tickets), a new
// request with optional attachments (POST /api/v1/tickets, then each file as the raw body of
// POST /api/v1/tickets/{id}/attachments), the acknowledgement with the committed deadline, and
// one ticket's thread (?ticket=ID) with reply and close. Works in every account state: tickets
// are never read-only, so nothing here carries data-write.
import { api } from '../../common/api.js';
import { el, word } from '../../common/dom.js';
import { busy, clearErrors, fieldError, requireFilled, showError, status, value } from '../../common/form.js';
import { dateTime } from '../../common/format.js';
import { t } from '../../common/i18n.js';
import { start } from '../session.js';

const statusEl = document.getElementById('support-status');
const newForm = document.getElementById('new-form');
const replyForm = document.getElementById('reply-form');
let me = null;
let current = null; // the thread shown

function csrf() {
	return sessionStorage.getItem('creneau.csrf') || '';
}

/* Sends the files one by one as raw bodies; throws the first API error with field "files". */
async function upload(id, input) {
	for (const file of input.files) {
		const res = await fetch(`/api/v1/tickets/${encodeURIComponent(id)}/attachments`, {
			method: 'POST', body: file, credentials: 'same-origin',
			headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrf(),
				'Content-Disposition': `attachment; filename="${file.name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"` },
		});
		if (!res.ok) {
			const data = await res.json().catch(() => ({}));
			const err = new Error(data.error?.message || 'upload');
			Object.assign(err, { status: res.status, code: data.error?.code, field: input.name, fileName: file.name });
			throw err;
		}
	}
}

function zone() {
	return me?.account?.time_zone;
}

async function showList() {
	document.getElementById('list-view').hidden = false;
	if (me.user?.role !== 'owner')
		for (const o of newForm.querySelectorAll('[data-owner-only]'))
			o.remove();
	const data = await api('GET', '/tickets?limit=100');
	const ul = document.getElementById('tickets');
	ul.replaceChildren();
	for (const tk of data.tickets) {
		const due = tk.reply_due_at ? ' — ' + t('support.due', { when: dateTime(tk.reply_due_at, zone()) }) : '';
		ul.append(el('li', {}, el('a', { href: '?ticket=' + encodeURIComponent(tk.id) }, tk.subject), ' ',
			el('span', { className: 'muted' }, `${word('support.cat_', tk.category)} · ${word('support.state_', tk.state)}${due}`)));
	}
	document.getElementById('none').hidden = data.tickets.length > 0;
}

newForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(newForm);
	if (!requireFilled(newForm, ['subject', 'message']))
		return;
	busy(newForm, async () => {
		let created;
		try {
			created = await api('POST', '/tickets', { category: value(newForm, 'category'),
				subject: value(newForm, 'subject'), message: value(newForm, 'message') });
		} catch (e) {
			showError(newForm, e);
			return;
		}
		const ack = document.getElementById('ack');
		document.getElementById('ack-text').textContent = t('support.ack', { when: created.acknowledgement.deadline_text,
			hours: created.acknowledgement.target_hours });
		ack.hidden = false;
		try {
			await upload(created.ticket.id, newForm.elements.namedItem('files'));
		} catch (e) {
			fieldError(newForm, 'files', t('support.file_refused', { name: e.fileName, reason: e.message }));
			status(newForm, t('support.sent_without_file'), 'error');
			await showList();
			return;
		}
		newForm.reset();
		ack.focus();
		await showList();
	});
});

function drawThread(data) {
	current = data;
	const tk = data.ticket;
	document.title = `${tk.subject} — ${t('support.title')}`;
	document.getElementById('t-subject').textContent = tk.subject;
	const facts = [word('support.cat_', tk.category), word('support.state_', tk.state)];
	if (tk.reply_due_at)
		facts.push(t('support.due', { when: dateTime(tk.reply_due_at, zone()) }));
	document.getElementById('t-facts').textContent = facts.join(' · ');
	const ol = document.getElementById('thread');
	ol.replaceChildren();
	for (const m of data.messages) {
		const who = m.author === 'operator' ? t('support.from_support', { name: m.author_name }) : m.author_name;
		ol.append(el('li', { className: 'card message-' + m.author },
			el('p', { className: 'muted' }, `${who} — ${dateTime(m.created_at, zone())}`),
			el('p', { className: 'message-body' }, m.body)));
	}
	const ul = document.getElementById('attachments');
	ul.replaceChildren();
	for (const a of data.attachments)
		ul.append(el('li', {}, el('a', { href: a.url }, a.name), ` (${Math.ceil(a.size / 1024)} ko)`));
	if (!data.attachments.length)
		ul.append(el('li', { className: 'muted' }, t('support.no_attachments')));
	document.getElementById('reply-card').hidden = tk.state === 'closed';
}

async function showTicket(id) {
	document.getElementById('ticket-view').hidden = false;
	drawThread(await api('GET', '/tickets/' + encodeURIComponent(id)));
}

replyForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(replyForm);
	if (!requireFilled(replyForm, ['message']))
		return;
	busy(replyForm, async () => {
		try {
			const id = current.ticket.id;
			await upload(id, replyForm.elements.namedItem('files'));
			drawThread(await api('POST', `/tickets/${encodeURIComponent(id)}/messages`, { message: value(replyForm, 'message') }));
			replyForm.reset();
			status(replyForm, t('support.reply_sent'), 'success');
		} catch (e) {
			if (e.fileName)
				fieldError(replyForm, 'files', t('support.file_refused', { name: e.fileName, reason: e.message }));
			else
				showError(replyForm, e);
		}
	});
});

document.getElementById('close-ticket').addEventListener('click', () => {
	busy(replyForm, async () => {
		try {
			drawThread(await api('PATCH', '/tickets/' + encodeURIComponent(current.ticket.id), { state: 'closed' }));
		} catch (e) {
			showError(replyForm, e);
		}
	});
});

async function main() {
	me = await start();
	const id = new URLSearchParams(location.search).get('ticket');
	try {
		if (id)
			await showTicket(id);
		else
			await showList();
		statusEl.textContent = '';
		statusEl.hidden = true;
	} catch (e) {
		statusEl.textContent = e.status === 404 ? t('support.not_found') : e.message;
	}
}

window.addEventListener('langchange', () => {
	if (current)
		drawThread(current);
});
main();
