// The operators' ticket queue (GET /api/v1/ops/tickets: the tickets owing a reply first, by
// deadline, with each account's plan and state) and one ticket (?ticket=ID): the thread with
// internal notes, reply or note, state, assignment, and for an owner's deletion request its
// execution (POST /api/v1/ops/tickets/{id}/deletion, after a confirmation); and (?new=1,
// optionally &account=ID) a ticket opened on a customer's behalf (POST /api/v1/ops/tickets:
// the customer sees it in their support area and gets the acknowledgement by e-mail).
// Deadlines at 75 % and past 100 % carry a badge with words, never a colour alone.
import { api } from '../../common/api.js';
import { el, word } from '../../common/dom.js';
import { busy, clearErrors, requireFilled, showError, status, value } from '../../common/form.js';
import { dateTime } from '../../common/format.js';
import { init, t } from '../../common/i18n.js';
import { planName, requireOperator, stateText } from '../ops.js';

init();
const ZONE = 'Europe/Paris';
const statusEl = document.getElementById('ops-status');
const answerForm = document.getElementById('answer-form');
const manageForm = document.getElementById('manage-form');
const newForm = document.getElementById('new-form');
let current = null;
let queue = null;

/* The SLA badge of a ticket: past its deadline (breached, kept once a deadline was missed)
 * or at 75 % of the current one; null when neither. */
function slaBadge(tk) {
	if (tk.breached)
		return el('span', { className: 'sla-badge sla-breached' }, t('opst.breached'));
	if (tk.warned)
		return el('span', { className: 'sla-badge sla-warned' }, t('opst.warned'));
	return null;
}

function drawQueue() {
	const body = document.querySelector('#queue tbody');
	body.replaceChildren();
	for (const tk of queue.tickets) {
		const due = tk.reply_due_at ? dateTime(tk.reply_due_at, ZONE) : '—';
		const badge = slaBadge(tk);
		const cls = tk.breached ? 'breached' : tk.warned ? 'warned' : '';
		body.append(el('tr', { className: cls },
			el('td', {}, ...(badge ? [due, ' ', badge] : [due])),
			el('td', {}, el('a', { href: '?ticket=' + encodeURIComponent(tk.id) }, tk.subject)),
			el('td', {}, tk.account.name),
			el('td', {}, planName(tk.account.plan)),
			el('td', {}, stateText(tk.account.state)),
			el('td', {}, word('support.state_', tk.state)),
			el('td', {}, tk.assignee ? tk.assignee.name : '—')));
	}
	document.getElementById('queue-empty').hidden = queue.tickets.length > 0;
}

function drawTicket(data) {
	current = data;
	const tk = data.ticket;
	document.getElementById('h1').textContent = tk.subject;
	document.title = `${tk.subject} — ${t('opst.title')}`;
	const facts = [tk.account.name, planName(tk.account.plan), stateText(tk.account.state),
		word('support.cat_', tk.category), word('support.state_', tk.state),
		`${tk.requester.name} <${tk.requester.email}>`];
	if (tk.reply_due_at)
		facts.push(t('support.due', { when: dateTime(tk.reply_due_at, ZONE) }));
	if (tk.opened_by_operator)
		facts.push(t('opst.opened_by_operator'));
	const factsEl = document.getElementById('t-facts');
	factsEl.textContent = facts.join(' · ');
	const badge = slaBadge(tk);
	if (badge)
		factsEl.append(' ', badge);
	const ol = document.getElementById('thread');
	ol.replaceChildren();
	for (const m of data.messages) {
		const who = m.internal ? t('opst.note_by', { name: m.author_name }) : m.author_name;
		ol.append(el('li', { className: 'card message-' + (m.internal ? 'internal' : m.author) },
			el('p', { className: 'muted' }, `${who} — ${dateTime(m.created_at, ZONE)}`),
			el('p', { className: 'message-body' }, m.body)));
	}
	const ul = document.getElementById('attachments');
	ul.replaceChildren();
	for (const a of data.attachments)
		ul.append(el('li', {}, el('a', { href: a.url.replace('/api/v1/tickets/', '/api/v1/ops/tickets/') }, a.name)));
	document.getElementById('execute-deletion').hidden = tk.category !== 'deletion_request' || tk.state === 'solved' ||
		tk.state === 'closed' || tk.account.state === 'deleting';
}

answerForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(answerForm);
	if (!requireFilled(answerForm, ['message']))
		return;
	busy(answerForm, async () => {
		try {
			drawTicket(await api('POST', `/ops/tickets/${encodeURIComponent(current.ticket.id)}/messages`,
				{ message: value(answerForm, 'message'), internal: answerForm.elements.namedItem('internal').checked }));
			answerForm.reset();
			status(answerForm, t('opst.sent'), 'success');
		} catch (e) {
			showError(answerForm, e);
		}
	});
});

function patch(body) {
	clearErrors(manageForm);
	return busy(manageForm, async () => {
		try {
			drawTicket(await api('PATCH', '/ops/tickets/' + encodeURIComponent(current.ticket.id), body));
			status(manageForm, t('common.saved'), 'success');
		} catch (e) {
			showError(manageForm, e);
		}
	});
}

manageForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	patch({ state: value(manageForm, 'state') });
});
document.getElementById('assign-me').addEventListener('click', () => patch({ assignee: 'me' }));
document.getElementById('execute-deletion').addEventListener('click', () => {
	if (!window.confirm(t('opst.confirm_deletion', { name: current.ticket.account.name })))
		return;
	busy(manageForm, async () => {
		try {
			drawTicket(await api('POST', `/ops/tickets/${encodeURIComponent(current.ticket.id)}/deletion`, {}));
			status(manageForm, t('opst.deletion_done'), 'success');
		} catch (e) {
			showError(manageForm, e);
		}
	});
});

/* The accounts the on-behalf form offers, by name: those matching the search box (one page of
 * 200), or without a search every account (at most 10 pages of 200). */
async function loadAccounts(chosen) {
	const select = document.getElementById('new-account');
	const q = document.getElementById('new-account-q').value.trim();
	const all = [];
	let cursor = null;
	for (let i = 0; i < (q ? 1 : 10); i++) {
		const page = await api('GET', '/ops/accounts?limit=200' + (q ? '&q=' + encodeURIComponent(q) : '') +
			(cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
		all.push(...page.accounts);
		cursor = page.next_cursor;
		if (!cursor)
			break;
	}
	all.sort((a, b) => (a.name || a.slug).localeCompare(b.name || b.slug));
	select.replaceChildren(el('option', { value: '' }, t(q && !all.length ? 'opst.new_none_found' : 'opst.new_choose')),
		...all.filter((a) => a.state !== 'deleting' && a.state !== 'deleted').map((a) =>
			el('option', { value: a.id }, `${a.name || a.slug} — ${planName(a.plan)} — ${a.slug}`)));
	if (chosen && all.some((a) => a.id === chosen))
		select.value = chosen;
}

/* the list follows the search box, a quarter of a second after the last key */
let searchTimer = null;
document.getElementById('new-account-q').addEventListener('input', () => {
	clearTimeout(searchTimer);
	searchTimer = setTimeout(() => {
		const select = document.getElementById('new-account');
		loadAccounts(select.value).catch((e) => showError(newForm, e));
	}, 250);
});

newForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(newForm);
	if (!requireFilled(newForm, ['account', 'subject', 'message']))
		return;
	busy(newForm, async () => {
		const body = { account: value(newForm, 'account'), category: value(newForm, 'category'),
			subject: value(newForm, 'subject'), message: value(newForm, 'message') };
		if (value(newForm, 'requester'))
			body.requester = value(newForm, 'requester');
		try {
			const r = await api('POST', '/ops/tickets', body);
			location.assign('?ticket=' + encodeURIComponent(r.ticket.id) + '&opened=1');
		} catch (e) {
			showError(newForm, e);
		}
	});
});

async function main() {
	if (!(await requireOperator()))
		return;
	const params = new URLSearchParams(location.search);
	const id = params.get('ticket');
	try {
		if (id) {
			document.getElementById('ticket-view').hidden = false;
			drawTicket(await api('GET', '/ops/tickets/' + encodeURIComponent(id)));
			if (params.get('opened')) {
				statusEl.textContent = t('opst.new_done');
				return;
			}
		} else if (params.get('new')) {
			document.getElementById('new-view').hidden = false;
			await loadAccounts(params.get('account'));
		} else {
			document.getElementById('queue-view').hidden = false;
			queue = await api('GET', '/ops/tickets?limit=200');
			drawQueue();
		}
		statusEl.textContent = '';
		statusEl.hidden = true;
	} catch (e) {
		statusEl.textContent = e.status === 404 ? t('support.not_found') : e.message;
	}
}

document.addEventListener('langchange', () => {
	if (current)
		drawTicket(current);
	else if (queue)
		drawQueue();
});
main();
