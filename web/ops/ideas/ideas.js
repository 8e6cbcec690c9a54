// ops/ideas — reviewing improvement requests: publish, decline with a reason, merge into
// another (by its id), or move to planned / started / completed with a response to customers.
import { api } from '../../common/api.js';
import { busy, clearErrors, showError, value } from '../../common/form.js';
import { init, t } from '../../common/i18n.js';
import { requireOperator } from '../ops.js';

init();
const filter = document.getElementById('filter');

function el(tag, attrs = {}, text) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs))
		e.setAttribute(k, v);
	if (text !== undefined)
		e.textContent = text;
	return e;
}

const ACTIONS = ['publish', 'planned', 'started', 'completed', 'declined', 'merge'];

function field(id, label, control) {
	const d = el('div', { class: 'field' });
	control.id = id;
	d.append(el('label', { for: id }, label), control);
	return d;
}

function card(idea) {
	const li = el('li', { class: 'card idea', 'data-idea': idea.id });
	li.append(el('h2', { class: 'h3' }, idea.title),
		el('p', { class: 'muted' }, t('opsideas.meta', { status: t(`ideas.status_${idea.status}`), votes: idea.votes,
			account: idea.account.name || '—', id: idea.id })),
		el('p', {}, idea.body));
	if (idea.response)
		li.append(el('p', { class: 'notice' }, idea.response));
	const f = el('form', { novalidate: '' });
	const sel = el('select', { name: 'action' });
	for (const a of ACTIONS)
		sel.append(el('option', { value: a }, t(`opsideas.action_${a}`)));
	f.append(field('a-' + idea.id, t('opsideas.action'), sel),
		field('r-' + idea.id, t('opsideas.response'), el('textarea', { name: 'response', rows: '2', maxlength: '2000' })),
		field('m-' + idea.id, t('opsideas.into'), el('input', { name: 'into', maxlength: '30' })),
		el('div', { class: 'form-status', 'data-form-status': '', role: 'alert' }));
	const go = el('div', { class: 'form-actions' });
	go.append(el('button', { type: 'submit', class: 'primary' }, t('opsideas.apply')));
	f.append(go);
	f.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(f);
		const action = value(f, 'action');
		const response = value(f, 'response');
		let path = `/ops/ideas/${idea.id}/`, body = {};
		if (response)
			body.response = response;
		if (action === 'publish' || action === 'merge')
			path += action;
		else if (action === 'declined')
			path += 'decline';
		else {
			path += 'status';
			body.status = action;
		}
		if (action === 'merge')
			body.into = value(f, 'into');
		await busy(f, async () => {
			try {
				await api('POST', path, body);
				await load();
				document.getElementById('ops-status').textContent = t('opsideas.done');
			} catch (err) {
				showError(f, err);
			}
		});
	});
	li.append(f);
	return li;
}

async function load() {
	const data = await api('GET', '/ops/ideas?sort=new&status=' + encodeURIComponent(value(filter, 'status')));
	const ul = document.getElementById('ideas');
	ul.replaceChildren(...data.ideas.map(card));
	document.getElementById('ops-status').textContent = data.ideas.length ? '' : t('ideas.none');
}

filter.addEventListener('submit', (ev) => {
	ev.preventDefault();
	load();
});
if (await requireOperator())
	await load();
