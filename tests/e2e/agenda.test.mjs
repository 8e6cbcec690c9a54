// Issue 7 item 1 in a real browser: the agenda. A business (Pro, in trial, demo data cleared) with
// one service and two staff members set up through the API, a week ahead in Paris:
// the day view shows one column per staff member; an appointment is booked by clicking a free
// time (an existing client, then a client created in the dialog); one is moved by dragging
// (the API has the new time), dragging onto a taken time is refused, the appointment goes back
// and the reason is shown; one is cancelled, one marked no-show; a booking made on the public
// page appears without a reload; an appointment of a resizable service is lengthened by
// dragging its bottom edge (the API has the new end) and a length onto a taken time is refused
// and put back, while a fixed-length one has no handle; a staff user sees only their own
// column; a browser in New York shows and books Paris times; a narrow (tablet) screen in
// English. axe-core, CSP and script errors are checked on each screen.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, text } from './lib/browser.mjs';
import { waitForMail } from './lib/mail.mjs';
import { signUp } from './lib/owner.mjs';
import { startServer } from './lib/server.mjs';
import { instantOfWall } from '../../web/office/agenda/zone.js';

const TZ = 'Europe/Paris';
const run = `${process.pid}-${Date.now()}`;
const staffEmail = `ana-${run}@example.com`;
const STAFF_PASSWORD = 'Agenda du lundi matin 8h';

let server;
let browser;
let owner;
let staffCookie;
let ana;
let ben;
let service;
let day; // a day a week ahead, in Paris
let y;
let mo;
let d;

/* The instant of hh:mm on `day` in Paris. */
const paris = (hh, mm = 0) => instantOfWall(y, mo, d, hh, mm, TZ);
const same = (a, b) => Date.parse(a) === Date.parse(b);

/* A page in a fresh context that records CSP and script errors. */
async function openPage({ locale = 'fr-FR', timezoneId, viewport = { width: 1280, height: 900 }, cookie } = {}) {
	const context = await browser.newContext({ locale, timezoneId, viewport });
	const page = await context.newPage();
	page.setDefaultTimeout(10000);
	page.problems = [];
	page.on('pageerror', (err) => page.problems.push('script error: ' + err.message));
	page.on('console', (msg) => {
		if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
			page.problems.push('CSP: ' + msg.text());
	});
	await context.addCookies((cookie || owner.cookie).split('; ').map((kv) => {
		const i = kv.indexOf('=');
		return { name: kv.slice(0, i), value: kv.slice(i + 1), url: server.base };
	}));
	return page;
}

async function check(page, what) {
	assert.deepEqual(await axeViolations(page), [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

async function openAgenda(page, query = '') {
	await page.goto(`${server.base}/office/agenda/?date=${day}${query}`);
	await page.locator('#ag-cal .ec-col-head').first().waitFor();
}

/* The point of hh:mm in the column of staff member `name` (day view). */
async function slotPoint(page, name, hh, mm = 0) {
	const head = await page.locator('#ag-cal .ec-col-head', { hasText: name }).boundingBox();
	// the hour labels are centred on their lines
	const line = async (h) => {
		const b = await page.locator(`#ag-cal .ec-sidebar time[datetime$="T${String(h).padStart(2, '0')}:00:00"]`).boundingBox();
		return b.y + b.height / 2;
	};
	await page.locator(`#ag-cal .ec-sidebar time[datetime$="T${String(hh).padStart(2, '0')}:00:00"]`).scrollIntoViewIfNeeded();
	const top = await line(hh);
	const next = await line(hh + 1);
	return { x: head.x + head.width / 2, y: top + ((next - top) * mm) / 60 + 5 };
}

async function clickSlot(page, name, hh, mm = 0) {
	const p = await slotPoint(page, name, hh, mm);
	await page.mouse.click(p.x, p.y);
	await page.locator('#ag-new').waitFor({ state: 'visible' });
}

const eventOf = (page, re) => page.locator('#ag-cal .ec-event', { hasText: re });

/* Drags the event matching re so that its top lands on hh:mm in the column of `name`. */
async function drag(page, re, name, hh, mm = 0) {
	const box = await eventOf(page, re).boundingBox();
	const grab = { x: box.x + box.width / 2, y: box.y + 8 };
	const to = await slotPoint(page, name, hh, mm);
	await page.mouse.move(grab.x, grab.y);
	await page.mouse.down();
	const steps = 12;
	for (let i = 1; i <= steps; i++)
		await page.mouse.move(grab.x + ((to.x - grab.x) * i) / steps, grab.y + ((to.y - 2 - grab.y) * i) / steps);
	await page.mouse.up();
}

/* The vertical distance between the lines of two wall times of the day view. */
async function linesApart(page, from, to) {
	const line = async ([hh, mm]) => {
		const at = (h) => page.locator(`#ag-cal .ec-sidebar time[datetime$="T${String(h).padStart(2, '0')}:00:00"]`).boundingBox();
		const a = await at(hh);
		const b = await at(hh + 1);
		return a.y + a.height / 2 + ((b.y - a.y) * mm) / 60;
	};
	return (await line(to)) - (await line(from));
}

/* Drags the bottom edge of the event matching re from its end `from` ([hh, mm]) to `to`. */
async function resize(page, re, from, to) {
	const dy = await linesApart(page, from, to);
	const ev = eventOf(page, re);
	await ev.scrollIntoViewIfNeeded();
	await ev.hover();
	const box = await ev.locator('.ec-resizer').boundingBox();
	const grab = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
	await page.mouse.move(grab.x, grab.y);
	await page.mouse.down();
	const steps = 10;
	for (let i = 1; i <= steps; i++)
		await page.mouse.move(grab.x, grab.y + (dy * i) / steps);
	await page.mouse.up();
}

async function appointmentsOfDay() {
	return (await owner.ok('GET', `/appointments?from=${day}&to=${day}`)).appointments;
}

async function announced(page, re) {
	await page.locator('#ag-announce').filter({ hasText: re }).waitFor();
	return text(page, '#ag-announce');
}

before(async () => {
	server = await startServer();
	browser = await launch();
	owner = await signUp(server.base, { business_name: 'Salon Agenda', email: `agenda-${run}@example.com`,
		password: 'Un mot de passe solide 42', business_type: 'hair_salon', plan: 'pro' });
	await owner.ok('DELETE', '/demo');
	const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((k) => [k, [['08:00', '20:00']]]));
	ana = (await owner.ok('POST', '/staff', { name: 'Ana Lopez', color: '#2980b9' })).staff;
	ben = (await owner.ok('POST', '/staff', { name: 'Ben Morel', color: '#8e44ad' })).staff;
	await owner.ok('PUT', `/staff/${ana.id}/hours`, week);
	await owner.ok('PUT', `/staff/${ben.id}/hours`, week);
	service = (await owner.ok('POST', '/services', { name: 'Coupe', duration_min: 60, color: '#c0392b',
		staff: [ana.id, ben.id] })).service;
	await owner.ok('POST', '/clients', { first_name: 'Camille', last_name: 'Martin', email: `camille-${run}@example.com` });
	day = new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + 7 * 86400000));
	[y, mo, d] = day.split('-').map(Number);

	// a staff user linked to Ana: invited, the invitation accepted
	const user = (await owner.ok('POST', '/users', { email: staffEmail, name: 'Ana Lopez', role: 'staff' })).user;
	const [, token] = await waitForMail(staffEmail, /token=([A-Za-z0-9_-]+)/);
	const r = await fetch(server.base + '/api/v1/invitations/accept', { method: 'POST',
		headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, password: STAFF_PASSWORD }) });
	assert.equal(r.status, 200, await r.text());
	staffCookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
	await owner.ok('PATCH', `/staff/${ana.id}`, { user: user.id });
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

describe('the agenda', () => {
	let page;

	test('the day view has one column per staff member; book by clicking a free time', async () => {
		page = await openPage();
		await openAgenda(page);
		const heads = await page.locator('#ag-cal .ec-col-head').allInnerTexts();
		assert.deepEqual(heads.map((h) => h.trim()), ['Ana Lopez', 'Ben Morel']);
		assert.match(await text(page, '#ag-zone'), /Europe\/Paris/);
		await check(page, 'day view');

		// an existing client, found by typing
		await clickSlot(page, 'Ana Lopez', 10);
		assert.equal(await page.getByLabel('Heure').inputValue(), '10:00');
		assert.equal(await page.locator('#ag-staff').inputValue(), ana.id);
		await page.getByLabel('Rechercher un client').fill('Camil');
		await page.getByRole('button', { name: /Camille Martin/ }).click();
		await page.locator('#ag-client-chosen').getByText('Client choisi : Camille Martin').waitFor();
		await check(page, 'booking dialog');
		await page.getByRole('button', { name: 'Réserver', exact: true }).click();
		await eventOf(page, /Camille Martin · Coupe/).waitFor();
		assert.match(await announced(page, /Rendez-vous réservé/), /Camille Martin/);

		// a client created in the dialog
		await clickSlot(page, 'Ben Morel', 14);
		assert.equal(await page.getByLabel('Heure').inputValue(), '14:00');
		await page.getByRole('button', { name: 'Nouveau client' }).click();
		await page.getByLabel('Prénom').fill('Jules');
		await page.getByLabel('Nom', { exact: true }).fill('Petit');
		await page.getByLabel('Téléphone').fill('pas un numéro');
		await page.getByRole('button', { name: 'Réserver', exact: true }).click();
		// the API's field error next to the field, and what was typed is kept
		await page.locator('#ag-c-phone-error').waitFor();
		assert.equal(await page.getByLabel('Prénom').inputValue(), 'Jules');
		await page.getByLabel('Téléphone').fill('06 12 34 56 78');
		await page.getByLabel('Adresse e-mail').fill(`jules-${run}@example.com`);
		await page.getByRole('button', { name: 'Réserver', exact: true }).click();
		await eventOf(page, /Jules Petit · Coupe/).waitFor();

		const list = await appointmentsOfDay();
		const camille = list.find((a) => a.client?.first_name === 'Camille');
		const jules = list.find((a) => a.client?.first_name === 'Jules');
		assert.ok(camille && jules, JSON.stringify(list));
		assert.equal(camille.staff, ana.id);
		assert.ok(same(camille.start, paris(10)), camille.start);
		assert.equal(jules.staff, ben.id);
		assert.ok(same(jules.start, paris(14)), jules.start);
		assert.equal(jules.service, service.id);
		const found = (await owner.ok('GET', `/clients?q=${encodeURIComponent('jules-' + run)}`)).clients;
		assert.equal(found.length, 1);
		assert.equal(found[0].phone, '+33612345678');
	});

	test('drag to a free time moves it; onto a taken time it is refused and goes back', async () => {
		await drag(page, /Camille Martin/, 'Ana Lopez', 12);
		await announced(page, /Rendez-vous déplacé/);
		let camille = (await appointmentsOfDay()).find((a) => a.client?.first_name === 'Camille');
		assert.ok(same(camille.start, paris(12)), camille.start);
		assert.equal(camille.staff, ana.id);

		// another appointment at 15:00 for Ana, booked elsewhere: it appears, then the drag onto it
		await owner.ok('POST', '/appointments', { service: service.id, staff: ana.id, start: paris(15),
			client: { first_name: 'Zoé', last_name: 'Roux' } });
		await eventOf(page, /Zoé Roux/).waitFor({ timeout: 8000 });
		await drag(page, /Camille Martin/, 'Ana Lopez', 15);
		const said = await announced(page, /Déplacement refusé/);
		assert.match(said, /ce créneau n’est pas libre/);
		assert.match(said, /remis à sa place/);
		assert.match(await text(page, '#ag-cal .ec-event:has-text("Camille Martin") .ec-event-time'), /^12:00 – 13:00$/);
		camille = (await appointmentsOfDay()).find((a) => a.client?.first_name === 'Camille');
		assert.ok(same(camille.start, paris(12)), camille.start);
		await check(page, 'after a refused move');
	});

	test('mark one no-show, cancel another', async () => {
		await eventOf(page, /Jules Petit/).click();
		await page.locator('#ag-event').waitFor({ state: 'visible' });
		assert.match(await text(page, '#ag-event'), /Ben Morel/);
		await check(page, 'appointment dialog');
		await page.getByRole('button', { name: 'Marquer absent' }).click();
		await announced(page, /marqué absent : Jules Petit/);
		await eventOf(page, /Jules Petit · Coupe \(absent\)/).waitFor();

		await eventOf(page, /Camille Martin/).click();
		await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
		await page.getByRole('button', { name: 'Confirmer l’annulation' }).click();
		await announced(page, /Rendez-vous annulé : Camille Martin/);
		await eventOf(page, /Camille Martin/).waitFor({ state: 'detached' });

		const list = await appointmentsOfDay();
		assert.equal(list.find((a) => a.client?.first_name === 'Jules').status, 'no_show');
		assert.equal(list.find((a) => a.client?.first_name === 'Camille').status, 'cancelled');
	});

	test('a booking made on the public page appears without a reload', async () => {
		const slug = owner.me.account.slug;
		const r = await fetch(`${server.base}/api/v1/public/${slug}/appointments`, { method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ service: service.id, staff: ben.id, start: paris(17),
				client: { first_name: 'Inès', last_name: 'Public', email: `ines-${run}@example.com` } }) });
		assert.equal(r.status, 201, await r.text());
		const t0 = Date.now();
		await eventOf(page, /Inès Public · Coupe/).waitFor({ timeout: 8000 });
		assert.ok(Date.now() - t0 < 8000);
		assert.match(await text(page, '#ag-cal .ec-event:has-text("Inès Public") .ec-event-time'), /^17:00 – 18:00$/);
		await page.context().close();
	});

	test('resize by the bottom edge where the service allows; onto a taken time it is refused', async () => {
		const colour = (await owner.ok('POST', '/services', { name: 'Coloration', duration_min: 60, color: '#16a085',
			staff: [ben.id], resizable: true })).service;
		assert.equal(colour.resizable, true);
		await owner.ok('POST', '/appointments', { service: colour.id, staff: ben.id, start: paris(9),
			client: { first_name: 'Léa', last_name: 'Durand' } });
		await owner.ok('POST', '/appointments', { service: service.id, staff: ben.id, start: paris(12),
			client: { first_name: 'Hugo', last_name: 'Blanc' } });
		const p = await openPage();
		await openAgenda(p);
		await eventOf(p, /Léa Durand · Coloration/).waitFor();
		assert.match(await text(p, '#ag-help'), /Tirez le bas d’un rendez-vous/);
		// a fixed-length service has no handle
		assert.equal(await eventOf(p, /Hugo Blanc/).locator('.ec-resizer').count(), 0);
		assert.equal(await eventOf(p, /Léa Durand/).locator('.ec-resizer').count(), 1);

		await resize(p, /Léa Durand/, [10, 0], [10, 30]);
		assert.match(await announced(p, /Durée modifiée/), /Léa Durand, jusqu’à 10:30/);
		let lea = (await appointmentsOfDay()).find((a) => a.client?.first_name === 'Léa');
		assert.ok(same(lea.start, paris(9)), lea.start);
		assert.ok(same(lea.end, paris(10, 30)), lea.end);
		assert.equal(lea.version, 2);
		assert.match(await text(p, '#ag-cal .ec-event:has-text("Léa Durand") .ec-event-time'), /^09:00 – 10:30$/);

		// onto Hugo's 12:00: refused, put back, and said why
		await resize(p, /Léa Durand/, [10, 30], [12, 30]);
		const said = await announced(p, /Changement de durée refusé/);
		assert.match(said, /ce créneau n’est pas libre/);
		assert.match(said, /garde sa durée/);
		assert.match(await text(p, '#ag-cal .ec-event:has-text("Léa Durand") .ec-event-time'), /^09:00 – 10:30$/);
		lea = (await appointmentsOfDay()).find((a) => a.client?.first_name === 'Léa');
		assert.ok(same(lea.end, paris(10, 30)), lea.end);
		assert.equal(lea.version, 2);
		await check(p, 'after a refused resize');
		await p.context().close();
	});

	test('a staff user sees only their own column', async () => {
		const p = await openPage({ cookie: staffCookie });
		await openAgenda(p);
		const heads = await p.locator('#ag-cal .ec-col-head').allInnerTexts();
		assert.deepEqual(heads.map((h) => h.trim()), ['Ana Lopez']);
		await eventOf(p, /Zoé Roux/).waitFor();
		const cal = await text(p, '#ag-cal');
		assert.doesNotMatch(cal, /Jules Petit|Inès Public|Ben Morel/);
		await check(p, 'staff agenda');
		await p.context().close();
	});

	test('a browser in New York shows and books Paris times', async () => {
		const p = await openPage({ timezoneId: 'America/New_York' });
		await openAgenda(p);
		assert.match(await text(p, '#ag-cal .ec-event:has-text("Zoé Roux") .ec-event-time'), /^15:00 – 16:00$/);
		await clickSlot(p, 'Ana Lopez', 11);
		assert.equal(await p.getByLabel('Heure').inputValue(), '11:00');
		await p.getByRole('button', { name: 'Réserver', exact: true }).click();
		await eventOf(p, /Sans client · Coupe/).waitFor();
		const mine = (await appointmentsOfDay()).find((a) => !a.client && a.status === 'booked');
		assert.ok(mine && same(mine.start, paris(11)), JSON.stringify(mine));
		assert.deepEqual(p.problems, []);
		await p.context().close();
	});

	test('on a narrow tablet screen, in English', async () => {
		const p = await openPage({ locale: 'en-GB', viewport: { width: 600, height: 960 } });
		await p.goto(`${server.base}/office/agenda/?lang=en&date=${day}`);
		await p.getByRole('heading', { level: 1, name: 'Calendar' }).waitFor();
		await p.locator('#ag-cal .ec-col-head').first().waitFor();
		for (const name of ['Day', 'Week', 'Month', 'Today'])
			await p.getByRole('button', { name, exact: true }).waitFor();
		const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
		assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
		await p.getByRole('button', { name: 'Week', exact: true }).click();
		await eventOf(p, /Zoé Roux/).waitFor();
		await check(p, 'narrow week view in English');
		await p.getByRole('button', { name: 'Month', exact: true }).click();
		await p.locator('#ag-cal .ec-day-grid, #ag-cal .ec-month-view').first().waitFor();
		await check(p, 'month view');
		await p.context().close();
	});
});
