// The sign-up page: POST /api/v1/signup, then the back office.
import { api } from '../common/api.js';
import { busy, clearErrors, requireFilled, showError, value } from '../common/form.js';
import { monthlyPrice } from '../common/format.js';
import { init, lang, t } from '../common/i18n.js';
import { fillZones } from '../common/zones.js';

init();
const form = document.getElementById('signup-form');
const choices = document.getElementById('plan-choices');
const tz = document.getElementById('time_zone');
const locale = document.getElementById('locale');
const FALLBACK = [{ code: 'essentiel', name: 'Essentiel' }, { code: 'pro', name: 'Pro' }, { code: 'optimum', name: 'Optimum' }];
let plans = FALLBACK;

const wanted = new URLSearchParams(location.search).get('plan');
let localeTouched = false;
locale.addEventListener('change', () => { localeTouched = true; });
locale.value = lang();
fillZones(tz, 'Europe/Paris');

function renderPlans() {
	const selected = form.elements.namedItem('plan')?.value ||
		(plans.some((p) => p.code === wanted) ? wanted : 'optimum');
	choices.replaceChildren(...plans.map((p) => {
		const label = document.createElement('label');
		label.className = 'choice';
		const input = document.createElement('input');
		input.type = 'radio';
		input.name = 'plan';
		input.value = p.code;
		input.id = 'plan-' + p.code;
		input.checked = p.code === selected;
		const text = document.createElement('span');
		const name = document.createElement('strong');
		name.textContent = p.name;
		text.append(name);
		if (p.price_cents !== undefined) {
			const price = document.createElement('small');
			price.textContent = monthlyPrice(p.price_cents, p.currency);
			text.append(price);
		}
		label.append(input, text);
		return label;
	}));
}

async function loadPlans() {
	try {
		const data = await api('GET', '/plans');
		if (Array.isArray(data.plans) && data.plans.length)
			plans = data.plans;
	} catch {
		/* the codes alone still let the visitor choose */
	}
	renderPlans();
}

document.addEventListener('langchange', () => {
	renderPlans();
	fillZones(tz, tz.value);
	if (!localeTouched)
		locale.value = lang();
});

form.addEventListener('submit', (ev) => {
	ev.preventDefault();
	clearErrors(form);
	if (!requireFilled(form, ['business_name', 'business_type', 'email', 'password', 'accept_terms', 'accept_dpa']))
		return;
	const body = {
		business_name: value(form, 'business_name'),
		email: value(form, 'email'),
		password: value(form, 'password'),
		business_type: value(form, 'business_type'),
		plan: form.elements.namedItem('plan')?.value || 'optimum',
		time_zone: value(form, 'time_zone'),
		locale: value(form, 'locale'),
		accept_terms: true,
		accept_dpa: true,
	};
	busy(form, async () => {
		try {
			await api('POST', '/signup', body);
			location.assign('/office/');
		} catch (e) {
			showError(form, e);
		}
	});
});

renderPlans();
loadPlans();
