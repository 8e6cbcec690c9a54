// The password-reset page: without ?token= asks for the e-mail (POST /api/v1/password-reset,
// the same answer whatever the address); with it, sets the new password
// (POST /api/v1/password-reset/confirm).
import { api } from '../common/api.js';
import { busy, clearErrors, fieldError, requireFilled, showError, status, value } from '../common/form.js';
import { init, t } from '../common/i18n.js';

init();
const token = new URLSearchParams(location.search).get('token');
const request = document.getElementById('request');
const confirm = document.getElementById('confirm');
const requestForm = document.getElementById('request-form');
const confirmForm = document.getElementById('confirm-form');

if (token) {
	request.hidden = true;
	confirm.hidden = false;
}

requestForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(requestForm);
	if (!requireFilled(requestForm, ['email']))
		return;
	busy(requestForm, async () => {
		try {
			await api('POST', '/password-reset', { email: value(requestForm, 'email') });
			status(requestForm, t('reset.sent'), 'success');
		} catch (e) {
			showError(requestForm, e);
		}
	});
});

confirmForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(confirmForm);
	if (!requireFilled(confirmForm, ['password', 'password_confirm']))
		return;
	if (value(confirmForm, 'password') !== value(confirmForm, 'password_confirm')) {
		fieldError(confirmForm, 'password_confirm', t('err.passwords_differ'));
		return;
	}
	busy(confirmForm, async () => {
		try {
			await api('POST', '/password-reset/confirm', { token, password: value(confirmForm, 'password') });
			confirmForm.reset();
			status(confirmForm, t('reset.done'), 'success');
		} catch (e) {
			showError(confirmForm, e);
		}
	});
});
