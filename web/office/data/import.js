// The imports part of the data screen (<section id="imports">): the owner picks a CSV or vCard
// file, which is sent as the raw body of POST /api/v1/imports; the answer's preview is drawn as
// a table whose column headers are the proposed mapping (a select per column: changing one
// PATCHes the import and redraws the report); the report lists the rows that will not be
// imported and why; "Importer" commits while GET /api/v1/imports/{id} is polled for progress.
// What is imported is chosen first: clients (CSV or vCard) or upcoming appointments (CSV, kind
// "appointments": their report also lists warnings, rows imported all the same).
import { api, ApiError, setCsrf } from '../../common/api.js';
import { busy, clearErrors, fieldError, showError, status } from '../../common/form.js';
import { apply, has, t } from '../../common/i18n.js';

const $ = (id) => document.getElementById(id);
let current = null; /* the import as the API last answered it */

/* The kind chosen in the form: "clients" or "appointments". */
function kind() {
	const checked = document.querySelector('input[name="imp-kind"]:checked');
	return checked ? checked.value : 'clients';
}

function appointments(imp) {
	return (imp ? imp.kind : kind()) === 'appointments';
}

function el(tag, text) {
	const e = document.createElement(tag);
	if (text !== undefined && text !== null)
		e.textContent = text;
	return e;
}

function csrf() {
	try {
		return sessionStorage.getItem('creneau.csrf');
	} catch {
		return null;
	}
}

/* POST /api/v1/imports with the file as the body; a stale CSRF token is renewed once. */
async function upload(file, retried = false) {
	const headers = { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream',
		'Content-Disposition': `attachment; filename="${encodeURIComponent(file.name)}"` };
	const token = csrf();
	if (token)
		headers['X-CSRF-Token'] = token;
	let res;
	try {
		res = await fetch(`/api/v1/imports?kind=${kind()}`, { method: 'POST', headers, body: file,
			credentials: 'same-origin', cache: 'no-store' });
	} catch {
		throw new ApiError(0, 'network', null, null);
	}
	const data = await res.json().catch(() => null);
	if (!res.ok) {
		const err = (data && data.error) || {};
		if (res.status === 403 && err.code === 'csrf_failed' && !retried) {
			const me = await api('GET', '/me');
			setCsrf(me.csrf_token);
			return upload(file, true);
		}
		let code = err.code || 'http_' + res.status;
		if (code === 'unsupported_format' && kind() === 'appointments')
			code = 'unsupported_format_appointments';
		throw new ApiError(res.status, code, err.message, err.field || 'file');
	}
	return data;
}

/* The label of a field: the appointment import's own wording when it has one (impa.f_*), else
 * the client import's (imp.f_*). */
function fieldLabel(f) {
	const own = `impa.f_${f}`;
	return t(appointments(current) && has(own) ? own : `imp.f_${f}`);
}

function issueText(it) {
	const own = 'impa.c_' + it.code;
	const key = appointments(current) && has(own) ? own : 'imp.c_' + it.code;
	const field = it.field ? ` (${fieldLabel(it.field)})` : '';
	const message = has(key) ? t(key, { other: it.other_row }) : it.message;
	return t(it.severity === 'warning' ? 'impa.warning' : 'imp.issue', { row: it.row, field, message });
}

function drawPreview(imp) {
	const table = $('imp-preview');
	const head = el('tr');
	head.append(el('th', t('imp.row')));
	imp.columns.forEach((name, i) => {
		const th = el('th');
		th.scope = 'col';
		const label = el('label', name);
		label.htmlFor = `imp-col-${i}`;
		const sel = el('select');
		sel.id = `imp-col-${i}`;
		sel.name = `column_${i}`;
		sel.dataset.write = '';
		for (const f of ['', ...imp.fields]) {
			const o = el('option', fieldLabel(f));
			o.value = f;
			o.selected = imp.mapping[i] === f;
			sel.append(o);
		}
		sel.addEventListener('change', () => remap(i, sel.value));
		th.append(label, el('br'), sel);
		head.append(th);
	});
	table.tHead.replaceChildren(head);
	const rows = imp.preview.map((p) => {
		const tr = el('tr');
		tr.append(el('th', String(p.row)));
		tr.firstChild.scope = 'row';
		imp.columns.forEach((_, i) => tr.append(el('td', p.cells[i] ?? '')));
		return tr;
	});
	table.tBodies[0].replaceChildren(...rows);
}

function drawReport(imp) {
	const r = imp.report;
	if (appointments(imp))
		$('imp-summary').textContent = imp.state === 'done'
			? t('impa.summary_done', { published: r.rows_published, skipped: r.rows_skipped })
			: t('impa.summary', { total: r.rows_total, ok: r.rows_ok, invalid: r.rows_invalid, warning: r.rows_warning });
	else
		$('imp-summary').textContent = t('imp.summary', { total: r.rows_total, ok: r.rows_ok, invalid: r.rows_invalid,
			duplicate: r.rows_duplicate, existing: r.rows_existing });
	const items = r.issues.map((it) => el('li', issueText(it)));
	if (r.issues_truncated)
		items.push(el('li', t('imp.more')));
	$('imp-issues').replaceChildren(...items);
	const btn = $('imp-commit');
	btn.textContent = t(appointments(imp) ? 'impa.commit' : 'imp.commit', { n: r.rows_ok });
	btn.disabled = imp.state !== 'ready' || r.rows_ok === 0;
}

function draw(imp) {
	current = imp;
	$('imp-result').hidden = false;
	drawPreview(imp);
	drawReport(imp);
}

async function remap(column, field) {
	const form = $('imp-map-form');
	clearErrors(form);
	try {
		draw(await api('PATCH', `/imports/${current.id}`, { mapping: { [String(column)]: field } }));
		status(form, t('imp.mapping_saved'), 'success');
	} catch (err) {
		showError(form, err.field === 'mapping' ? Object.assign(err, { field: `column_${column}` }) : err);
		const sel = $(`imp-col-${column}`);
		sel.value = current.mapping[column];
	}
}

function showProgress(imp) {
	const bar = $('imp-progress');
	bar.hidden = false;
	bar.max = Math.max(1, imp.progress.total);
	bar.value = imp.progress.done;
	$('imp-progress-label').textContent = t('imp.progress', imp.progress);
}

async function commit(form) {
	const id = current.id;
	let polling = true;
	status(form, t('imp.publishing'));
	const poll = (async () => {
		while (polling) {
			try {
				const imp = await api('GET', `/imports/${id}`);
				if (polling)
					showProgress(imp);
			} catch {
				/* the commit's answer says what happened */
			}
			await new Promise((res) => setTimeout(res, 400));
		}
	})();
	try {
		const done = await api('POST', `/imports/${id}/commit`);
		polling = false;
		await poll;
		showProgress(done);
		current = done;
		drawReport(done);
		status(form, appointments(done) ? t('impa.done', { n: done.report.rows_published })
			: t('imp.done', { n: done.report.rows_published }), 'success');
	} catch (err) {
		polling = false;
		await poll;
		showError(form, err);
	}
}

function init() {
	const form = $('imp-form');
	if (!form)
		return;
	apply($('imports'));
	/* another kind is another import: the help says what the file holds, the old result goes */
	for (const radio of document.querySelectorAll('input[name="imp-kind"]'))
		radio.addEventListener('change', () => {
			$('imp-kind-help').hidden = kind() !== 'appointments';
			$('imp-result').hidden = true;
			current = null;
			clearErrors(form);
		});
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(form);
		const file = $('imp-file').files[0];
		if (!file) {
			fieldError(form, 'file', t('imp.no_file'));
			return;
		}
		busy(form, async () => {
			try {
				const imp = await upload(file);
				draw(imp);
				status(form, t('imp.read', { format: imp.format.toUpperCase(), encoding: imp.encoding }), 'success');
			} catch (err) {
				$('imp-result').hidden = true;
				showError(form, err);
			}
		});
	});
	const cform = $('imp-commit-form');
	cform.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clearErrors(cform);
		if (current)
			busy(cform, () => commit(cform)).then(() => {
				$('imp-commit').disabled = current.state !== 'ready';
			});
	});
}

init();
