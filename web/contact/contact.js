// contact — the public contact form: creates a lead for the operators and acknowledges on
// screen only (nothing is ever mailed to the typed address). The hidden "website" field is
// a honeypot that people never see; the server accepts it silently and keeps nothing.
import { api } from '../common/api.js';
import { busy, clearErrors, requireFilled, showError, value } from '../common/form.js';
import { init, lang } from '../common/i18n.js';

init();
const form = document.getElementById('contact-form');
form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['name', 'email', 'message']))
		return;
	const body = {};
	for (const k of ['name', 'email', 'company', 'phone', 'message', 'website'])
		body[k] = value(form, k);
	body.locale = lang();
	await busy(form, async () => {
		try {
			await api('POST', '/contact', body);
		} catch (err) {
			showError(form, err);
			return;
		}
		form.hidden = true;
		const done = document.getElementById('contact-done');
		done.hidden = false;
		done.focus();
	});
});
