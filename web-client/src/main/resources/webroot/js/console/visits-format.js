// What the console's Visits view says about visits and their members, in words from the bundles.
import { t, language } from '../i18n.js';
import { instant } from '../visit/session.js';
import { networkCheckText } from '../visit/network.js';

export const VISIT_LANGUAGES = ['fi', 'sv', 'en', 'se', 'smn', 'sms'];
export const CHANNELS = ['video', 'chat'];
export const DURATIONS = [15, 20, 30, 45, 60];

/** Today as YYYY-MM-DD in the browser's time zone (what a date input holds). */
export function today() {
  return localDate(new Date());
}

export function localDate(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function localTime(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A date input's and a time input's values as an ISO-8601 instant. */
export function toInstant(date, time) {
  return new Date(`${date}T${time}`).toISOString();
}

export function clock(value) {
  return new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit' }).format(new Date(instant(value)));
}

export function timeRange(visit) {
  return `${clock(visit.startsAt)}–${clock(visit.endsAt || instant(visit.startsAt) + visit.durationMinutes * 60000)}`;
}

export function stateText(visit) {
  const text = t(`visit.state.${visit.state}`);
  return visit.lateMinutes ? `${text}, ${t('visit.lateBy', { minutes: visit.lateMinutes })}` : text;
}

export function memberLabel(member) {
  return [member.name || t(`visit.kind.${member.kind}`), t(`visit.kind.${member.kind}`)].filter((v, i, a) => a.indexOf(v) === i).join(', ');
}

export function checkText(member) {
  return t('visit.networkCheck', { result: networkCheckText(member.networkCheck) });
}

export function waitingMembers(visit) {
  return (visit.members || []).filter((m) => m.waiting);
}

/** A join link as the patient would open it: a path from the server gets this page's origin. */
export function absoluteLink(url) {
  if (!url) return '';
  return url.startsWith('/') ? `${location.origin}${url}` : url;
}
