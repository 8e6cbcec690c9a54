// delete — the account deletion at the bottom of the profile page (owners): a dialog asks
// the password again and a typed confirmation, sends POST /api/v1/account/deletion, then
// leaves for /office/account/deleted.html (the session is over: log-ins stop at once).
import { api, setCsrf } from '../../common/api.js';
import { busy, clearErrors, fieldError, requireFilled, showError, value } from '../../common/form.js';
import { t } from '../../common/i18n.js';

const $ = (id) => document.getElementById(id);
const dialog = $('delete-dialog');
const form = $('delete-form');
let opener = null;

/* The word to type, in the page's language (the API accepts the French and the English one). */
function word() {
	return t('del.word');
}

function close() {
	dialog.close();
}

$('delete-open').addEventListener('click', (ev) => {
	opener = ev.currentTarget;
	form.reset();
	clearErrors(form);
	const email = $('me-email')?.textContent || '';
	$('del-username').value = email;
	dialog.showModal();
	$('del-password').focus();
});

$('delete-close').addEventListener('click', close);
dialog.addEventListener('close', () => opener?.focus());

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['password', 'confirmation']))
		return;
	if (value(form, 'confirmation').toLocaleUpperCase() !== word().toLocaleUpperCase()) {
		fieldError(form, 'confirmation', t('del.err_confirmation', { word: word() }));
		return;
	}
	busy(form, async () => {
		try {
			await api('POST', '/account/deletion', {
				password: value(form, 'password'),
				confirmation: value(form, 'confirmation'),
			});
			setCsrf(null);
			location.assign('/office/account/deleted.html');
		} catch (e) {
			if (e.code === 'wrong_password' || e.code === 'invalid_credentials' || (e.status === 401 && e.field === 'password'))
				fieldError(form, 'password', t('del.err_password'));
			else
				showError(form, e);
		}
	});
});
