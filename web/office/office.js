// The dashboard: the business, its plan and state, the end of the trial.
import { errorText } from '../common/form.js';
import { dateTime } from '../common/format.js';
import { t } from '../common/i18n.js';
import { start } from './session.js';

const statusEl = document.getElementById('office-status');
let data = null;

const PLAN_NAMES = { essentiel: 'Essentiel', pro: 'Pro', optimum: 'Optimum' };

function render() {
	if (!data)
		return;
	const { user = {}, account = {} } = data;
	document.getElementById('business-name').textContent = account.name || '';
	document.getElementById('plan-name').textContent =
		account.plan_name || PLAN_NAMES[account.plan] || account.plan || '';
	const stateKey = 'state.' + account.state;
	const stateText = t(stateKey);
	document.getElementById('account-state').textContent = stateText === stateKey ? account.state : stateText;
	const inTrial = account.state === 'trial' && account.trial_ends_at;
	document.getElementById('trial-box').hidden = !inTrial;
	document.getElementById('trial-note').hidden = !inTrial;
	if (inTrial) {
		const when = dateTime(account.trial_ends_at, account.time_zone);
		const time = document.getElementById('trial-end');
		time.textContent = when;
		time.dateTime = typeof account.trial_ends_at === 'number'
			? new Date(account.trial_ends_at * 1000).toISOString() : account.trial_ends_at;
		document.getElementById('trial-note').textContent = t('office.trial_note', { date: when });
	}
	document.getElementById('demo-note').hidden = !account.has_demo;
	document.getElementById('signed-in').textContent = t('office.signed_in_as', { email: user.email || '' });
	document.title = (account.name ? account.name + ' — ' : '') + t('office.title');
}

document.addEventListener('langchange', render);

try {
	data = await start();
	statusEl.textContent = '';
	document.getElementById('office').hidden = false;
	render();
} catch (e) {
	statusEl.textContent = errorText(e);
	statusEl.className = 'form-status error';
}
