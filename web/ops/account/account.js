// One account for the operator: GET /api/v1/ops/accounts/{id} — state and its reason, plan,
// trial end, the next scheduled transition and its instant, credit left, the deletion record
// and the invoices and credit notes.
import { api } from '../../common/api.js';
import { dateTime, money } from '../../common/format.js';
import { init, t } from '../../common/i18n.js';
import { planName, requireOperator, stateText, status, word } from '../ops.js';

init();
const id = new URLSearchParams(location.search).get('id') || '';
let acc = null;

function set(elId, text) {
	document.getElementById(elId).textContent = text;
}

function when(instant) {
	return instant ? dateTime(instant, acc.time_zone) : t('ops.none');
}

function render() {
	if (!acc)
		return;
	document.title = t('ops.account_title_of', { name: acc.name || acc.id });
	set('acc-name', acc.name || t('ops.no_name'));
	set('acc-state', stateText(acc.state, acc.state_reason));
	set('acc-plan', planName(acc.plan));
	document.getElementById('acc-trial-box').hidden = !acc.trial_ends_at;
	if (acc.trial_ends_at)
		set('acc-trial', when(acc.trial_ends_at));
	document.getElementById('acc-subscribed-box').hidden = !acc.subscribed_at;
	if (acc.subscribed_at)
		set('acc-subscribed', when(acc.subscribed_at));
	const next = document.getElementById('acc-next');
	if (acc.next_transition) {
		const n = acc.next_transition;
		next.textContent = word('ops.next.', n.kind);
		const small = document.createElement('small');
		small.textContent = t('ops.next_at', { when: when(n.at), state: word('state.', n.to_state) });
		next.append(small);
	} else {
		next.textContent = t('ops.next_none');
	}
	const credit = acc.credit_left_cents ?? acc.deletion?.credit_left_cents;
	set('acc-credit', credit == null ? t('ops.none') : money(credit) + ' ' + t('ops.ttc'));
	set('acc-slug', acc.slug);
	set('acc-tz', acc.time_zone);
	set('acc-created', when(acc.created_at));

	const d = acc.deletion;
	document.getElementById('deletion').hidden = !d;
	if (d) {
		set('del-requested', when(d.requested_at));
		set('del-origin', word('ops.origin.', d.origin));
		set('del-purged', d.purged_at ? when(d.purged_at) : t('ops.not_yet'));
		set('del-refund', money(d.credit_left_cents) + ' ' + t('ops.ttc'));
	}

	const tbody = document.querySelector('#invoices tbody');
	tbody.replaceChildren(...acc.invoices.map((inv) => {
		const tr = document.createElement('tr');
		const cells = [
			[inv.number || t('ops.draft'), ''],
			[word('ops.kind.', inv.kind), ''],
			[dateTime(inv.issued_at, 'Europe/Paris'), ''],
			[money(inv.total_ht), 'num'],
			[money(inv.total_ttc), 'num'],
			[money(inv.amount_due_ttc), 'num'],
		];
		tr.append(...cells.map(([text, cls]) => {
			const td = document.createElement('td');
			td.textContent = text;
			if (cls)
				td.className = cls;
			return td;
		}));
		return tr;
	}));
	document.getElementById('inv-wrap').hidden = acc.invoices.length === 0;
	document.getElementById('inv-none').hidden = acc.invoices.length !== 0;
	/* the support console's form, this account already chosen */
	document.getElementById('acc-new-ticket').href = '/ops/tickets/?new=1&account=' + encodeURIComponent(acc.id);
	document.getElementById('acc').hidden = false;
	status('');
}

document.addEventListener('langchange', render);
if (await requireOperator()) {
	try {
		acc = (await api('GET', '/ops/accounts/' + encodeURIComponent(id))).account;
		render();
	} catch (e) {
		status(e.status === 404 ? t('ops.account_missing') : t('ops.load_failed'));
	}
}
