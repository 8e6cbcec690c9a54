// The e-mail verification page: POST /api/v1/email/verify with ?token=.
import { api } from '../common/api.js';
import { errorText } from '../common/form.js';
import { init, t } from '../common/i18n.js';

init();
const statusEl = document.getElementById('verify-status');
const next = document.getElementById('verify-next');
const token = new URLSearchParams(location.search).get('token');
let state = token ? 'working' : 'no_token';
let failure = null;

function render() {
	statusEl.classList.toggle('form-status', state === 'error');
	statusEl.classList.toggle('error', state === 'error');
	if (state === 'error')
		statusEl.textContent = errorText(failure);
	else
		statusEl.textContent = t('verify.' + state);
	next.hidden = state !== 'done';
}

document.addEventListener('langchange', render);
render();

if (token) {
	try {
		await api('POST', '/email/verify', { token });
		state = 'done';
	} catch (e) {
		state = 'error';
		failure = e;
	}
	render();
}
