// ops — what every page of the operator console shares: the operator's session (GET
// /api/v1/ops/me, else back to the log-in page), the console's one menu (MENU below, drawn
// into each page's empty <nav data-ops-nav>), log-out, and the words for states and plans.
import { api, setCsrf } from '../common/api.js';
import { apply, t } from '../common/i18n.js';

const PLAN_NAMES = { essentiel: 'Essentiel', pro: 'Pro', optimum: 'Optimum' };

/* [path, i18n key] of the console's screens, in menu order: a screen is added here only. */
const MENU = [
	['/ops/accounts/', 'ops.nav_accounts'],
	['/ops/leads/', 'ops.nav_leads'],
	['/ops/ideas/', 'ops.nav_ideas'],
	['/ops/tickets/', 'ops.nav_tickets'],
	['/ops/sla/', 'ops.nav_sla'],
	['/ops/payments/', 'ops.nav_payments'],
];

function drawNav() {
	const here = location.pathname.replace(/[^/]*$/, '');
	for (const nav of document.querySelectorAll('[data-ops-nav]')) {
		nav.replaceChildren();
		for (const [path, key] of MENU) {
			const a = document.createElement('a');
			a.href = path;
			a.dataset.i18n = key;
			if (here.startsWith(path))
				a.setAttribute('aria-current', 'page');
			nav.append(a);
		}
		const who = document.createElement('span');
		who.id = 'ops-who';
		who.className = 'muted';
		const out = document.createElement('button');
		out.type = 'button';
		out.className = 'link';
		out.dataset.opsLogout = '';
		out.dataset.i18n = 'common.logout';
		nav.append(who, out);
		apply(nav);
	}
}

/* The logged-in operator, or a trip to /ops/ when there is none. Draws the menu and wires
 * its log-out button. */
export async function requireOperator() {
	let me;
	try {
		me = await api('GET', '/ops/me');
	} catch (e) {
		if (e.status === 401) {
			location.assign('/ops/');
			return null;
		}
		throw e;
	}
	drawNav();
	const who = document.getElementById('ops-who');
	if (who)
		who.textContent = me.operator.name || me.operator.email;
	for (const b of document.querySelectorAll('[data-ops-logout]'))
		b.addEventListener('click', logout);
	return me.operator;
}

async function logout() {
	try {
		await api('DELETE', '/ops/session');
	} catch {
		/* already ended: leave either way */
	}
	setCsrf(null);
	location.assign('/ops/');
}

/* The text of a key made of a group and a value from the API (« ops.kind. » + "invoice"). */
export function word(group, value) {
	return t(group + value);
}

export function planName(code) {
	return PLAN_NAMES[code] || code;
}

/* « Lecture seule — résilié » : the state and, when there is one, its reason. */
export function stateText(state, reason) {
	const s = word('state.', state);
	return reason ? `${s} — ${word('ops.reason.', reason)}` : s;
}

/* Shows text in the page's status line (role=status), or hides it when text is empty. */
export function status(text) {
	const el = document.getElementById('ops-status');
	el.textContent = text || '';
	el.hidden = !text;
}
