// The transcript of a closed conversation, as the patient may keep it: the lines shown on the end
// screen and the UTF-8 text file made from them in the page. Built only from what the server sends
// a patient (the patient view and the patient's message history), so internal notes, which never
// reach a patient, cannot be in it.
import { t } from '../i18n.js';
import { formatDateTime, formatTime } from '../format.js';
import { systemMessage } from '../system-text.js';

/** Who wrote a message, in the page language. */
export function senderLabel(message) {
  const sender = message.sender || {};
  if (message.kind === 'system' || sender.kind === 'system') return t('transcript.system');
  if (sender.kind === 'patient') return t('transcript.you');
  const role = sender.role ? t(`role.${sender.role}`) : '';
  if (sender.name) return role ? `${sender.name} (${role})` : sender.name;
  return role || t('transcript.professionalUnknown');
}

/** A message's text: system messages carry a code that the page translates; a photo is named, not shown. */
export function messageText(message) {
  if (message.kind === 'system') {
    const said = systemMessage(message, (role) => t(`role.${role}`));
    return said.key ? t(said.key, said.params) : said.text;
  }
  const text = message.text || '';
  if (!message.attachment) return text;
  return text ? `${text} ${t('attachment.inTranscript')}` : t('attachment.inTranscript');
}

/** The professional as the header names them, or null. */
export function professionalLabel(view) {
  const pro = view.professional;
  if (!pro || !pro.name) return null;
  return pro.role ? `${pro.name} (${t(`role.${pro.role}`)})` : pro.name;
}

/** The outcome in plain words for the patient. */
export function outcomeText(view) {
  return view.outcome ? t(`end.outcome.${view.outcome}`) : t('closed.noOutcome');
}

/** The transcript as text: a header (service, date, professional, outcome), then each message with time and sender. */
export function transcriptText({ view, service, messages }) {
  const lines = [t('transcript.fileTitle'), ''];
  if (service) lines.push(t('transcript.service', { service }));
  lines.push(t('transcript.date', { date: formatDateTime(view.enqueuedAt) }));
  const pro = professionalLabel(view);
  if (pro) lines.push(t('transcript.professional', { name: pro }));
  lines.push(outcomeText(view));
  if (view.outcomeDetail) lines.push(t('end.detail', { detail: view.outcomeDetail }));
  lines.push('');
  for (const message of messages) {
    lines.push(`[${formatTime(message.at)}] ${senderLabel(message)}: ${messageText(message)}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name for the transcript: the service's date, so several contacts do not overwrite each other. */
export function transcriptFileName(view) {
  const day = (view.enqueuedAt || new Date().toISOString()).slice(0, 10);
  return `kanava-${day}.txt`;
}

/** Offers the text as a UTF-8 file download, made in the page (nothing is sent anywhere). */
export function downloadText(text, fileName) {
  // a byte order mark, so that Windows' Notepad reads ä, ö and Sámi letters right
  const blob = new Blob(['\ufeff', text], { type: 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
