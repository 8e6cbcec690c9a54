// roadmap — the public roadmap: planned, started and completed improvement requests with
// their vote counts (GET /api/v1/roadmap), redrawn when the language changes.
import { api } from '../common/api.js';
import { init, t } from '../common/i18n.js';

init();
let data = null;

function draw() {
	for (const col of ['planned', 'started', 'completed']) {
		const ul = document.getElementById('rm-' + col);
		ul.replaceChildren();
		const items = data[col] || [];
		if (!items.length) {
			const li = document.createElement('li');
			li.className = 'muted';
			li.textContent = t('community.col_empty');
			ul.append(li);
		}
		for (const it of items) {
			const li = document.createElement('li');
			const h = document.createElement('h3');
			h.textContent = it.title;
			const v = document.createElement('p');
			v.className = 'votes';
			v.textContent = t('community.votes', { n: it.votes });
			li.append(h, v);
			if (it.response) {
				const p = document.createElement('p');
				p.textContent = it.response;
				li.append(p);
			}
			ul.append(li);
		}
	}
}

try {
	data = await api('GET', '/roadmap');
	document.getElementById('rm-status').textContent = '';
	draw();
	document.addEventListener('langchange', draw);
} catch {
	document.getElementById('rm-status').textContent = t('err.unknown');
}
