// Dates, times and durations for display: always in Europe/Helsinki, in the page language.
import { language, t } from './i18n.js';

const ZONE = 'Europe/Helsinki';
const LOCALES = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB', se: 'se-FI' };

function locale() {
  const wanted = LOCALES[language()] || 'fi-FI';
  return Intl.DateTimeFormat.supportedLocalesOf([wanted]).length ? wanted : 'fi-FI';
}

/** "ma 2.3. klo 8.00" style: weekday, date and time, for openings and closing times. */
export function formatDateTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: ZONE, weekday: 'short', day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}

/** Time of day only, for message timestamps and near deadlines. */
export function formatTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** A duration in seconds as whole minutes ("about 4 min"), or "less than a minute". */
export function formatMinutes(seconds) {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return t('time.lessThanMinute');
  if (minutes < 120) return t('time.minutes', { n: minutes });
  return t('time.hoursMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/**
 * A wait range in seconds as "10–20 min", or in whole hours once the upper end passes two hours
 * ("2–4 h"): the lower end rounded down, the upper end up, so the range only ever widens.
 */
export function formatWaitRange(lowSeconds, highSeconds) {
  const low = Math.floor(lowSeconds / 60);
  const high = Math.max(low + 1, Math.ceil(highSeconds / 60));
  if (high <= 120) return t('time.minutesRange', { low, high });
  return t('time.hoursRange', { low: Math.floor(low / 60), high: Math.max(Math.floor(low / 60) + 1, Math.ceil(high / 60)) });
}

/** Seconds since an instant (never negative). */
export function secondsSince(iso, now = Date.now()) {
  return Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
}
