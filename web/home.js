// The home page: translations and the plans from GET /api/v1/plans.
import { api } from './common/api.js';
import { monthlyPrice, planFeatures } from './common/format.js';
import { init, t } from './common/i18n.js';

init();
const list = document.getElementById('plans');
const statusEl = document.getElementById('plans-status');
let plans = null;

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
			el('ul', {}, ...planFeatures(p).map((x) => el('li', {}, x))),
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
