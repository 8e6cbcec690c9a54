// The accounts list: GET /api/v1/ops/accounts, a page at a time (?cursor=).
import { api } from '../../common/api.js';
import { dateTime } from '../../common/format.js';
import { init, t } from '../../common/i18n.js';
import { planName, requireOperator, stateText, status } from '../ops.js';

init();
const body = document.querySelector('#accounts tbody');
const more = document.getElementById('more');
let rows = [];
let cursor = null;

function render() {
	body.replaceChildren(...rows.map((a) => {
		const tr = document.createElement('tr');
		const name = document.createElement('td');
		const link = document.createElement('a');
		link.href = '/ops/account/?id=' + encodeURIComponent(a.id);
		link.textContent = a.name || t('ops.no_name');
		name.append(link);
		const cells = [a.slug, planName(a.plan), stateText(a.state), dateTime(a.created_at, 'Europe/Paris')];
		tr.append(name, ...cells.map((text) => {
			const td = document.createElement('td');
			td.textContent = text;
			return td;
		}));
		return tr;
	}));
	document.getElementById('accounts-wrap').hidden = rows.length === 0;
	more.hidden = !cursor;
	status(rows.length ? '' : t('ops.accounts_none'));
}

async function load() {
	const q = cursor ? '?cursor=' + encodeURIComponent(cursor) : '';
	try {
		const data = await api('GET', '/ops/accounts' + q);
		rows = rows.concat(data.accounts);
		cursor = data.next_cursor || null;
		render();
	} catch (e) {
		status(t('ops.load_failed'));
	}
}

more.addEventListener('click', load);
document.addEventListener('langchange', render);
if (await requireOperator())
	await load();
