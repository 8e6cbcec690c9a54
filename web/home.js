// The home page: translations and the plans from GET /api/v1/plans.
import { api } from './common/api.js';
import { monthlyPrice } from './common/format.js';
import { init, t } from './common/i18n.js';

init();
const list = document.getElementById('plans');
const statusEl = document.getElementById('plans-status');
let plans = null;

function features(p) {
	const f = [];
	if (p.staff_limit < 0)
		f.push(t('plan.staff_unlimited'));
	else if (p.staff_limit === 1)
		f.push(t('plan.staff_one'));
	else
		f.push(t('plan.staff_many', { n: p.staff_limit }));
	f.push(t('plan.email'));
	f.push(p.sms_per_month > 0 ? t('plan.sms', { n: p.sms_per_month }) : t('plan.no_sms'));
	if (p.branding)
		f.push(t('plan.branding'));
	f.push(t('plan.support', { n: p.support_hours }));
	return f;
}

function el(tag, props = {}, ...children) {
	const e = document.createElement(tag);
	Object.assign(e, props);
	e.append(...children);
	return e;
}

function render() {
	if (!plans)
		return;
	list.replaceChildren(...plans.map((p) => {
		const recommended = p.code === 'optimum';
		const card = el('li', { className: 'plan' + (recommended ? ' recommended' : '') });
		card.dataset.plan = p.code;
		if (recommended)
			card.append(el('span', { className: 'badge' }, t('plan.recommended')));
		const h = el('h3', { id: 'plan-' + p.code }, p.name);
		card.setAttribute('aria-labelledby', h.id);
		card.append(h,
			el('p', { className: 'price' }, monthlyPrice(p.price_cents, p.currency)),
			el('ul', {}, ...features(p).map((x) => el('li', {}, x))),
			el('a', {
				className: 'button' + (recommended ? '' : ' secondary'),
				href: '/signup/?plan=' + encodeURIComponent(p.code),
			}, t('plan.choose', { name: p.name })));
		return card;
	}));
}

async function load() {
	try {
		const data = await api('GET', '/plans');
		plans = data.plans || [];
		render();
	} catch {
		statusEl.textContent = t('plan.load_failed');
		statusEl.className = 'form-status error';
	} finally {
		list.removeAttribute('aria-busy');
	}
}

document.addEventListener('langchange', render);
load();
