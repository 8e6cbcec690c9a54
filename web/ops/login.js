// The operator's log-in: e-mail, password and the TOTP code, POST /api/v1/ops/session.
import { api } from '../common/api.js';
import { busy, clearErrors, fieldError, requireFilled, showError, value } from '../common/form.js';
import { init, t } from '../common/i18n.js';

init();
const form = document.getElementById('ops-login');

/* already logged in: straight to the accounts */
api('GET', '/ops/me').then(() => location.assign('/ops/accounts/'), () => {});

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['email', 'password', 'totp']))
		return;
	const totp = value(form, 'totp').replace(/\s+/g, '');
	if (!/^[0-9]{6}$/.test(totp)) {
		fieldError(form, 'totp', t('ops.err_totp_format'));
		return;
	}
	busy(form, async () => {
		try {
			await api('POST', '/ops/session', { email: value(form, 'email'), password: value(form, 'password'), totp });
			location.assign('/ops/accounts/');
		} catch (e) {
			if (e.status === 401) {
				fieldError(form, 'totp', t('ops.err_login'));
				form.elements.namedItem('password').value = '';
				form.elements.namedItem('totp').value = '';
			} else {
				showError(form, e);
			}
		}
	});
});
