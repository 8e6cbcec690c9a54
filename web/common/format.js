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

/* What a plan gives (GET /api/v1/plans' object), one line each: staff, e-mail, SMS, own
 * colours and logo, support. */
export function planFeatures(p) {
	const f = [];
	if (p.staff_limit < 0)
		f.push(t('plan.staff_unlimited'));
	else if (p.staff_limit === 1)
		f.push(t('plan.staff_one'));
	else
		f.push(t('plan.staff_many', { n: p.staff_limit }));
	f.push(t('plan.email'));
	f.push(p.sms_per_month > 0 ? t('plan.sms', { n: p.sms_per_month }) : t('plan.no_sms'));
	if (p.branding)
		f.push(t('plan.branding'));
	f.push(t('plan.support', { n: p.support_hours }));
	return f;
}

/* An instant (RFC 3339 string or Unix seconds) as a date and time in time zone tz:
 * « 26 mars 2027 à 00:00 » / "26 March 2027 at 00:00". */
export function dateTime(instant, tz) {
	const d = typeof instant === 'number' ? new Date(instant * 1000) : new Date(instant);
	if (Number.isNaN(d.getTime()))
		return String(instant);
	return inZone(d, { dateStyle: 'long', timeStyle: 'short' }, tz);
}

/* A Date formatted with Intl options in time zone tz (the browser's zone when tz is empty or
 * unknown to it). */
export function inZone(d, opts, tz) {
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
