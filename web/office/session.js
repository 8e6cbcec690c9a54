// session — what every back-office page does first: GET /api/v1/me (to /login/ when not
// logged in), the menu (nav.js) with its log-out button, the user's own language when the
// visitor did not choose one on this device, and the read-only mode: when the account may not
// write (frozen, read_only), <body data-readonly="frozen|cancelled|unpaid">, a banner at the
// top of <main> saying why and what to do, and every [data-write] control disabled — also the
// ones a screen adds later. Screens mark their editing controls with data-write, nothing more.
import { logout, me } from '../common/api.js';
import { apply, chosen, init, lang, setLang } from '../common/i18n.js';
import { drawNav } from './nav.js';

/* Resolves to the /me answer ({user, account, csrf_token}); never resolves when leaving. */
export async function start() {
	init();
	const data = await me();
	if (!data) {
		location.assign('/login/');
		return new Promise(() => {});
	}
	drawNav(data.user?.role);
	for (const b of document.querySelectorAll('[data-logout]'))
		b.addEventListener('click', logout);
	const wanted = data.user?.locale || data.account?.locale;
	if (!chosen() && (wanted === 'fr' || wanted === 'en') && wanted !== lang())
		setLang(wanted, false);
	readOnlyMode(data);
	return data;
}

/* Why the account cannot write: 'frozen', 'cancelled', 'unpaid', or '' when it can. */
export function readOnlyReason(data) {
	const a = data?.account || {};
	if (data?.may?.write !== false && a.state !== 'frozen' && a.state !== 'read_only')
		return '';
	if (a.state === 'frozen')
		return 'frozen';
	return a.state_reason === 'unpaid' ? 'unpaid' : 'cancelled';
}

/* Disables a [data-write] control (links lose their href, kept in data-href). */
function lock(c) {
	if (c.tagName === 'A') {
		if (c.hasAttribute('href'))
			c.dataset.href = c.getAttribute('href');
		c.removeAttribute('href');
		c.setAttribute('aria-disabled', 'true');
		c.classList.add('link-disabled');
	} else {
		c.disabled = true;
	}
}

function readOnlyMode(data) {
	const reason = readOnlyReason(data);
	if (!reason)
		return;
	document.body.dataset.readonly = reason;
	const owner = data.user?.role === 'owner';
	const banner = document.createElement('div');
	banner.className = 'readonly-banner';
	banner.setAttribute('role', 'region');
	banner.setAttribute('aria-labelledby', 'readonly-title');
	const title = document.createElement('p');
	title.id = 'readonly-title';
	title.className = 'readonly-title';
	title.dataset.i18n = { frozen: 'office.ro_frozen', unpaid: 'office.ro_unpaid', cancelled: 'office.ro_cancelled' }[reason];
	const what = document.createElement('p');
	what.dataset.i18n = 'office.ro_still';
	banner.append(title, what);
	if (owner) {
		const link = document.createElement('a');
		link.className = 'button';
		link.href = '/office/account/';
		link.dataset.i18n = reason === 'unpaid' ? 'office.ro_pay' : 'office.ro_subscribe';
		banner.append(link);
	} else {
		const ask = document.createElement('p');
		ask.dataset.i18n = 'office.ro_ask_owner';
		banner.append(ask);
	}
	const main = document.querySelector('main') || document.body;
	main.prepend(banner);
	apply(banner);
	for (const c of document.querySelectorAll('[data-write]'))
		lock(c);
	new MutationObserver((records) => {
		for (const r of records)
			for (const n of r.addedNodes) {
				if (n.nodeType !== 1)
					continue;
				if (n.matches('[data-write]'))
					lock(n);
				for (const c of n.querySelectorAll('[data-write]'))
					lock(c);
			}
	}).observe(document.body, { childList: true, subtree: true });
}
