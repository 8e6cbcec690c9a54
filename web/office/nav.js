// nav — the back office's one navigation menu. Every office page has an empty
// <nav class="site-nav" data-office-nav> that start() (session.js) fills from this list, so a
// screen is added to the menu here and only here. The current page gets aria-current.
import { apply } from '../common/i18n.js';

/* [path, i18n key, who sees it: 'all' | 'owner'] in menu order. */
const ITEMS = [
	['/office/', 'common.nav_office', 'all'],
	['/office/setup/', 'common.nav_setup', 'owner'],
	['/office/clients/', 'common.nav_clients', 'all'],
	['/office/data/', 'common.nav_data', 'all'],
	['/office/agenda/', 'common.nav_agenda', 'all'],
	['/office/notifications/', 'common.nav_notifications', 'owner'],
	['/office/ideas/', 'common.nav_ideas', 'all'],
	['/office/account/', 'common.nav_account', 'owner'],
	['/office/support/', 'common.nav_support', 'all'],
	['/office/profile/', 'common.nav_profile', 'all'],
];

/* Draws the menu for a user of `role` ("owner" or "staff") into every [data-office-nav]. */
export function drawNav(role) {
	const here = location.pathname.endsWith('/') ? location.pathname : location.pathname.replace(/[^/]*$/, '');
	for (const nav of document.querySelectorAll('[data-office-nav]')) {
		nav.replaceChildren();
		for (const [path, key, who] of ITEMS) {
			if (who === 'owner' && role !== 'owner')
				continue;
			const a = document.createElement('a');
			a.href = path;
			a.dataset.i18n = key;
			if (path === here)
				a.setAttribute('aria-current', 'page');
			nav.append(a);
		}
		const out = document.createElement('button');
		out.type = 'button';
		out.className = 'link';
		out.dataset.logout = '';
		out.dataset.i18n = 'common.logout';
		nav.append(out);
		apply(nav);
	}
}
