// operator — an operator of the console for the browser tests: created with `creneau operator
// add` on the test server's store, and logged in through the /ops/ log-in page with a TOTP code
// computed here (RFC 6238) from the secret the command printed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { ROOT } from './server.mjs';

/* RFC 4648 base32 (no padding) to bytes. */
export function base32(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0;
	let value = 0;
	const out = [];
	for (const ch of s.replace(/=+$/, '').toUpperCase()) {
		const v = alphabet.indexOf(ch);
		if (v < 0)
			throw new Error('not base32: ' + s);
		value = (value << 5) | v;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/* RFC 6238 TOTP: HMAC-SHA1 of the 30-second step, dynamic truncation, 6 digits. */
export function totp(key, unix) {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(unix / 30)));
	const h = createHmac('sha1', key).update(counter).digest();
	const o = h[h.length - 1] & 0x0f;
	const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
	return String(n % 1000000).padStart(6, '0');
}

/* The server's clock (test mode keeps it in the store). */
export async function serverNow(server) {
	const r = await fetch(server.base + '/api/v1/test/clock');
	assert.equal(r.status, 200);
	return (await r.json()).unix;
}

export class Operator {
	constructor(server, email, password, key) {
		this.server = server;
		this.email = email;
		this.password = password;
		this.key = key;
		this.lastStep = -1;
	}

	/* A code the server has not seen yet. It refuses a step already used (a code logs in once)
	 * and accepts the next one, so a second log-in within the same 30 s uses that; a third
	 * waits for the clock. */
	async nextCode() {
		for (const t0 = Date.now(); ; ) {
			const now = await serverNow(this.server);
			const step = Math.max(Math.floor(now / 30), this.lastStep + 1);
			if (step <= Math.floor(now / 30) + 1) {
				this.lastStep = step;
				return totp(this.key, step * 30);
			}
			assert.ok(Date.now() - t0 < 40000, 'the server clock does not move: no fresh TOTP step');
			await new Promise((r) => setTimeout(r, 1000));
		}
	}

	/* Logs page in through the console's log-in page; it lands on the accounts list. */
	async logIn(page) {
		await page.goto(this.server.base + '/ops/');
		await page.getByLabel('Adresse e-mail').fill(this.email);
		await page.getByLabel('Mot de passe').fill(this.password);
		await page.getByLabel('Code à usage unique').fill(await this.nextCode());
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.waitForURL('**/ops/accounts/');
	}
}

/* `creneau operator add` on the server's SQLite store; returns the Operator. */
export function addOperator(server, email, name, password) {
	const bin = resolve(ROOT, process.env.CRENEAU_BIN || 'build/debug/creneau');
	const add = spawnSync(bin, ['operator', 'add', email, '--name', name, '--store',
		`sqlite:${server.tmp}/e2e.db`], { input: password + '\n', encoding: 'utf8' });
	assert.equal(add.status, 0, add.stderr);
	const m = /secret: ([A-Z2-7]+)/.exec(add.stdout);
	assert.ok(m, add.stdout);
	return new Operator(server, email, password, base32(m[1]));
}
