// Issue 7 item 2 in a real browser: the set-up screens (/office/setup/). A new owner (demo data
// cleared) adds a staff member and weekly hours with a lunch break, a service with a required
// choice question, and the public availability (read through the API) follows the hours as they
// are edited; an appointment booked through the API and then left outside shortened hours is
// listed by the screen; a day off, a public holiday ticked, a new slot step, each read back
// through the API; bad input (a duration of 0, a range ending before it starts) is shown next
// to its field with what was typed kept; the widget snippet copied; axe-core and CSP clean on
// every tab; a tablet-sized window lays it out without sideways scrolling. Last, an account
// whose trial ended (frozen by the test clock) shows the banner on the agenda and the set-up,
// still shows its appointments, services, hours and closed days, and has every control that
// would write disabled.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, launch, newPage, text } from './lib/browser.mjs';
import { Owner, signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';
import { instantOfWall } from '../../web/office/agenda/zone.js';

let server;
let browser;
let owner;
let page;
const run = `${process.pid}-${Date.now()}`;
const slug = () => owner.me.account.slug;

/* A Monday at least two days ahead (the calendar date is the same in Paris at noon UTC). */
function nextMonday() {
	const d = new Date(Date.now() + 2 * 86400000);
	d.setUTCHours(12, 0, 0, 0);
	while (d.getUTCDay() !== 1)
		d.setUTCDate(d.getUTCDate() + 1);
	return d;
}
const MON = nextMonday();
const MONDAY = MON.toISOString().slice(0, 10);
const TUESDAY = new Date(MON.getTime() + 86400000).toISOString().slice(0, 10);

/* The local starts ("HH:MM") offered on `day` for the service, through the public API. */
async function starts(serviceId, day) {
	const r = await fetch(`${server.base}/api/v1/public/${slug()}/availability?service=${serviceId}&from=${day}&to=${day}`);
	const data = await r.json();
	assert.equal(r.status, 200, JSON.stringify(data));
	return (data.days[0]?.slots || []).map((s) => s.start.slice(11, 16));
}

async function check(what) {
	const v = await axeViolations(page);
	assert.deepEqual(v, [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

async function tab(name) {
	await page.click(`#tab-${name}`);
	await page.locator(`#panel-${name}`).waitFor({ state: 'visible' });
}

async function success(formSel, re) {
	await page.locator(`${formSel} [data-form-status].success`).filter({ hasText: re }).waitFor();
}

async function saveHours() {
	await page.click('#hours-form button[type="submit"]');
	await page.locator('#hours-conflicts p').first().waitFor();
}

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUp(server.base, { business_name: 'Salon Réglages', email: `setup-${run}@example.com`,
		password: 'Réglages du lundi 9h', business_type: 'hair_salon', plan: 'pro' });
	await owner.ok('DELETE', '/demo');
	page = await newPage(browser);
	page.setDefaultTimeout(10000);
	await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
	await owner.logIn(page);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

let staffId;
let service;

test('the menu leads to the set-up, in French, and the page is accessible', async () => {
	await page.goto(server.base + '/office/');
	await page.click('nav a[href="/office/setup/"]');
	await page.locator('#setup').waitFor({ state: 'visible' });
	assert.equal(await page.locator('#tab-services').getAttribute('aria-selected'), 'true');
	assert.match(await text(page, '#tab-staff'), /Équipe et horaires/);
	assert.match(await text(page, '#svc-list'), /Aucune prestation/);
	await check('services tab, empty');
});

test('a staff member and weekly hours with a lunch break', async () => {
	await tab('staff');
	await page.click('#stf-new');
	await page.fill('#stf-name', 'Inès Robert');
	await page.fill('#stf-email', `ines-${run}@example.com`);
	await page.click('#stf-form button[type="submit"]');
	await success('#stf-form', /Inès Robert fait partie/);
	staffId = (await owner.ok('GET', '/staff')).staff.find((s) => s.name === 'Inès Robert').id;

	// Monday: 09:00–12:00, then 14:00–18:00; copied to the whole week; Sunday cleared
	await page.click('#hours-mon [data-add]');
	await page.click('#hours-mon [data-add]');
	assert.equal(await page.inputValue('#h-mon-0-start'), '09:00');
	assert.equal(await page.inputValue('#h-mon-0-end'), '12:00');
	await page.fill('#h-mon-1-start', '14:00');
	await page.fill('#h-mon-1-end', '18:00');
	await page.click('#hours-copy');
	assert.equal(await page.inputValue('#h-sat-1-end'), '18:00');
	await page.click('#hours-sun .range:nth-of-type(2) button');
	await page.click('#hours-sun .range button');
	assert.match(await text(page, '#hours-sun'), /Fermé/);
	await saveHours();
	assert.match(await text(page, '#hours-conflicts'), /Aucun rendez-vous/);
	const h = (await owner.ok('GET', `/staff/${staffId}/hours`)).hours;
	assert.deepEqual(h.mon, [['09:00', '12:00'], ['14:00', '18:00']]);
	assert.deepEqual(h.fri, [['09:00', '12:00'], ['14:00', '18:00']]);
	assert.deepEqual(h.sun, []);
	await check('staff tab with hours');
});

test('a range ending before it starts is shown next to its field and kept', async () => {
	await page.fill('#h-wed-0-end', '08:00');
	await page.click('#hours-form button[type="submit"]');
	const err = page.locator('#h-wed-0-end-error');
	await err.waitFor();
	assert.match(await err.innerText(), /La fin doit venir après le début/);
	assert.equal(await page.getAttribute('#h-wed-0-end', 'aria-invalid'), 'true');
	assert.equal(await page.inputValue('#h-wed-0-end'), '08:00');
	assert.equal(await page.inputValue('#h-wed-1-start'), '14:00');
	assert.deepEqual((await owner.ok('GET', `/staff/${staffId}/hours`)).hours.wed, [['09:00', '12:00'], ['14:00', '18:00']]);
	await check('hours error');
	await page.fill('#h-wed-0-end', '12:00');
	await saveHours();
	assert.equal(await page.locator('#h-wed-0-end-error').count(), 0);
});

test('a service with a required choice question; a duration of 0 is refused next to its field', async () => {
	await tab('services');
	await page.click('#svc-new');
	await page.fill('#svc-name', 'Coupe femme');
	await page.fill('#svc-duration', '0');
	await page.fill('#svc-price', '35,50');
	await page.check(`#svc-staff-${staffId}`);
	await page.click('#svc-q-add');
	await page.fill('#q-0-label', 'Longueur des cheveux');
	await page.selectOption('#q-0-kind', 'choice');
	await page.fill('#q-0-choices', 'Courts\nLongs');
	await page.check('#q-0-required');
	await page.click('#svc-form button[type="submit"]');
	const err = page.locator('#svc-duration-error');
	await err.waitFor();
	assert.match(await err.innerText(), /5 à 1 440 minutes/);
	// what was typed is still there, and nothing was created
	assert.equal(await page.inputValue('#svc-name'), 'Coupe femme');
	assert.equal(await page.inputValue('#q-0-label'), 'Longueur des cheveux');
	assert.equal(await page.inputValue('#q-0-choices'), 'Courts\nLongs');
	assert.equal((await owner.ok('GET', '/services')).services.length, 0);
	await check('service form error');

	await page.fill('#svc-duration', '45');
	await page.click('#svc-form button[type="submit"]');
	await success('#svc-form', /Coupe femme/);
	assert.match(await text(page, '#svc-list'), /Coupe femme.*45 min.*35,50.*Inès Robert/);
	const list = (await owner.ok('GET', '/services')).services;
	assert.equal(list.length, 1);
	service = list[0];
	assert.equal(service.duration_min, 45);
	assert.equal(service.price_cents, 3550);
	assert.deepEqual(service.staff, [staffId]);
	assert.equal(service.questions.length, 1);
	assert.deepEqual({ ...service.questions[0], id: undefined },
		{ id: undefined, label: 'Longueur des cheveux', kind: 'choice', choices: ['Courts', 'Longs'], required: true });
	await check('service saved');
});

test('editing the hours changes the public availability', async () => {
	let s = await starts(service.id, MONDAY);
	// 45 minutes every 15: the morning ends at 11:15, nothing over lunch, the afternoon from 14:00
	for (const hm of ['09:00', '11:15', '14:00', '17:15'])
		assert.ok(s.includes(hm), `${hm} offered: ${s}`);
	for (const hm of ['11:30', '12:00', '13:00', '13:45', '17:30'])
		assert.ok(!s.includes(hm), `${hm} not offered: ${s}`);

	await tab('staff');
	await page.fill('#h-mon-1-start', '15:00');
	await page.fill('#h-mon-1-end', '19:00');
	await saveHours();
	s = await starts(service.id, MONDAY);
	assert.ok(!s.includes('14:00') && !s.includes('14:45'), `14:00 gone: ${s}`);
	assert.ok(s.includes('15:00') && s.includes('18:15'), `15:00 and 18:15 offered: ${s}`);
});

test('shortened hours list the appointment they leave outside', async () => {
	const s = await (await fetch(`${server.base}/api/v1/public/${slug()}/availability?service=${service.id}&from=${MONDAY}&to=${MONDAY}`)).json();
	const offset = s.days[0].slots[0].start.slice(19);
	const body = { service: service.id, staff: staffId, start: `${MONDAY}T18:00:00${offset}`,
		client: { first_name: 'Chloé', last_name: 'Durand', email: `chloe-${run}@example.com` } };
	// the question is required
	const refused = await owner.call('POST', '/appointments', body);
	assert.equal(refused.status, 400);
	assert.equal(refused.data.error.code, 'missing_answer');
	await owner.ok('POST', '/appointments', { ...body, answers: { [service.questions[0].id]: 'Longs' } });

	await page.fill('#h-mon-1-end', '18:00');
	await saveHours();
	const box = page.locator('#hours-conflicts');
	await box.filter({ hasText: 'Chloé Durand' }).waitFor();
	const shown = await text(page, '#hours-conflicts');
	assert.match(shown, /1 rendez-vous à venir tombe désormais en dehors des horaires/);
	assert.match(shown, /lundi \d{1,2} \S+ \d{4}, 18:00–18:45 — Coupe femme — Chloé Durand/);
	assert.match(shown, /ni déplacés ni annulés/);
	// nothing was cancelled
	const apts = (await owner.ok('GET', `/appointments?from=${MONDAY}&to=${MONDAY}`)).appointments;
	assert.equal(apts.filter((a) => a.status === 'booked').length, 1);
	await check('conflicts listed');
});

test('a day off takes the day out of the availability', async () => {
	assert.ok((await starts(service.id, TUESDAY)).length > 0);
	await page.selectOption('#exc-kind', 'off');
	await page.fill('#exc-from', TUESDAY);
	await page.fill('#exc-note', 'Formation');
	await page.click('#exc-form button[type="submit"]');
	await success('#exc-form', /Exception ajoutée/);
	assert.match(await text(page, '#exc-list'), /mardi .*Absence.*Formation/);
	const x = (await owner.ok('GET', `/staff/${staffId}/exceptions`)).exceptions;
	assert.equal(x.length, 1);
	assert.equal(x[0].kind, 'off');
	assert.equal(x[0].from, TUESDAY);
	assert.deepEqual(await starts(service.id, TUESDAY), []);
	await check('exception added');
});

test('a public holiday ticked becomes a closed day', async () => {
	await tab('closed');
	const year = String(new Date().getUTCFullYear() + 1);
	await page.selectOption('#hol-year', year);
	const box = page.locator(`#hol-${year}-05-01`);
	await box.waitFor();
	assert.equal(await box.isChecked(), false);
	assert.match(await text(page, `label[for="hol-${year}-05-01"]`), /Fête du Travail/);
	await box.check();
	await success('#hol-form', /Fermé le/);
	const closed = (await owner.ok('GET', '/closed-days')).closed_days;
	assert.deepEqual(closed.map((c) => c.day), [`${year}-05-01`]);
	assert.match(await text(page, '#closed-list'), /1 mai|1er mai/);
	assert.equal(await page.locator(`#hol-${year}-05-01`).isChecked(), true);
	await check('closed days');
});

test('the slot step of the booking rules', async () => {
	await tab('rules');
	assert.equal(await page.inputValue('#rules-slot_step_min'), '15');
	assert.equal(await page.inputValue('#rules-min_notice_s'), '1');
	await page.selectOption('#rules-slot_step_min', '30');
	await page.click('#rules-form button[type="submit"]');
	await success('#rules-form', /Règles de réservation enregistrées/);
	assert.equal((await owner.ok('GET', '/account')).account.slot_step_min, 30);
	const s = await starts(service.id, MONDAY);
	assert.ok(s.includes('09:00') && s.includes('09:30') && !s.includes('09:15'), `every 30 minutes: ${s}`);
	await check('rules');
});

test('a change made elsewhere is not overwritten', async () => {
	await owner.ok('PATCH', '/account', { min_notice_s: 7200 });
	await page.fill('#rules-min_notice_s', '3');
	await page.click('#rules-form button[type="submit"]');
	await page.locator('#rules-form [data-form-status].error').filter({ hasText: /modifiée ailleurs/ }).waitFor();
	assert.equal((await owner.ok('GET', '/account')).account.min_notice_s, 7200);
	assert.equal(await page.inputValue('#rules-min_notice_s'), '3');
	await page.click('#rules-form [data-form-status] button');
	await page.locator('#rules-form [data-form-status]').filter({ hasText: /Dernière version/ }).waitFor();
	assert.equal(await page.inputValue('#rules-min_notice_s'), '2');
});

test('the booking link and the widget snippet are copied', async () => {
	await tab('link');
	assert.equal(await page.inputValue('#link-url'), `${server.base}/b/${slug()}`);
	await page.click('[data-copy="widget-code"]');
	await page.locator('#widget-code-status').filter({ hasText: /Copié/ }).waitFor();
	const clip = await page.evaluate(() => navigator.clipboard.readText());
	assert.equal(clip, `<script src="${server.base}/widget/embed.js" data-creneau="${slug()}" async></script>`);
	await check('link tab');
});

test('in English, and on a tablet without sideways scrolling', async () => {
	const tablet = await newPage(browser);
	tablet.setDefaultTimeout(10000);
	await tablet.setViewportSize({ width: 600, height: 960 });
	await owner.logIn(tablet);
	await tablet.goto(server.base + '/office/setup/?lang=en#staff');
	await tablet.locator('#panel-staff').waitFor({ state: 'visible' });
	assert.match(await text(tablet, '#tab-staff'), /Team and hours/);
	await tablet.click(`#stf-list li[data-id="${staffId}"] button`);
	await tablet.locator('#h-mon-0-start').waitFor();
	const wide = await tablet.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	assert.ok(wide <= 0, `no sideways scrolling (${wide}px too wide)`);
	const box = await tablet.locator('#hours-form button[type="submit"]').boundingBox();
	assert.ok(box && box.x >= 0 && box.x + box.width <= 600, 'the save button fits');
	assert.ok(box.height >= 40, 'the save button is big enough to touch');
	const v = await axeViolations(tablet);
	assert.deepEqual(v, [], 'tablet: accessibility violations');
	assert.deepEqual(tablet.problems, [], 'tablet: CSP or script errors');
	await tablet.context().close();
});

/* Last: it moves the server's clock past the trial's end, which freezes every account here. */
test('a frozen account (trial ended): the banner, every write control disabled, the pages still load', async () => {
	const email = `frozen-${run}@example.com`;
	const password = 'Essai terminé au quinzième jour';
	const frozen = await signUp(server.base, { business_name: 'Salon Gelé', email, password,
		business_type: 'hair_salon', plan: 'pro' });
	await frozen.ok('DELETE', '/demo');
	const anne = (await frozen.ok('POST', '/staff', { name: 'Anne Givre' })).staff;
	const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((k) => [k, [['09:00', '18:00']]]));
	await frozen.ok('PUT', `/staff/${anne.id}/hours`, week);
	const svc = (await frozen.ok('POST', '/services', { name: 'Brushing', duration_min: 30, staff: [anne.id],
		resizable: true, questions: [{ label: 'Cheveux longs ?', kind: 'yesno' }] })).service;
	const ends = frozen.me.account.trial_ends_at;
	const trialEnd = typeof ends === 'number' ? ends * 1000 : Date.parse(ends);
	const parisDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(ms));
	const day = parisDay(trialEnd + 3 * 86400000);
	const [y, mo, d] = day.split('-').map(Number);
	await frozen.ok('POST', '/appointments', { service: svc.id, staff: anne.id, start: instantOfWall(y, mo, d, 10, 0, 'Europe/Paris'),
		client: { first_name: 'Nina', last_name: 'Frimas' } });
	await frozen.ok('POST', `/staff/${anne.id}/exceptions`, { kind: 'off', from: parisDay(trialEnd + 5 * 86400000) });
	await frozen.ok('POST', '/closed-days', { day: parisDay(trialEnd + 6 * 86400000), label: 'Inventaire' });

	// the trial ends: the clock passes its end and the lifecycle job freezes the account
	const clock = await fetch(server.base + '/api/v1/test/clock', { method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ advance_to: new Date(trialEnd + 60000).toISOString() }) });
	assert.equal(clock.status, 200, await clock.text());
	// two weeks without use ended the session: log in again
	const login = await fetch(server.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ email, password }) });
	const me = await login.json();
	assert.equal(login.status, 200, JSON.stringify(me));
	assert.equal(me.account.state, 'frozen');
	assert.equal(me.may.write, false);
	const p = await newPage(browser);
	p.setDefaultTimeout(10000);
	await new Owner(server.base, login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), me.csrf_token, me).logIn(p);
	const writable = (selector) => p.evaluate((sel) => [...document.querySelectorAll(sel)]
		.filter((c) => !c.disabled && c.getAttribute('aria-disabled') !== 'true')
		.map((c) => c.id || c.name || c.outerHTML.slice(0, 80)), selector);
	const checkFrozen = async (what) => {
		assert.deepEqual(await axeViolations(p), [], `${what}: accessibility violations`);
		assert.deepEqual(p.problems, [], `${what}: CSP or script errors`);
	};

	// the agenda: the appointment is there, nothing can change it
	await p.goto(`${server.base}/office/agenda/?date=${day}`);
	await p.locator('.readonly-banner').waitFor();
	assert.equal(await p.evaluate(() => document.body.dataset.readonly), 'frozen');
	assert.match(await text(p, '.readonly-banner'), /essai/i);
	const ev = p.locator('#ag-cal .ec-event', { hasText: /Nina Frimas · Brushing/ });
	await ev.waitFor();
	assert.match(await text(p, '#ag-help'), /lecture seule/);
	assert.equal(await ev.locator('.ec-resizer').count(), 0, 'no resize handle');
	assert.equal(await p.locator('#ag-cal .ec-draggable').count(), 0, 'nothing draggable');
	assert.deepEqual(await writable('[data-write]'), []);
	await ev.click();
	await p.locator('#ag-event').waitFor({ state: 'visible' });
	for (const b of await p.locator('#ag-event [data-status]').all()) {
		assert.ok(await b.isHidden());
		assert.ok(await b.isDisabled());
	}
	await checkFrozen('frozen agenda, an appointment open');
	await p.keyboard.press('Escape');

	// the set-up: every tab reads, nothing writes
	const inForms = '#setup form input, #setup form select, #setup form textarea, #setup form button, [data-write]';
	const editable = async () => (await p.evaluate((sel) => [...document.querySelectorAll(sel)]
		.filter((c) => !c.disabled && !c.closest('#panel-link, #svc-cancel, #stf-cancel, #hol-year, #hol-am'))
		.map((c) => c.id || c.name || c.outerHTML.slice(0, 80)), inForms));
	await p.goto(server.base + '/office/setup/#services');
	await p.locator('.readonly-banner').waitFor();
	await p.locator('#setup').waitFor({ state: 'visible' });
	assert.match(await text(p, '#svc-list'), /Brushing/);
	await p.locator('#svc-list li', { hasText: 'Brushing' }).getByRole('button').click();
	await p.locator('#svc-form').waitFor({ state: 'visible' });
	assert.equal(await p.locator('#svc-name').inputValue(), 'Brushing');
	assert.ok(await p.locator('#svc-resizable').isChecked());
	assert.ok(await p.locator('#svc-resizable').isDisabled());
	assert.deepEqual(await editable(), []);
	await checkFrozen('frozen set-up, a service open');

	await p.click('#tab-staff');
	await p.locator('#stf-list li', { hasText: 'Anne Givre' }).getByRole('button').click();
	await p.locator('#h-mon-0-start').waitFor();
	await p.locator('#exc-list li', { hasText: /Absence|jour/ }).first().waitFor();
	assert.equal(await p.locator('#h-mon-0-start').inputValue(), '09:00');
	assert.deepEqual(await editable(), []);
	await checkFrozen('frozen set-up, a staff member open');

	await p.click('#tab-closed');
	await p.locator('#hol-list input').first().waitFor();
	assert.match(await text(p, '#closed-list'), /Inventaire/);
	assert.deepEqual(await editable(), []);
	assert.ok(await p.locator('#hol-year').isEnabled(), 'another year’s holidays can still be read');

	await p.click('#tab-rules');
	await p.locator('#panel-rules').waitFor({ state: 'visible' });
	assert.equal(await p.locator('#pf-name').inputValue(), 'Salon Gelé');
	assert.deepEqual(await editable(), []);
	assert.deepEqual(await writable('[data-write]'), []);
	await checkFrozen('frozen set-up, the rules');
	await p.context().close();
});
