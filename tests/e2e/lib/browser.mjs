// browser — Debian's chromium driven by playwright-core (never a downloaded browser), and
// the checks every page gets: no CSP violation, no script error, no serious or critical
// accessibility violation (axe-core).
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/* Launches chromium headless with a fresh profile (playwright makes a new user-data-dir). */
export function launch() {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--no-first-run', '--disable-sync'],
	});
}

/* A new context (own cookies and storage) whose pages record their problems in page.problems. */
export async function newPage(browser, { locale = 'fr-FR' } = {}) {
	const context = await browser.newContext({ locale });
	const page = await context.newPage();
	page.problems = [];
	page.on('pageerror', (err) => page.problems.push('script error: ' + err.message));
	page.on('console', (msg) => {
		const text = msg.text();
		if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(text))
			page.problems.push('CSP: ' + text);
	});
	return page;
}

/* Runs axe-core in the page; answers the serious and critical violations, one line each. */
export async function axeViolations(page) {
	// evaluate() runs through the DevTools protocol, which the page's CSP does not block
	await page.evaluate(AXE);
	const result = await page.evaluate(async () => {
		// eslint-disable-next-line no-undef
		const r = await axe.run(document, { resultTypes: ['violations'] });
		return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
	});
	return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
}

/* The checks every page gets, in a test: no serious or critical accessibility violation, no
 * CSP violation, no script error. `what` names the step in the failure. */
export async function assertPageClean(page, what) {
	assert.deepEqual(await axeViolations(page), [], `${what}: accessibility violations`);
	assert.deepEqual(page.problems, [], `${what}: CSP or script errors`);
}

/* Registers node:test hooks around a test file: the product (startServer) and chromium start
 * before its tests and stop after them. Answers an object whose `server` and `browser` are set
 * once the `before` hook has run. */
export function serverAndBrowser() {
	const env = { server: null, browser: null };
	before(async () => {
		env.server = await startServer();
		env.browser = await launch();
	});
	after(async () => {
		await env.browser?.close();
		await env.server?.stop();
	});
	return env;
}

/* The visible text of the page with spaces normalised (Intl uses narrow no-break spaces). */
export async function text(page, selector = 'body') {
	const s = await page.locator(selector).innerText();
	return s.replace(/[\s\u00a0\u202f]+/g, ' ');
}
