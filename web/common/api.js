// api — JSON calls to /api/v1 with the session cookie and the CSRF token.
//
// The token comes from GET /api/v1/me (or the log-in and sign-up answers) and is kept in
// sessionStorage so the next page of the same tab has it at once. Every failure becomes an
// ApiError {status, code, message, field, retryAfter}; code "network" when no answer came.

const CSRF_KEY = 'creneau.csrf';

export class ApiError extends Error {
	constructor(status, code, message, field, retryAfter) {
		super(message || code);
		this.status = status;
		this.code = code;
		this.field = field || null;
		this.retryAfter = retryAfter || null;
	}
}

function storedCsrf() {
	try {
		return sessionStorage.getItem(CSRF_KEY);
	} catch {
		return null;
	}
}

let csrf = storedCsrf();

export function setCsrf(token) {
	csrf = token || null;
	try {
		if (csrf)
			sessionStorage.setItem(CSRF_KEY, csrf);
		else
			sessionStorage.removeItem(CSRF_KEY);
	} catch {
		/* storage refused: the token lives in this page only */
	}
}

async function once(method, path, body) {
	const headers = { Accept: 'application/json' };
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (method !== 'GET' && method !== 'HEAD' && csrf)
		headers['X-CSRF-Token'] = csrf;
	let res;
	try {
		res = await fetch('/api/v1' + path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			cache: 'no-store',
		});
	} catch {
		throw new ApiError(0, 'network', null, null);
	}
	let data = null;
	const text = await res.text();
	if (text) {
		try {
			data = JSON.parse(text);
		} catch {
			data = null;
		}
	}
	if (!res.ok) {
		const err = (data && data.error) || {};
		throw new ApiError(res.status, err.code || 'http_' + res.status, err.message, err.field,
				   res.headers.get('Retry-After'));
	}
	if (data && typeof data.csrf_token === 'string')
		setCsrf(data.csrf_token);
	return data || {};
}

/* Calls the API; on a CSRF refusal fetches a fresh token from /me and tries once more. */
export async function api(method, path, body) {
	try {
		return await once(method, path, body);
	} catch (e) {
		if (e.status === 403 && e.code === 'csrf_failed' && path !== '/me') {
			await once('GET', '/me');
			return once(method, path, body);
		}
		throw e;
	}
}

/* GET /api/v1/me, or null when not logged in (401). */
export async function me() {
	try {
		return await api('GET', '/me');
	} catch (e) {
		if (e.status === 401)
			return null;
		throw e;
	}
}

/* Ends the session (errors ignored: the visitor leaves either way) and goes to /login/. */
export async function logout() {
	try {
		await api('DELETE', '/session');
	} catch {
		/* already ended, or the server is away */
	}
	setCsrf(null);
	location.assign('/login/');
}
