// ideas — improvement requests, customer side: propose one (it goes under review, seen by
// its author only until an operator publishes it), list the community's (most voted or newest,
// with search), vote / withdraw, comment, follow / unfollow.
import { api } from '../../common/api.js';
import { busy, clearErrors, requireFilled, showError, status, value } from '../../common/form.js';
import { has, t } from '../../common/i18n.js';
import { start } from '../session.js';

const S = { mine: [], all: [] };
const form = document.getElementById('idea-form');
const filter = document.getElementById('filter');

function el(tag, attrs = {}, text) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs))
		e.setAttribute(k, v);
	if (text !== undefined)
		e.textContent = text;
	return e;
}

function author(a) {
	return a.first_name || (has('btype.' + a.business_type) ? t('btype.' + a.business_type) : a.business_type);
}

function card(idea, withActions) {
	const li = el('li', { class: 'card idea', 'data-idea': idea.id });
	const h = el('h3', {}, idea.title);
	const meta = el('p', { class: 'muted' },
		t('ideas.meta', { status: t(`ideas.status_${idea.status}`), votes: idea.votes, author: author(idea.author) }));
	li.append(h, meta, el('p', { class: 'prose' }, idea.body));
	if (idea.response)
		li.append(el('p', { class: 'notice' }, t('ideas.response', { text: idea.response })));
	if (!withActions)
		return li;
	const actions = el('p', { class: 'actions' });
	if (idea.voting_open) {
		const b = el('button', { type: 'button', class: idea.voted ? 'secondary' : 'primary', 'data-write': '',
			'aria-pressed': idea.voted ? 'true' : 'false' }, t(idea.voted ? 'ideas.unvote' : 'ideas.vote', { title: idea.title }));
		b.addEventListener('click', () => act(idea, idea.voted ? 'DELETE' : 'POST', '/votes'));
		actions.append(b);
	}
	const f = el('button', { type: 'button', class: 'secondary', 'aria-pressed': idea.subscribed ? 'true' : 'false' },
		t(idea.subscribed ? 'ideas.unfollow' : 'ideas.follow'));
	f.addEventListener('click', () => act(idea, idea.subscribed ? 'DELETE' : 'PUT', '/subscription'));
	actions.append(f);
	li.append(actions);
	const det = el('details');
	det.append(el('summary', {}, t('ideas.comments', { n: idea.comments })));
	det.addEventListener('toggle', () => det.open && comments(idea, det), { once: true });
	li.append(det);
	return li;
}

async function comments(idea, det) {
	const data = await api('GET', `/ideas/${idea.id}/comments`);
	const ul = el('ul', { class: 'comments' });
	for (const c of data.comments)
		ul.append(el('li', {}, `${author(c.author)} : ${c.body}`));
	const cf = el('form', { novalidate: '' });
	const id = 'c-' + idea.id;
	const field = el('div', { class: 'field' });
	field.append(el('label', { for: id }, t('ideas.comment_label')),
		el('textarea', { id, name: 'body', rows: '2', maxlength: '2000' }));
	cf.append(field, el('div', { class: 'form-status', 'data-form-status': '', role: 'alert' }));
	const send = el('div', { class: 'form-actions' });
	send.append(el('button', { type: 'submit', class: 'secondary', 'data-write': '' }, t('ideas.comment_send')));
	cf.append(send);
	cf.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(cf);
		await busy(cf, async () => {
			try {
				await api('POST', `/ideas/${idea.id}/comments`, { body: value(cf, 'body') });
				await load();
			} catch (err) {
				showError(cf, err);
			}
		});
	});
	det.append(ul, cf);
}

async function act(idea, method, suffix) {
	try {
		await api(method, `/ideas/${idea.id}${suffix}`);
	} catch (err) {
		document.getElementById('ideas-status').textContent = err.message || t('err.unknown');
	}
	await load();
	const again = document.querySelector(`#ideas [data-idea="${idea.id}"] button`);
	if (again)
		again.focus();
}

function draw() {
	const mine = document.getElementById('mine');
	mine.replaceChildren(...S.mine.map((i) => card(i, false)));
	if (!S.mine.length)
		mine.append(el('li', { class: 'muted' }, t('ideas.none_mine')));
	const all = document.getElementById('ideas');
	all.replaceChildren(...S.all.map((i) => card(i, true)));
	document.getElementById('ideas-status').textContent = S.all.length ? '' : t('ideas.none');
}

async function load() {
	const q = new URLSearchParams({ sort: value(filter, 'sort') || 'votes' });
	if (value(filter, 'q'))
		q.set('q', value(filter, 'q'));
	const [mine, all] = await Promise.all([api('GET', '/ideas?mine=1&sort=new'), api('GET', '/ideas?' + q)]);
	S.mine = mine.ideas;
	S.all = all.ideas;
	draw();
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['title', 'body']))
		return;
	await busy(form, async () => {
		try {
			await api('POST', '/ideas', { title: value(form, 'title'), body: value(form, 'body') });
		} catch (err) {
			showError(form, err);
			return;
		}
		form.reset();
		await load(); /* the proposal is in the list when the message says it was sent */
		status(form, t('ideas.sent'), 'success');
	});
});
filter.addEventListener('submit', (ev) => {
	ev.preventDefault();
	load();
});

await start();
await load();
document.addEventListener('langchange', draw);
