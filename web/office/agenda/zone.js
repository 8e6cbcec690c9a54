// zone — wall times of the business's time zone, whatever the browser's zone.
//
// The calendar is given "floating" times: an appointment at 10:00 in Paris is given to it as
// "…T10:00:00", and its callbacks answer Dates whose local fields (getHours…) read 10:00,
// whatever the browser's zone. These helpers turn the
// API's instants into such wall times and back, with the zone's real offset on that date (so a
// browser in New York still shows and books Paris times, and summer time is right).

const formats = new Map();

function parts(ms, tz) {
	let f = formats.get(tz);
	if (!f) {
		f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
			day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
		formats.set(tz, f);
	}
	const p = {};
	for (const x of f.formatToParts(new Date(ms)))
		p[x.type] = x.value;
	return p;
}

const pad = (n) => String(n).padStart(2, '0');

/* The zone's offset from UTC, in minutes, at instant ms. */
export function offsetMinutes(ms, tz) {
	const whole = Math.floor(ms / 1000) * 1000;
	const p = parts(whole, tz);
	const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
	return Math.round((asUtc - whole) / 60000);
}

/* "YYYY-MM-DDTHH:MM:SS", the wall time in tz of an instant (RFC 3339 string or ms). */
export function wallOf(instant, tz) {
	const ms = typeof instant === 'number' ? instant : Date.parse(instant);
	const p = parts(ms, tz);
	return `${p.year}-${p.month}-${p.day}T${pad(+p.hour % 24)}:${p.minute}:${p.second}`;
}

/* "YYYY-MM-DD" today in tz. */
export function todayIn(tz) {
	return wallOf(Date.now(), tz).slice(0, 10);
}

/* The RFC 3339 instant (with tz's offset) of a wall time in tz. A wall time that a clock change
 * skips or repeats is read with the offset in force after the change. */
export function instantOfWall(y, mo, d, h, mi, tz) {
	const guess = Date.UTC(y, mo - 1, d, h, mi);
	const off1 = offsetMinutes(guess, tz);
	let ms = guess - off1 * 60000;
	const off2 = offsetMinutes(ms, tz);
	if (off2 !== off1)
		ms = guess - off2 * 60000;
	const off = offsetMinutes(ms, tz);
	const w = new Date(ms + off * 60000);
	const sign = off < 0 ? '-' : '+';
	const a = Math.abs(off);
	return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}T${pad(w.getUTCHours())}:` +
		`${pad(w.getUTCMinutes())}:00${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/* The instant of a calendar Date (whose local fields are a wall time in tz). */
export function instantOfCalendar(date, tz) {
	return instantOfWall(date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(),
		date.getMinutes(), tz);
}

/* "YYYY-MM-DD" of a calendar Date. */
export function dayOfCalendar(date) {
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/* "HH:MM" of a calendar Date. */
export function timeOfCalendar(date) {
	return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
