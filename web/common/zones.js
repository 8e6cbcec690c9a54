// zones — the time-zone select: the zones our customers use, labelled in the page's language.
// A zone that is not in the list (set through the API) is kept as an extra option.
import { t } from './i18n.js';

export const ZONES = [
	'Europe/Paris', 'Europe/Brussels', 'Europe/Luxembourg', 'Europe/Zurich', 'Europe/Monaco',
	'Europe/London', 'Europe/Madrid', 'Europe/Lisbon', 'Europe/Berlin', 'Europe/Rome',
	'America/Guadeloupe', 'America/Martinique', 'America/Cayenne', 'Indian/Reunion', 'Indian/Mayotte',
	'Pacific/Noumea', 'Pacific/Tahiti', 'America/Toronto', 'Africa/Casablanca', 'Africa/Dakar',
];

/* Fills select with the zones (selected: current, default Europe/Paris); call again to relabel. */
export function fillZones(select, current) {
	const keep = current || select.value || 'Europe/Paris';
	const zones = ZONES.includes(keep) ? ZONES : [...ZONES, keep];
	select.replaceChildren(...zones.map((z) => {
		const o = document.createElement('option');
		o.value = z;
		const key = 'tz.' + z;
		const label = t(key);
		o.textContent = label === key ? z : label;
		return o;
	}));
	select.value = keep;
}
