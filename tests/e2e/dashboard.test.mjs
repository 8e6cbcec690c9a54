// Issue 7 items 4, 5 and 7 in a real browser, on a tablet (820×1180): after sign-up the owner
// lands on the dashboard with the first-run checklist (nothing ticked: the demo is not theirs);
// their own service and hours tick two items, copying the link the third; the list can be
// dismissed for good. The charts (four canvases), today's appointments (demo left out), the
// SMS line, the trial's days left and the account links. Clearing the demo from the
// dashboard keeps what a real appointment uses. axe-core and CSP on each step.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertPageClean, newPage, serverAndBrowser, text } from './lib/browser.mjs';

const env = serverAndBrowser();
const run = `${process.pid}-${Date.now()}`;

describe('dashboard', () => {
	test('first run, charts, today, account links', async () => {
		// Wednesday 10 March 2027, 09:00 in Paris, on the server's test clock
		const clock = await fetch(env.server.base + '/api/v1/test/clock', { method: 'POST',
			headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ set: '2027-03-10T08:00:00Z' }) });
		assert.equal(clock.status, 200);
		const r = await fetch(env.server.base + '/api/v1/signup', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body: JSON.stringify({ business_name: 'Coiffure Première', email: `dash-${run}@example.com`,
				password: 'Tableau de bord 8h', business_type: 'hair_salon', plan: 'optimum',
				time_zone: 'Europe/Paris', accept_terms: true, accept_dpa: true }),
		});
		const me = await r.json();
		assert.equal(r.status, 201, JSON.stringify(me));
		const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
		const call = async (method, path, body) => {
			const res = await fetch(env.server.base + '/api/v1' + path, { method,
				headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': me.csrf_token },
				body: body === undefined ? undefined : JSON.stringify(body) });
			const json = await res.json().catch(() => ({}));
			assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
			return json;
		};
		assert.equal(me.account.has_demo, true, 'the personalised demo is in place');

		const page = await newPage(env.browser);
		await page.setViewportSize({ width: 820, height: 1180 });
		page.setDefaultTimeout(10000);
		await page.context().addCookies(cookie.split('; ').map((kv) => {
			const i = kv.indexOf('=');
			return { name: kv.slice(0, i), value: kv.slice(i + 1), url: env.server.base };
		}));
		await page.goto(env.server.base + '/office/');
		await page.locator('#checklist').waitFor();
		assert.equal(await page.locator('.checklist li.done').count(), 0);
		assert.equal(await page.locator('#check-services a').getAttribute('href'), '/office/setup/#services');
		assert.equal(await page.locator('#check-hours a').getAttribute('href'), '/office/setup/#hours');
		assert.match(await text(page, '#booking-link'), new RegExp(`/b/${me.account.slug}$`));
		assert.match(await text(page, '#trial-days'), /Il vous reste 15 jours d’essai gratuit/);
		assert.match(await text(page, '#demo-note'), /démonstration/);
		await page.locator('#chart-fill canvas').waitFor();
		assert.equal(await page.locator('#stats canvas').count(), 4, 'four charts');
		assert.match(await text(page, '#sms-line'), /Pas de SMS/);
		assert.match(await text(page, '#today'), /Aucun rendez-vous aujourd’hui/);
		for (const href of ['/office/account/', '/office/support/', '/office/data/', '/office/profile/'])
			assert.ok(await page.locator(`#account-links a[href="${href}"]`).count(), href);
		await assertPageClean(page, 'first run');

		// their own service, staff and hours, and an appointment later today
		const staff = (await call('POST', '/staff', { name: 'Inès' })).staff;
		const week = {};
		for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
			week[d] = [['00:00', '24:00']];
		await call('PUT', `/staff/${staff.id}/hours`, week);
		const service = (await call('POST', '/services', { name: 'Coupe', duration_min: 30, staff: [staff.id] })).service;
		await call('POST', '/appointments', { service: service.id, staff: staff.id, start: '2027-03-10T15:00:00+01:00',
			client: { first_name: 'Léon', last_name: 'Aujourd’hui', email: `leon-${run}@example.com` } });
		await page.reload();
		await page.locator('#check-hours.done').waitFor();
		assert.equal(await page.locator('#check-services.done').count(), 1);
		assert.equal(await page.locator('#check-link.done').count(), 0);
		assert.match(await text(page, '#today'), /Léon Aujourd’hui/);

		// copying the link ticks the last item; dismissing hides the list for good
		await page.getByRole('button', { name: 'Copier le lien' }).click();
		await page.locator('#check-link.done').waitFor();
		await assertPageClean(page, 'checklist complete');
		await page.getByRole('button', { name: 'Masquer cette liste' }).click();
		await page.locator('#checklist').waitFor({ state: 'hidden' });
		await page.reload();
		await page.locator('#stats canvas').first().waitFor();
		assert.ok(await page.locator('#checklist').isHidden());

		// a real appointment with the sample staff and service, then the demo cleared from the
		// dashboard: what the appointment uses is kept, and said so
		const demoService = (await call('GET', '/services')).services.find((s) => s.is_demo && s.name === 'Coupe femme');
		const demoStaff = (await call('GET', '/staff')).staff.find((s) => s.id === demoService.staff[0]);
		const avail = await call('GET', `/availability?service=${demoService.id}&staff=${demoStaff.id}&from=2027-03-11&to=2027-03-20`);
		const slot = avail.days.find((d) => d.slots.length).slots[0].start;
		await call('POST', '/appointments', { service: demoService.id, staff: demoStaff.id, start: slot,
			client: { first_name: 'Rose', last_name: 'Réelle', email: `rose-${run}@example.com` } });
		await page.reload();
		await page.locator('#demo-note').waitFor();
		page.once('dialog', (d) => d.accept());
		await page.getByRole('button', { name: 'Effacer les données de démonstration' }).click();
		await page.locator('#demo-status.success').waitFor();
		const said = await text(page, '#demo-status');
		assert.match(said, /ont été effacées/);
		assert.ok(said.includes(demoStaff.name) && said.includes('Coupe femme'), said);
		assert.ok(await page.locator('#demo-note').isHidden());
		assert.equal((await call('GET', '/me')).account.has_demo, false);
		assert.deepEqual((await call('GET', '/services')).services.map((s) => s.name).sort(), ['Coupe', 'Coupe femme']);
		await assertPageClean(page, 'demo cleared');
		await page.context().close();
	});
});
