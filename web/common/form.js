// form — showing errors next to fields and announcing them, busy buttons.
//
// A field error goes into <p class="field-error" id="<input id>-error"> right after the
// field's control (created on demand), the control gets aria-invalid and aria-describedby,
// and the form's status region (role=alert / aria-live) repeats the message so screen
// readers announce it; focus moves to the first invalid control.
import { has, t } from './i18n.js';

/* The text for an API error: translated by code when known, else the server's message. */
export function errorText(err) {
	if (err.code === 'rate_limited' && err.retryAfter)
		return t('err.rate_limited_s', { n: err.retryAfter });
	if (err.code && has('err.' + err.code))
		return t('err.' + err.code);
	return err.message || t('err.unknown');
}

function statusRegion(form) {
	return form.querySelector('[data-form-status]');
}

function controlFor(form, field) {
	if (!field)
		return null;
	return form.querySelector(`[name="${CSS.escape(field)}"]`);
}

function errorElement(control) {
	const id = control.id + '-error';
	let el = document.getElementById(id);
	if (!el) {
		el = document.createElement('p');
		el.id = id;
		el.className = 'field-error';
		const field = control.closest('.field') || control.parentElement;
		field.append(el);
	}
	return el;
}

function describe(control, id, on) {
	const ids = (control.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
	const rest = ids.filter((x) => x !== id);
	if (on)
		rest.push(id);
	if (rest.length)
		control.setAttribute('aria-describedby', rest.join(' '));
	else
		control.removeAttribute('aria-describedby');
}

/* Clears every error and message of form. */
export function clearErrors(form) {
	for (const c of form.querySelectorAll('[aria-invalid="true"]')) {
		c.removeAttribute('aria-invalid');
		describe(c, c.id + '-error', false);
	}
	for (const el of form.querySelectorAll('.field-error'))
		el.remove();
	const s = statusRegion(form);
	if (s) {
		s.textContent = '';
		s.className = 'form-status';
	}
}

/* Shows text next to the control named field (or in the form's status when there is
 * none) and announces it. */
export function fieldError(form, field, text) {
	const control = controlFor(form, field);
	if (control && control.id) {
		const el = errorElement(control);
		el.textContent = text;
		control.setAttribute('aria-invalid', 'true');
		describe(control, el.id, true);
		control.focus();
	}
	status(form, control ? t('common.fix_errors', { message: text }) : text, 'error');
}

/* Shows an API error where it belongs. */
export function showError(form, err) {
	fieldError(form, err.field, errorText(err));
}

/* Writes a message in the form's status region: kind "error", "success" or "info". */
export function status(form, text, kind = 'info') {
	const s = statusRegion(form);
	if (!s)
		return;
	s.className = 'form-status ' + kind;
	s.textContent = text;
}

/* Disables the submit button while fn runs, so a double click sends once. */
export async function busy(form, fn) {
	const btn = form.querySelector('[type="submit"]');
	if (btn) {
		btn.disabled = true;
		btn.setAttribute('aria-busy', 'true');
	}
	try {
		return await fn();
	} finally {
		if (btn) {
			btn.disabled = false;
			btn.removeAttribute('aria-busy');
		}
	}
}

/* The trimmed value of the control named name, or "" when absent. */
export function value(form, name) {
	const c = form.elements.namedItem(name);
	return c && typeof c.value === 'string' ? (c.type === 'password' ? c.value : c.value.trim()) : '';
}

/* Checks that the required controls are filled; shows the first gap and answers false. */
export function requireFilled(form, names) {
	for (const n of names) {
		const c = form.elements.namedItem(n);
		if (!c)
			continue;
		const empty = c.type === 'checkbox' ? !c.checked : !value(form, n);
		if (empty) {
			fieldError(form, n, c.type === 'checkbox' ? t('signup.must_accept') : t('err.missing_field'));
			return false;
		}
	}
	return true;
}
