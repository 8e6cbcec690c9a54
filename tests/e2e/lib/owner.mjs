// owner — a business signed up through the API for the browser tests: its session (cookie
// and CSRF token) to call the API as the owner does, and the same session given to a page.
import assert from 'node:assert/strict';

export class Owner {
	constructor(base, cookie, csrf, me) {
		this.base = base;
		this.cookie = cookie;
		this.csrf = csrf;
		this.me = me;
	}

	/* One API call with the owner's session; body as JSON (or as is with raw = its type). */
	async call(method, path, body, raw) {
		const headers = { Accept: 'application/json', Cookie: this.cookie, 'X-CSRF-Token': this.csrf };
		if (body !== undefined && !raw)
			headers['Content-Type'] = 'application/json';
		if (raw)
			headers['Content-Type'] = raw;
		const r = await fetch(this.base + '/api/v1' + path, { method, headers,
			body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
		return { status: r.status, data: await r.json().catch(() => ({})) };
	}

	/* call() that asserts a 2xx answer and returns its JSON. */
	async ok(method, path, body, raw) {
		const r = await this.call(method, path, body, raw);
		assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.data)}`);
		return r.data;
	}

	/* Logs page's browser context in with the owner's session cookie. */
	async logIn(page) {
		await page.context().addCookies(this.cookie.split('; ').map((kv) => {
			const i = kv.indexOf('=');
			return { name: kv.slice(0, i), value: kv.slice(i + 1), url: this.base };
		}));
	}
}

/* POST /api/v1/signup on the server at base: business_name, email, password, business_type
 * and plan from `fields`, in Europe/Paris with the terms accepted. Asserts 201. */
export async function signUp(base, fields) {
	const r = await fetch(base + '/api/v1/signup', {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body: JSON.stringify({ ...fields, time_zone: 'Europe/Paris', accept_terms: true, accept_dpa: true }),
	});
	const data = await r.json();
	assert.equal(r.status, 201, JSON.stringify(data));
	const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
	return new Owner(base, cookie, data.csrf_token, data);
}
