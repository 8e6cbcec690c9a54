// util — what the set-up screens share: API errors shown where they belong (with the
// "changed elsewhere" case), the editor of time ranges, the list of appointments a change
// leaves outside the hours, and the copy buttons.
import { api } from '../../common/api.js';
import { busy, clearErrors, errorText, fieldError, status } from '../../common/form.js';
import { el } from '../../common/dom.js';
import { inZone } from '../../common/format.js';
import { has, t } from '../../common/i18n.js';

export const S = {
	me: null,          // the /me answer
	account: null,     // GET /api/v1/account's account
	services: [],
	staff: [],
	canWrite: false,   // an owner of an account that may write
};

/* The name of the control in form that an API field names: itself, its ".start" (a range),
 * its list without the index (staff[2] → staff) or the first range of a day. */
function controlName(form, f) {
	if (!f)
		return null;
	const found = (n) => form.querySelector(`[name="${CSS.escape(n)}"]`);
	for (const n of [f, f + '.start', f.replace(/\[\d+\]$/, ''), f + '[0].start'])
		if (found(n))
			return n;
	return null;
}

/* The text for err on this screen: a range for the common "invalid_field" when we know it. */
function message(err) {
	const base = (err.field || '').replace(/\[\d+\]/g, '[]');
	if (err.code === 'invalid_field' && has('setup.bad.' + base))
		return t(`setup.bad.${base}`);
	if (err.code === 'stale_version')
		return t('setup.stale');
	return errorText(err);
}

/* Shows an API error next to its field (or in the form's status); a 409 stale_version says
 * the record changed elsewhere and offers `reload` (when given) with a button. */
export function showApiError(form, err, reload) {
	const name = controlName(form, err.field);
	if (err.code === 'stale_version') {
		status(form, t('setup.stale'), 'error');
		if (reload) {
			const s = form.querySelector('[data-form-status]');
			const b = el('button', { type: 'button', className: 'small', textContent: t('setup.reload') });
			b.addEventListener('click', reload);
			s.append(' ', b);
		}
		return;
	}
	fieldError(form, name || err.field, message(err));
}

/* Runs fn for a form's submit: clears errors, disables the button, shows errors. The typed
 * values stay in place whatever happens. */
export async function submit(form, fn, reload) {
	clearErrors(form);
	try {
		return await busy(form, fn);
	} catch (err) {
		if (err && err.shown)
			return undefined;
		if (err && err.status !== undefined)
			showApiError(form, err, reload);
		else
			status(form, String(err && err.message ? err.message : err), 'error');
		return undefined;
	}
}

/* "HH:MM" + minutes, within the day ("" past 24:00). */
function addMinutes(hhmm, m) {
	const [h, mi] = hhmm.split(':').map(Number);
	const v = h * 60 + mi + m;
	if (!Number.isFinite(v) || v > 1440)
		return '';
	return String(Math.floor(v / 60)).padStart(2, '0') + ':' + String(v % 60).padStart(2, '0');
}

/* An editor of time ranges in `box`: controls named `${prefix}[i].start|end` (the API's field
 * names), a remove button each and an add button. `label` names the day for screen readers. */
export function rangeEditor(box, prefix, idPrefix, label) {
	box.classList.add('ranges');
	const read = () => [...box.querySelectorAll('.range')].map((r) =>
		[r.querySelector('[data-start]').value, r.querySelector('[data-end]').value]);
	function draw(list) {
		box.replaceChildren();
		if (!list.length)
			box.append(el('p', { className: 'closed', textContent: t('setup.day_closed') }));
		list.forEach(([s, e], i) => {
			const sid = `${idPrefix}-${i}-start`, eid = `${idPrefix}-${i}-end`;
			const start = el('input', { type: 'time', id: sid, name: `${prefix}[${i}].start`, value: s || '',
				step: 300, dataset: { start: '' } });
			const end = el('input', { type: e === '24:00' ? 'text' : 'time', id: eid, name: `${prefix}[${i}].end`, value: e || '',
				step: 300, dataset: { end: '' } });
			const rm = el('button', { type: 'button', className: 'small', textContent: t('setup.range_remove'),
				'aria-label': t('setup.range_remove_of', { day: label(), n: i + 1 }), dataset: { write: '' } });
			rm.addEventListener('click', () => {
				const now = read();
				now.splice(i, 1);
				draw(now);
				box.querySelector('[data-add]').focus();
			});
			box.append(el('div', { className: 'range', role: 'group', 'aria-label': t('setup.range_of', { day: label(), n: i + 1 }) },
				el('div', { className: 'field' }, el('label', { for: sid, textContent: t('setup.from') }), start),
				el('div', { className: 'field' }, el('label', { for: eid, textContent: t('setup.to') }), end),
				rm));
		});
		const add = el('button', { type: 'button', className: 'small', textContent: t('setup.range_add'),
			'aria-label': t('setup.range_add_to', { day: label() }), dataset: { add: '', write: '' } });
		add.disabled = !S.canWrite || list.length >= 8;
		add.addEventListener('click', () => {
			const now = read();
			const last = now[now.length - 1];
			const s = last ? addMinutes(last[1] || '12:00', 60) || '' : '09:00';
			now.push([s, s ? addMinutes(s, 180) || '24:00' : '']);
			draw(now);
			const inputs = box.querySelectorAll('[data-start]');
			inputs[inputs.length - 1].focus();
		});
		box.append(add);
		if (!S.canWrite)
			for (const c of box.querySelectorAll('input, button'))
				c.disabled = true;
	}
	return { get: read, set: draw };
}

/* The local date and times of an appointment: « lundi 5 avril 2027, 18:30–19:15 ». */
export function when(startIso, endIso) {
	const tz = S.account?.time_zone;
	const s = new Date(startIso), e = new Date(endIso);
	const day = inZone(s, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, tz);
	const hm = { hour: '2-digit', minute: '2-digit' };
	return `${day}, ${inZone(s, hm, tz)}–${inZone(e, hm, tz)}`;
}

/* Fills `box` with the appointments a change left outside the hours (the answer's
 * `conflicts` and `conflicts_total`), with their client and service when they can be read. */
export async function showConflicts(box, res) {
	box.replaceChildren();
	box.className = 'conflicts';
	const total = res.conflicts_total || 0;
	if (!total) {
		box.append(el('p', { textContent: t('setup.no_conflicts') }));
		return;
	}
	box.classList.add('warn');
	const list = res.conflicts || [];
	const details = await Promise.all(list.slice(0, 20).map((c) =>
		api('GET', '/appointments/' + encodeURIComponent(c.id)).then((r) => r.appointment, () => null)));
	const ul = el('ul', { className: 'conflict-list' });
	list.forEach((c, i) => {
		const a = details[i];
		const bits = [when(c.starts_at, c.ends_at)];
		if (a) {
			const svc = S.services.find((x) => x.id === a.service);
			if (svc)
				bits.push(svc.name);
			if (a.client)
				bits.push(`${a.client.first_name || ''} ${a.client.last_name || ''}`.trim());
		}
		ul.append(el('li', { textContent: bits.filter(Boolean).join(' — ') }));
	});
	box.append(
		el('p', {}, el('strong', { textContent: t(total === 1 ? 'setup.conflicts_one' : 'setup.conflicts_many', { n: total }) })),
		ul);
	if (total > list.length)
		box.append(el('p', { textContent: t('setup.conflicts_more', { n: total - list.length }) }));
	box.append(el('p', {}, t('setup.conflicts_note') + ' ',
		el('a', { href: '/office/agenda/', textContent: t('setup.open_agenda') })));
}

/* Copies the value of the control `id` to the clipboard (navigator.clipboard, else a
 * selection and execCommand), and says so in `${id}-status`. */
export async function copy(id) {
	const src = document.getElementById(id);
	const out = document.getElementById(id + '-status');
	let ok = false;
	try {
		if (navigator.clipboard && window.isSecureContext) {
			await navigator.clipboard.writeText(src.value);
			ok = true;
		}
	} catch {
		ok = false;
	}
	if (!ok) {
		src.focus();
		src.select();
		try {
			ok = document.execCommand('copy');
		} catch {
			ok = false;
		}
	}
	if (out) {
		out.className = 'form-status ' + (ok ? 'success' : 'info');
		out.textContent = ok ? t('setup.copied') : t('setup.copy_manual');
	}
	if (!ok) {
		src.focus();
		src.select();
	}
	return ok;
}

/* An integer from a control's text ("" → null; not a whole number → NaN). */
export function intOf(v) {
	const s = String(v).trim();
	if (s === '')
		return null;
	return /^-?\d+$/.test(s) ? Number(s) : NaN;
}

/* Throws a field error (shown next to the control) unless v is a number. */
export function need(form, name, v) {
	if (Number.isNaN(v)) {
		fieldError(form, name, t('setup.not_a_number'));
		throw Object.assign(new Error('shown'), { shown: true });
	}
	return v;
}
