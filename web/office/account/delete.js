// delete — the account deletion at the bottom of the profile page (owners): a dialog asks
// the password again and the word to type (GET /api/v1/account/deletion says which), sends
// POST /api/v1/account/deletion, then leaves for /office/account/deleted.html (the session
// ends with the answer: log-ins stop at once).
import { api, setCsrf } from '../../common/api.js';
import { busy, clearErrors, errorText, fieldError, requireFilled, showError, value } from '../../common/form.js';
import { t } from '../../common/i18n.js';

const $ = (id) => document.getElementById(id);
const dialog = $('delete-dialog');
const form = $('delete-form');
let word = 'SUPPRIMER'; // replaced by the API's word when the dialog opens
let opener = null;

function label() {
	$('del-confirmation-label').textContent = t('del.confirmation', { word });
}

$('delete-open').addEventListener('click', async (ev) => {
	opener = ev.currentTarget;
	form.reset();
	clearErrors(form);
	$('del-username').value = $('me-email')?.textContent || '';
	try {
		const d = (await api('GET', '/account/deletion')).deletion;
		if (d?.confirmation)
			word = d.confirmation;
	} catch {
		/* the POST will say what is wrong */
	}
	label();
	dialog.showModal();
	$('del-password').focus();
});

$('delete-close').addEventListener('click', () => dialog.close());
dialog.addEventListener('close', () => opener?.focus());
document.addEventListener('langchange', label);
label();

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['password', 'confirmation']))
		return;
	busy(form, async () => {
		try {
			await api('POST', '/account/deletion', {
				password: value(form, 'password'),
				confirmation: value(form, 'confirmation'),
			});
			setCsrf(null);
			location.assign('/office/account/deleted.html');
		} catch (e) {
			if (e.code === 'wrong_confirmation')
				fieldError(form, 'confirmation', t('del.err_confirmation', { word }));
			else if (e.code === 'wrong_password')
				fieldError(form, 'password', t('del.err_password'));
			else if (e.field)
				showError(form, e);
			else
				fieldError(form, null, errorText(e));
		}
	});
});
