// mail — reads what the app sent from the test SMTP server's maildir (CRENEAU_TEST_MAILDIR).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/* Undoes quoted-printable soft breaks and =XX escapes, enough to find links in a message. */
function unQP(s) {
	return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16)));
}

/* Waits (up to timeoutMs) for a message to `to` whose text matches re; answers the match. */
export async function waitForMail(to, re, timeoutMs = 15000) {
	const dir = process.env.CRENEAU_TEST_MAILDIR;
	if (!dir)
		throw new Error('CRENEAU_TEST_MAILDIR is not set');
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		for (const dirName of ['new', 'cur']) {
			let names = [];
			try { names = readdirSync(join(dir, dirName)); } catch { /* not yet */ }
			for (const n of names) {
				const msg = unQP(readFileSync(join(dir, dirName, n), 'utf8'));
				if (!msg.toLowerCase().includes(to.toLowerCase()))
					continue;
				const m = msg.match(re);
				if (m)
					return m;
			}
		}
		if (Date.now() > deadline)
			throw new Error(`no mail to ${to} matching ${re} within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 200));
	}
}
