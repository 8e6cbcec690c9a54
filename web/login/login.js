// The log-in page: POST /api/v1/session, then the back office.
import { api } from '../common/api.js';
import { busy, clearErrors, fieldError, requireFilled, showError, value } from '../common/form.js';
import { init, t } from '../common/i18n.js';

init();
const form = document.getElementById('login-form');

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['email', 'password']))
		return;
	busy(form, async () => {
		try {
			await api('POST', '/session', { email: value(form, 'email'), password: value(form, 'password') });
			location.assign('/office/');
		} catch (e) {
			if (e.status === 401) {
				fieldError(form, 'password', t('err.bad_credentials'));
				form.elements.namedItem('password').value = '';
			} else {
				showError(form, e);
			}
		}
	});
});
