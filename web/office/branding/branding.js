// branding — the owner's editor of the booking page's look (Optimum, or a trial of it):
// colours, texts in French and English, the logo, and a live preview of the page's header.
// Other plans: the API answers 403 plan_required and the page explains the feature.
import { api, ApiError } from '../../common/api.js';
import { errorText, showError } from '../../common/form.js';
import { t } from '../../common/i18n.js';
import { applyColours } from '../../book/booking.js';
import { start } from '../session.js';

const KEYS = ['welcome', 'instructions', 'confirmation', 'book_button'];
const $ = (id) => document.getElementById(id);
let me = null;
let logoUrl = null;

function texts() {
	const out = {};
	for (const l of ['fr', 'en']) {
		out[l] = {};
		for (const k of KEYS)
			out[l][k] = $(`${l}-${k}`).value;
	}
	return out;
}

/* The preview shows the page's header in the editor's language, with the colours being chosen. */
function preview() {
	const box = $('br-preview');
	applyColours({ primary: $('primary').value, accent: $('accent').value }, box);
	const l = document.documentElement.lang === 'en' ? 'en' : 'fr';
	const pick = (k, fallback) => $(`${l}-${k}`).value.trim() || fallback;
	$('pv-name').textContent = me.account.name || '';
	$('pv-welcome').textContent = pick('welcome', '');
	$('pv-instructions').textContent = pick('instructions', '');
	$('pv-button').textContent = pick('book_button', t('book.confirm'));
	$('pv-logo').hidden = !logoUrl;
	if (logoUrl) {
		$('pv-logo').src = logoUrl;
		$('pv-logo').alt = t('book.logo_alt', { name: me.account.name || '' });
	}
}

/* The API's advice: each colour should reach 4.5:1 against white or the text (WCAG AA). */
function showContrast(c) {
	const box = $('br-contrast');
	if (!c || typeof c !== 'object') {
		box.hidden = true;
		return;
	}
	const best = (k) => {
		const v = Math.max(c[k + '_on_white'] || 0, c[k + '_on_text'] || 0);
		return v ? v.toFixed(1) : '?';
	};
	box.hidden = false;
	box.className = c.aa === false ? 'notice form-status error' : 'notice';
	box.textContent = t(c.aa === false ? 'brand.contrast_low' : 'brand.contrast_ok',
		{ primary: best('primary'), accent: best('accent') });
}

function fill(theme) {
	const th = (theme && theme.theme) || theme || {};
	if (th.primary)
		$('primary').value = th.primary;
	if (th.accent)
		$('accent').value = th.accent;
	for (const l of ['fr', 'en'])
		for (const k of KEYS)
			$(`${l}-${k}`).value = (th.texts && th.texts[l] && th.texts[l][k]) || '';
	logoUrl = th.logo_url ? th.logo_url + (th.logo_url.includes('?') ? '&' : '?') + 'v=' + Date.now() : null;
	showContrast(theme.contrast || th.contrast);
	preview();
}

async function save(ev) {
	ev.preventDefault();
	const form = $('br-form');
	const status = form.querySelector('[data-form-status]');
	for (const p of form.querySelectorAll('.field-error'))
		p.remove();
	try {
		const out = await api('PUT', '/theme', { primary: $('primary').value, accent: $('accent').value, texts: texts() });
		fill(out);
		status.className = 'form-status success';
		status.textContent = t('common.saved');
	} catch (err) {
		status.className = 'form-status error';
		showError(form, err);
	}
}

function csrf() {
	try {
		return sessionStorage.getItem('creneau.csrf') || '';
	} catch {
		return '';
	}
}

async function uploadLogo() {
	const file = $('logo').files[0];
	const status = $('logo-status');
	status.className = 'form-status';
	if (!file)
		return;
	if (file.size > 1024 * 1024) {
		status.className = 'form-status error';
		status.textContent = t('brand.logo_too_big');
		return;
	}
	status.textContent = t('brand.logo_sending');
	try {
		const res = await fetch('/api/v1/theme/logo', { method: 'PUT', body: file, credentials: 'same-origin',
			headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrf(), Accept: 'application/json' } });
		const data = await res.json().catch(() => ({}));
		if (!res.ok) {
			const e = data.error || {};
			throw new ApiError(res.status, e.code || 'http_' + res.status, e.message, e.field);
		}
		fill(await api('GET', '/theme'));
		status.className = 'form-status success';
		status.textContent = t('brand.logo_saved');
	} catch (err) {
		status.className = 'form-status error';
		status.textContent = err.code === 'invalid_image' ? t('brand.logo_invalid') : errorText(err);
	}
}

async function removeLogo() {
	const status = $('logo-status');
	try {
		await api('DELETE', '/theme/logo');
		fill(await api('GET', '/theme'));
		status.className = 'form-status success';
		status.textContent = t('brand.logo_removed');
	} catch (err) {
		status.className = 'form-status error';
		status.textContent = errorText(err);
	}
}

function refuse(text, plans) {
	$('br-status').textContent = '';
	$('br-refused').hidden = false;
	$('br-refused-text').textContent = text;
	$('br-refused-link').hidden = !plans;
}

async function main() {
	me = await start();
	if (me.user && me.user.role && me.user.role !== 'owner') {
		refuse(t('brand.owner_only'), false);
		return;
	}
	let theme;
	try {
		theme = await api('GET', '/theme');
	} catch (err) {
		if (err.code === 'plan_required')
			refuse(t('brand.plan_required'), true);
		else if (err.status === 403)
			refuse(t('brand.owner_only'), false);
		else
			$('br-status').textContent = errorText(err);
		return;
	}
	$('br-status').textContent = '';
	$('br-editor').hidden = false;
	$('br-public').href = '/b/' + encodeURIComponent(me.account.slug || '');
	fill(theme);
	$('br-form').addEventListener('submit', save);
	$('br-form').addEventListener('input', preview);
	$('logo').addEventListener('change', uploadLogo);
	$('logo-remove').addEventListener('click', removeLogo);
	document.addEventListener('langchange', preview);
}

main();
