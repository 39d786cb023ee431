// What the patient sees once the conversation has closed, however it closed: the outcome in plain
// words with the detail the professional wrote for them, the feedback form when a professional had
// accepted the chat (feedback-form.js), the transcript, and buttons to download it as a
// text file, print it, or start a new contact. Shown again after a reload while the
// session lasts (patient.js asks for the latest conversation).
import { html, useState, useEffect } from '../ui.js';
import { t } from '../i18n.js';
import { formatDateTime, formatTime } from '../format.js';
import { FeedbackForm } from '../feedback-form.js';
import {
  senderLabel, messageText, professionalLabel, outcomeText, transcriptText, transcriptFileName, downloadText,
} from './transcript.js';

/**
 * @param view the closed conversation's patient view
 * @param service the queue's name in the page language, or null
 * @param loadMessages async (conversationId) => the patient's messages, oldest first
 * @param onNewContact () => void
 * @param feedback {statements, request} to ask for feedback (see FeedbackForm), or null
 */
export function EndScreen({ view, service, loadMessages, onNewContact, feedback = null }) {
  const [loaded, setLoaded] = useState({ id: null, status: 'loading', messages: [] });

  const load = () => {
    const id = view.id;
    setLoaded({ id, status: 'loading', messages: [] });
    loadMessages(id).then(
      (messages) => setLoaded((now) => (now.id === id ? { id, status: 'ready', messages } : now)),
      () => setLoaded((now) => (now.id === id ? { id, status: 'failed', messages: [] } : now)),
    );
  };
  useEffect(load, [view.id]);

  const messages = loaded.id === view.id ? loaded.messages : [];
  const ready = loaded.id === view.id && loaded.status === 'ready';
  const pro = professionalLabel(view);
  const download = () => downloadText(transcriptText({ view, service, messages }), transcriptFileName(view));

  return html`
    <h3 data-testid="end-title">${t('closed.title')}</h3>
    <div class="end-outcome" role="status" data-testid="end-outcome">
      <p>${outcomeText(view)}</p>
      ${view.outcomeDetail ? html`<p class="end-detail" data-testid="end-detail">${t('end.detail', { detail: view.outcomeDetail })}</p>` : null}
    </div>
    ${feedback && view.acceptedAt ? html`<${FeedbackForm} about=${{ conversationId: view.id }} statements=${feedback.statements}
      request=${feedback.request} />` : null}
    <div class="actions">
      <button type="button" class="primary" data-testid="new-contact" onClick=${onNewContact}>${t('closed.newContact')}</button>
    </div>
    <section class="transcript" aria-labelledby="transcript-title" data-testid="transcript">
      <h3 id="transcript-title">${t('transcript.title')}</h3>
      <ul class="transcript-meta">
        ${service ? html`<li>${t('transcript.service', { service })}</li>` : null}
        <li>${t('transcript.date', { date: formatDateTime(view.enqueuedAt) })}</li>
        ${pro ? html`<li>${t('transcript.professional', { name: pro })}</li>` : null}
      </ul>
      ${loaded.status === 'loading' ? html`<p class="hint" role="status">${t('transcript.loading')}</p>` : null}
      ${loaded.status === 'failed' ? html`
        <p class="field-error" role="alert">${t('transcript.failed')}</p>
        <button type="button" onClick=${load}>${t('transcript.retry')}</button>` : null}
      ${ready && messages.length === 0 ? html`<p>${t('transcript.empty')}</p>` : null}
      ${ready && messages.length > 0 ? html`
        <ol class="transcript-lines" data-testid="transcript-lines">
          ${messages.map((m) => html`
            <li key=${m.seq} class=${`transcript-line is-${m.kind === 'system' ? 'system' : (m.sender && m.sender.kind) || 'system'}`}>
              <span class="transcript-when"><time datetime=${m.at}>${formatTime(m.at)}</time></span>${' '}
              <span class="transcript-who">${senderLabel(m)}:</span>${' '}
              <span class="transcript-text">${messageText(m)}</span>
            </li>`)}
        </ol>` : null}
      <div class="actions no-print">
        <button type="button" data-testid="transcript-download" disabled=${!ready} onClick=${download}>${t('transcript.download')}</button>
        <button type="button" data-testid="transcript-print" disabled=${!ready} onClick=${() => window.print()}>${t('transcript.print')}</button>
      </div>
      <p class="hint no-print">${t('transcript.keptHint')}</p>
    </section>`;
}
