// The dictionary: both languages have the same keys, and every key the pages use exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dictionary } from '../../web/common/i18n.js';
import { ROOT } from './lib/server.mjs';

function files(dir, ext) {
	return readdirSync(dir).flatMap((n) => {
		const p = join(dir, n);
		return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
	});
}

test('French and English have the same keys', () => {
	const fr = Object.keys(dictionary.fr).sort();
	const en = Object.keys(dictionary.en).sort();
	assert.deepEqual(fr.filter((k) => !en.includes(k)), [], 'missing in English');
	assert.deepEqual(en.filter((k) => !fr.includes(k)), [], 'missing in French');
});

test('every data-i18n key of the pages and t() key of the scripts exists', () => {
	const web = join(ROOT, 'web');
	const used = new Set();
	for (const f of files(web, '.html')) {
		const html = readFileSync(f, 'utf8');
		for (const m of html.matchAll(/data-i18n="([^"]+)"/g))
			used.add(m[1]);
		for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g))
			for (const pair of m[1].split(';'))
				used.add(pair.split(':')[1]);
	}
	for (const f of files(web, '.js'))
		for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-z_]+\.[A-Za-z_/.]+)'/g))
			used.add(m[1]);
	assert.ok(used.size > 50, `found only ${used.size} keys: the scan is broken`);
	assert.deepEqual([...used].filter((k) => !(k in dictionary.fr)).sort(), []);
});

test('no inline script, inline style or on* handler in the pages (the CSP forbids them)', () => {
	for (const f of files(join(ROOT, 'web'), '.html')) {
		const html = readFileSync(f, 'utf8');
		assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${f}: inline script`);
		assert.doesNotMatch(html, /<style|\sstyle=/i, `${f}: inline style`);
		assert.doesNotMatch(html, /\son[a-z]+=/i, `${f}: inline handler`);
	}
});
