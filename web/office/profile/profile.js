// The profile page: own name and language (PATCH /api/v1/me), password change
// (POST /api/v1/password) and, for owners, the business profile (GET/PATCH /api/v1/account).
// Account deletion: the owner's link at the bottom opens the dialog of /office/account/delete.js.
import { api } from '../../common/api.js';
import { busy, clearErrors, errorText, fieldError, requireFilled, showError, status, value } from '../../common/form.js';
import { t } from '../../common/i18n.js';
import { fillZones } from '../../common/zones.js';
import { start } from '../session.js';

const statusEl = document.getElementById('profile-status');
const meForm = document.getElementById('me-form');
const pwForm = document.getElementById('password-form');
const bizForm = document.getElementById('business-form');
const BIZ_FIELDS = ['name', 'phone', 'address', 'website', 'time_zone', 'locale'];
let business = null; // the account as last loaded or saved
let user = null;

function fillMe() {
	document.getElementById('me-email').textContent = user.email || '';
	document.getElementById('pw-username').value = user.email || '';
	meForm.elements.namedItem('name').value = user.name || '';
	meForm.elements.namedItem('locale').value = user.locale === 'en' ? 'en' : 'fr';
}

function fillBusiness() {
	for (const f of BIZ_FIELDS) {
		const c = bizForm.elements.namedItem(f);
		if (f === 'time_zone')
			fillZones(c, business.time_zone);
		else
			c.value = business[f] ?? '';
	}
}

/* Only what changed, so a field the server keeps read-only is never sent back. */
function changed(form, fields, before) {
	const out = {};
	for (const f of fields) {
		const v = value(form, f);
		if (v !== (before[f] ?? ''))
			out[f] = v;
	}
	return out;
}

meForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(meForm);
	const body = changed(meForm, ['name', 'locale'], user);
	if (!Object.keys(body).length) {
		status(meForm, t('common.saved'), 'success');
		return;
	}
	busy(meForm, async () => {
		try {
			const res = await api('PATCH', '/me', body);
			user = { ...user, ...body, ...(res.user || {}) };
			status(meForm, t('common.saved'), 'success');
		} catch (e) {
			showError(meForm, e);
		}
	});
});

pwForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(pwForm);
	if (!requireFilled(pwForm, ['current_password', 'new_password', 'new_password_confirm']))
		return;
	if (value(pwForm, 'new_password') !== value(pwForm, 'new_password_confirm')) {
		fieldError(pwForm, 'new_password_confirm', t('err.passwords_differ'));
		return;
	}
	busy(pwForm, async () => {
		try {
			await api('POST', '/password', {
				current_password: value(pwForm, 'current_password'),
				new_password: value(pwForm, 'new_password'),
			});
			pwForm.reset();
			document.getElementById('pw-username').value = user.email || '';
			status(pwForm, t('profile.password_done'), 'success');
		} catch (e) {
			if (e.status === 401 || e.code === 'wrong_password' || e.code === 'bad_credentials')
				fieldError(pwForm, 'current_password', t('err.wrong_password'));
			else
				showError(pwForm, e);
		}
	});
});

bizForm.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(bizForm);
	if (!requireFilled(bizForm, ['name']))
		return;
	const body = changed(bizForm, BIZ_FIELDS, business);
	if (!Object.keys(body).length) {
		status(bizForm, t('common.saved'), 'success');
		return;
	}
	busy(bizForm, async () => {
		try {
			const res = await api('PATCH', '/account', body);
			business = { ...business, ...body, ...(res.account || {}) };
			fillBusiness();
			status(bizForm, t('common.saved'), 'success');
		} catch (e) {
			showError(bizForm, e);
		}
	});
});

document.addEventListener('langchange', () => {
	const tz = bizForm.elements.namedItem('time_zone');
	fillZones(tz, tz.value);
});

try {
	const data = await start();
	user = data.user || {};
	fillMe();
	if (user.role === 'owner') {
		const acc = await api('GET', '/account');
		business = acc.account || acc;
		fillBusiness();
		document.getElementById('business').hidden = false;
		document.getElementById('danger').hidden = false;
	}
	statusEl.textContent = '';
	statusEl.hidden = true;
	document.getElementById('profile').hidden = false;
} catch (e) {
	statusEl.textContent = errorText(e);
	statusEl.className = 'form-status error';
}
