// server — starts the real creneau binary for a test file and stops it afterwards.
//
// creneau serve --test-mode --store sqlite:$TMP/e2e.db --listen 127.0.0.1:$PORT --web-root web
//   --smtp-url smtp://$CRENEAU_TEST_SMTP --smtp-starttls none
// CRENEAU_BIN (default build/debug/creneau) and CRENEAU_TEST_SMTP come from the runner.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

function freePort() {
	return new Promise((ok, fail) => {
		const s = createServer();
		s.once('error', fail);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => ok(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Starts the server; answers {base, stop(), log()}. Fails after 15 s without /livez. */
export async function startServer() {
	const bin = resolve(ROOT, process.env.CRENEAU_BIN || 'build/debug/creneau');
	const smtp = process.env.CRENEAU_TEST_SMTP;
	if (!smtp)
		throw new Error('CRENEAU_TEST_SMTP is not set (tests/e2e/run.sh starts an SMTP server)');
	const tmp = mkdtempSync(join(tmpdir(), 'creneau-e2e-'));
	const port = await freePort();
	const logPath = join(tmp, 'server.log');
	const out = openSync(logPath, 'a');
	const args = ['serve', '--test-mode', '--store', `sqlite:${tmp}/e2e.db`, '--listen', `127.0.0.1:${port}`,
		'--web-root', join(ROOT, 'web'), '--smtp-url', `smtp://${smtp}`, '--smtp-starttls', 'none'];
	const child = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', out, out] });
	let exited = null;
	child.on('exit', (code, sig) => { exited = sig || code; });
	const base = `http://127.0.0.1:${port}`;
	const log = () => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } };
	const deadline = Date.now() + 15000;
	for (;;) {
		if (exited !== null)
			throw new Error(`creneau exited (${exited}) before answering:\n${log()}`);
		try {
			const r = await fetch(base + '/livez');
			if (r.ok)
				break;
		} catch { /* not listening yet */ }
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`creneau did not answer /livez within 15 s:\n${log()}`);
		}
		await sleep(100);
	}
	async function stop() {
		if (exited === null) {
			const gone = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await gone;
			clearTimeout(timer);
		}
		if (!process.env.KEEP_TMP)
			rmSync(tmp, { recursive: true, force: true });
	}
	return { base, stop, log, tmp };
}
