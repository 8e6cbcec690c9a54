// The SLA report of the console (GET /api/v1/ops/sla-report?from=&to=): per plan, over the
// tickets opened in a period of Paris days (to included), the share answered in time and the
// median and 90th percentile of the first response. Without a choice the server's last 30
// days, whose dates then fill the form.
import { api } from '../../common/api.js';
import { el } from '../../common/dom.js';
import { busy, clearErrors, requireFilled, showError, value } from '../../common/form.js';
import { inZone } from '../../common/format.js';
import { init, intlLocale, t } from '../../common/i18n.js';
import { planName, requireOperator, status } from '../ops.js';

init();
const ZONE = 'Europe/Paris';
const form = document.getElementById('period-form');
let report = null;

/* The Paris date (YYYY-MM-DD) of an instant. */
function parisDate(ms) {
	return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
		.format(new Date(ms));
}

function longDate(ymd) {
	return inZone(new Date(ymd + 'T12:00:00Z'), { dateStyle: 'long' }, 'UTC');
}

/* Seconds as « 5 h 42 min » (« 2 j 3 h » past a day); « — » when there is none. */
function duration(s) {
	if (s === null || s === undefined)
		return '—';
	const m = Math.round(s / 60);
	if (m < 60)
		return t('opssla.minutes', { m });
	const h = Math.floor(m / 60);
	if (h < 48)
		return t('opssla.hours', { h, m: String(m % 60).padStart(2, '0') });
	return t('opssla.days', { d: Math.floor(h / 24), h: h % 24 });
}

function share(x) {
	if (x === null || x === undefined)
		return '—';
	return new Intl.NumberFormat(intlLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

function draw() {
	if (!report)
		return;
	const from = parisDate(Date.parse(report.from));
	const to = parisDate(Date.parse(report.to) - 1000);
	document.getElementById('report-caption').textContent =
		t('opssla.caption', { from: longDate(from), to: longDate(to) });
	const tbody = document.querySelector('#report tbody');
	tbody.replaceChildren(...report.plans.map((p) => el('tr', { dataset: { plan: p.plan } },
		el('th', { scope: 'row' }, planName(p.plan)),
		el('td', { className: 'num' }, String(p.tickets)),
		el('td', { className: 'num' }, String(p.answered)),
		el('td', { className: 'num' }, String(p.answered_in_time)),
		el('td', { className: 'num' }, String(p.late_unanswered)),
		el('td', { className: 'num' }, share(p.in_time_share)),
		el('td', { className: 'num' }, duration(p.median_first_response_s)),
		el('td', { className: 'num' }, duration(p.p90_first_response_s)))));
	document.getElementById('report-wrap').hidden = false;
	return { from, to };
}

async function load(from, to) {
	const q = from && to ? `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` : '';
	report = await api('GET', '/ops/sla-report' + q);
	const period = draw();
	form.elements.namedItem('from').value = period.from;
	form.elements.namedItem('to').value = period.to;
	status('');
}

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['from', 'to']))
		return;
	busy(form, async () => {
		try {
			await load(value(form, 'from'), value(form, 'to'));
		} catch (e) {
			showError(form, e);
		}
	});
});

async function main() {
	if (!(await requireOperator()))
		return;
	try {
		await load();
	} catch (e) {
		status(e.message);
	}
}

document.addEventListener('langchange', draw);
main();
