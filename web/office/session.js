// session — what every back-office page does first: GET /api/v1/me (to /login/ when not
// logged in), the menu (nav.js) with its log-out button, and the user's own language when the
// visitor did not choose one on this device.
import { logout, me } from '../common/api.js';
import { chosen, init, lang, setLang } from '../common/i18n.js';
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
	return data;
}
