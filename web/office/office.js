// The dashboard: the business, its plan and state, the end of the trial and the days left;
// for owners, the first-run checklist, today's appointments, the weekly charts (uPlot) and the
// SMS of the month from GET /api/v1/dashboard, and the links to the account area.
import { api } from '../common/api.js';
import { errorText } from '../common/form.js';
import { dateTime, inZone } from '../common/format.js';
import { t } from '../common/i18n.js';
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { readOnlyReason, start } from './session.js';

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

let dash = null;
const charts = [];

function drawCharts() {
	while (charts.length)
		charts.pop().destroy();
	const weeks = dash.weeks;
	const x = weeks.map((w) => Date.parse(w.from) / 1000);
	const pct = (v) => (v === null ? null : Math.round(v * 1000) / 10);
	const series = [
		['chart-appointments', 'dash.chart_appointments', weeks.map((w) => w.appointments), '#3556a8'],
		['chart-fill', 'dash.chart_fill', weeks.map((w) => pct(w.fill_rate)), '#1f6b3a'],
		['chart-no-shows', 'dash.chart_no_shows', weeks.map((w) => pct(w.no_show_rate)), '#b3261e'],
		['chart-clients', 'dash.chart_clients', weeks.map((w) => w.new_clients), '#7a4ba8'],
	];
	for (const [id, key, ys, colour] of series) {
		const fig = document.getElementById(id);
		fig.querySelector('.uplot')?.remove();
		const width = Math.max(240, Math.min(fig.clientWidth - 32, 560));
		charts.push(new uPlot({
			width, height: 180, legend: { show: false },
			scales: { x: { time: true } },
			series: [{}, { label: t(key), stroke: colour, width: 2, points: { show: true } }],
			axes: [{ values: (u, vals) => vals.map((v) => inZone(new Date(v * 1000), { day: 'numeric', month: 'short' }, dash.time_zone)) }, {}],
		}, [x, ys], fig));
		fig.querySelector('canvas')?.setAttribute('aria-hidden', 'true');
	}
}

function renderDash() {
	if (!dash)
		return;
	const account = data.account || {};
	const left = dash.trial_days_left;
	document.getElementById('trial-days-box').hidden = left === null || left === undefined;
	if (left !== null && left !== undefined)
		document.getElementById('trial-days').textContent = t(left === 1 ? 'dash.trial_day_left' : 'dash.trial_days_left', { n: left });
	const k = dash.checklist;
	document.getElementById('checklist').hidden = k.dismissed || !!readOnlyReason(data);
	document.getElementById('check-services').classList.toggle('done', k.services);
	document.getElementById('check-hours').classList.toggle('done', k.hours);
	document.getElementById('check-link').classList.toggle('done', k.link_shared);
	document.getElementById('booking-link').textContent = location.origin + '/b/' + account.slug;
	const list = document.getElementById('today-list');
	list.replaceChildren();
	for (const a of dash.today.appointments) {
		const li = document.createElement('li');
		const time = document.createElement('time');
		time.dateTime = a.starts_at;
		time.textContent = inZone(new Date(a.starts_at), { hour: '2-digit', minute: '2-digit' }, dash.time_zone);
		const who = document.createElement('span');
		who.textContent = a.client ? [a.client.first_name, a.client.last_name].filter(Boolean).join(' ') : '—';
		const what = document.createElement('span');
		what.className = 'muted';
		what.textContent = [a.service, a.staff].filter(Boolean).join(' · ');
		li.append(time, who, what);
		list.append(li);
	}
	if (!list.children.length) {
		const li = document.createElement('li');
		li.className = 'muted';
		li.textContent = t('dash.today_none');
		list.append(li);
	}
	document.getElementById('today').hidden = false;
	const sms = dash.sms;
	document.getElementById('sms-line').textContent = sms.available
		? t('dash.sms_used', { used: sms.used, quota: sms.quota })
		: t('dash.sms_none');
	document.getElementById('stats').hidden = false;
	drawCharts();
}

async function checklist(body) {
	const s = document.getElementById('checklist-status');
	try {
		const r = await api('POST', '/dashboard/checklist', body);
		dash.checklist = r.checklist;
		renderDash();
	} catch (e) {
		s.textContent = errorText(e);
		s.className = 'form-status error';
	}
}

document.getElementById('copy-link').addEventListener('click', async () => {
	const link = document.getElementById('booking-link').textContent;
	const s = document.getElementById('checklist-status');
	try {
		await navigator.clipboard.writeText(link);
		s.textContent = t('dash.copied');
	} catch {
		s.textContent = t('dash.copy_by_hand');
	}
	s.className = 'form-status success';
	await checklist({ link_shared: true });
});
document.getElementById('dismiss-checklist').addEventListener('click', () => checklist({ dismissed: true }));
document.getElementById('clear-demo').addEventListener('click', async () => {
	if (!window.confirm(t('office.demo_confirm')))
		return;
	const s = document.getElementById('demo-status');
	try {
		const r = await api('DELETE', '/demo');
		const kept = [...(r.kept?.staff || []), ...(r.kept?.services || []), ...(r.kept?.clients || [])];
		s.textContent = kept.length ? t('office.demo_cleared_kept', { names: kept.join(', ') }) : t('office.demo_cleared');
		s.className = 'form-status success';
		data.account.has_demo = false;
		render();
	} catch (e) {
		s.textContent = errorText(e);
		s.className = 'form-status error';
		return;
	}
	if (dash) {
		try {
			dash = await api('GET', '/dashboard?weeks=12');
			renderDash();
		} catch {
			/* the figures stay as they were; the next visit reads them again */
		}
	}
});
document.addEventListener('langchange', () => {
	render();
	renderDash();
});

try {
	data = await start();
	statusEl.textContent = '';
	document.getElementById('office').hidden = false;
	render();
	const owner = data.user?.role === 'owner';
	for (const li of document.querySelectorAll('#account-links [data-owner]'))
		li.hidden = !owner;
	document.getElementById('demo-clear-line').hidden = !owner;
	if (owner) {
		dash = await api('GET', '/dashboard?weeks=12');
		renderDash();
	}
} catch (e) {
	statusEl.textContent = errorText(e);
	statusEl.className = 'form-status error';
}
