// The invitation page: a new staff member picks a name and a password
// (POST /api/v1/invitations/accept), then lands in the back office.
import { api } from '../common/api.js';
import { busy, clearErrors, requireFilled, showError, value } from '../common/form.js';
import { init } from '../common/i18n.js';

init();
const form = document.getElementById('invite-form');
const token = new URLSearchParams(location.search).get('token');
if (!token) {
	document.getElementById('invite-missing').hidden = false;
	form.hidden = true;
}

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['name', 'password']))
		return;
	busy(form, async () => {
		try {
			await api('POST', '/invitations/accept', { token, name: value(form, 'name'), password: value(form, 'password') });
			location.assign('/office/');
		} catch (e) {
			showError(form, e);
		}
	});
});
