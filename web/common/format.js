// format — money and dates in the page's language (Intl, with fixed French conventions).
import { intlLocale, lang, t } from './i18n.js';

/* "19 €" / "€19" — no decimals for whole amounts. */
export function money(cents, currency = 'EUR') {
	const whole = cents % 100 === 0;
	return new Intl.NumberFormat(intlLocale(), {
		style: 'currency',
		currency,
		minimumFractionDigits: whole ? 0 : 2,
		maximumFractionDigits: whole ? 0 : 2,
	}).format(cents / 100);
}

/* « 19 € HT / mois » / "€19 excl. VAT / month". */
export function monthlyPrice(cents, currency) {
	return t('plan.price', { price: money(cents, currency) });
}

/* An instant (RFC 3339 string or Unix seconds) as a date and time in time zone tz:
 * « 26 mars 2027 à 00:00 » / "26 March 2027 at 00:00". */
export function dateTime(instant, tz) {
	const d = typeof instant === 'number' ? new Date(instant * 1000) : new Date(instant);
	if (Number.isNaN(d.getTime()))
		return String(instant);
	const opts = { dateStyle: 'long', timeStyle: 'short' };
	try {
		return new Intl.DateTimeFormat(intlLocale(), { ...opts, timeZone: tz || undefined }).format(d);
	} catch {
		return new Intl.DateTimeFormat(intlLocale(), opts).format(d);
	}
}

/* The current language, for callers that only need fr/en. */
export function currentLang() {
	return lang();
}
