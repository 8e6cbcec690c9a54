// u — the one-click unsubscribe link of idea notices (/u/{token}): the button POSTs to the
// same address (mail clients that support one-click unsubscribe POST there themselves).
import { init, t } from '../common/i18n.js';

init();
const token = location.pathname.split('/').filter(Boolean)[1] || '';
const out = document.getElementById('u-status');
document.getElementById('u-go').addEventListener('click', async (ev) => {
	ev.target.disabled = true;
	let res;
	try {
		res = await fetch('/u/' + encodeURIComponent(token), { method: 'POST', headers: { Accept: 'application/json' } });
	} catch {
		res = null;
	}
	if (res && res.ok) {
		const data = await res.json();
		out.textContent = t('community.unsub_done', { title: data.idea.title });
	} else {
		out.textContent = t(res && res.status === 404 ? 'community.unsub_unknown' : 'err.unknown');
		ev.target.disabled = false;
	}
});
