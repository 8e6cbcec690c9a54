// ops/leads — prospects who wrote through the contact form: read, answer by e-mail (through
// the outbox, in French or English), close.
import { api } from '../../common/api.js';
import { busy, clearErrors, showError, value } from '../../common/form.js';
import { init, t } from '../../common/i18n.js';
import { requireOperator } from '../ops.js';

init();

function el(tag, attrs = {}, text) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs))
		e.setAttribute(k, v);
	if (text !== undefined)
		e.textContent = text;
	return e;
}

function card(lead) {
	const li = el('li', { class: 'card', 'data-lead': lead.id });
	li.append(el('h2', { class: 'h3' }, `${lead.name} — ${lead.company || '—'}`),
		el('p', { class: 'muted' }, t('opsleads.meta', { email: lead.email, phone: lead.phone || '—',
			status: t(`opsleads.status_${lead.status}`), replies: lead.replies })),
		el('p', { class: 'prose' }, lead.message));
	const f = el('form', { novalidate: '' });
	const id = 'reply-' + lead.id;
	const d = el('div', { class: 'field' });
	d.append(el('label', { for: id }, t('opsleads.reply')), el('textarea', { id, name: 'message', rows: '4', maxlength: '10000' }));
	const lid = 'loc-' + lead.id;
	const l = el('div', { class: 'field' });
	const sel = el('select', { id: lid, name: 'locale' });
	sel.append(el('option', { value: 'fr' }, 'Français'), el('option', { value: 'en' }, 'English'));
	l.append(el('label', { for: lid }, t('opsleads.locale')), sel);
	f.append(d, l, el('div', { class: 'form-status', 'data-form-status': '', role: 'alert' }));
	const acts = el('div', { class: 'form-actions' });
	const close = el('button', { type: 'button', class: 'secondary' }, t('opsleads.close'));
	acts.append(el('button', { type: 'submit', class: 'primary' }, t('opsleads.send')), close);
	f.append(acts);
	f.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(f);
		await busy(f, async () => {
			try {
				await api('POST', `/ops/leads/${lead.id}/replies`, { message: value(f, 'message'), locale: value(f, 'locale') });
				await load();
				document.getElementById('ops-status').textContent = t('opsleads.sent');
			} catch (err) {
				showError(f, err);
			}
		});
	});
	close.addEventListener('click', async () => {
		await api('PATCH', `/ops/leads/${lead.id}`, { status: 'closed' });
		await load();
	});
	li.append(f);
	return li;
}

async function load() {
	const data = await api('GET', '/ops/leads');
	document.getElementById('leads').replaceChildren(...data.leads.map(card));
	document.getElementById('ops-status').textContent = data.leads.length ? '' : t('opsleads.none');
}

if (await requireOperator())
	await load();
