// dom — building the screens' elements, shared by the office pages.
import { has, t } from './i18n.js';

/* An element with properties (dataset merged; aria-*, for and role set as attributes) and
 * children (null and undefined left out). */
export function el(tag, props = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(props)) {
		if (k === 'dataset')
			Object.assign(e.dataset, v);
		else if (k.startsWith('aria-') || k === 'for' || k === 'role')
			e.setAttribute(k, v);
		else
			e[k] = v;
	}
	e.append(...children.filter((c) => c !== null && c !== undefined));
	return e;
}

/* The text of key prefix + v when the dictionary has it, else v itself. */
export function word(prefix, v) {
	return v && has(prefix + v) ? t(prefix + v) : v || '';
}
