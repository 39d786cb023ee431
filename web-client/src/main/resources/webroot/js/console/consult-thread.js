// A consultation's thread in the console's conversation pane (docs/protocol.md, "Consultations"):
// the professional-only conversation (threadConversationId) shown by the same ConversationPanel as
// a patient's chat (history, live messages, unread counts, the photo picker), but labelled as a
// consultation thread, with the ISBAR request at its top, and in the context pane the linked case,
// the due time or "overdue" in words and the actions: accept, read the case, join the patient's
// conversation, take over, close with the answer. Also the notice on a case opened read-only by a
// consultant who has not joined it yet.
import { html, useState } from '../ui.js';
import { t, localized } from '../i18n.js';
import { uid, errorText } from '../dom.js';
import { formatDateTime } from '../format.js';
import { useLanguage } from './hooks.js';
import { PanelTop } from './panel-top.js';

/** Due time, "answer now" or "overdue", in words; overdue as the server flagged it (its clock, not the browser's). */
export function dueText(k) {
  if (k.state === 'closed') return '';
  if (k.breached) return t('consult.overdue');
  if (k.urgency === 'urgent') return t('consult.urgentNow');
  return k.dueAt ? t('consult.dueAt', { time: formatDateTime(k.dueAt) }) : '';
}

/** Where the consultation was sent: the consult queue, or the named colleague. */
export function targetText(k) {
  if (k.toAccount) return t('consult.toColleague', { name: k.toAccount.displayName || '' });
  return (k.queueName && localized(k.queueName)) || k.queueId || '';
}

/** A response target in minutes, in words ("90 minutes", "4 hours"). */
export function responseTargetText(minutes) {
  if (typeof minutes !== 'number' || minutes <= 0) return '';
  const span = minutes % 60 === 0 && minutes >= 120
    ? t('consult.hours', { n: minutes / 60 }) : t('consult.minutes', { n: minutes });
  return t('consult.responseTarget', { span });
}

/** The heading of a thread: the consultation and where it was sent. */
export function threadTitle(k) {
  return t('consult.thread.title', { target: targetText(k) });
}

export function IsbarList({ isbar, testid }) {
  const parts = ['situation', 'background', 'assessment', 'recommendation'].filter((key) => isbar && isbar[key]);
  return html`<dl class="consult-isbar" data-testid=${testid}>
    ${parts.map((key) => html`<dt>${t(`consult.isbar.${key}`)}</dt><dd>${isbar[key]}</dd>`)}
  </dl>`;
}

/** What the consultant may do now, given who `me` is. */
export function consultRoles(k, me) {
  const open = k.state !== 'closed';
  const consultant = Boolean(k.consultant && k.consultant.id === me);
  const requester = Boolean(k.requester && k.requester.id === me);
  return { open, consultant, requester, canAccept: open && k.state === 'waiting' && !requester };
}

/**
 * The conversation pane and context pane of a consultation thread.
 * @param panel the ConversationPanel (panel.consultation is the consultation object, panel.consult its actions)
 */
export function ThreadPanes({ panel, view, live, unread }) {
  useLanguage();
  const k = panel.consultation;
  const { title, context } = panel.ids;
  const chatSlot = (el) => {
    if (el && panel.chat.element.parentNode !== el) el.append(panel.chat.element);
  };
  const due = dueText(k);
  const closed = k.state === 'closed' || view.state === 'closed';
  return html`
    <section class="pane pane-conversation consult-thread" aria-labelledby=${title} data-testid="consult-thread">
      <header class="panel-header">
        <${PanelTop} panel=${panel} titleId=${title} heading=${threadTitle(k)} unread=${unread} />
        <p class="item-facts">
          <span class="badge consult-thread-badge" data-testid="consult-thread-label">${t('consult.thread.label')}</span>${' '}
          <span class=${`badge ${k.urgency === 'urgent' ? 'badge-urgent' : ''}`}>${t(`consult.urgency.${k.urgency}`)}</span>${' '}
          <span class=${k.breached ? 'consult-overdue' : 'hint'} data-testid="consult-thread-due">${due}</span>
        </p>
      </header>
      <details class="consult-request" open>
        <summary>${t('consult.thread.request', { name: (k.requester && k.requester.displayName) || '' })}</summary>
        <${IsbarList} isbar=${k.isbar} testid="consult-thread-isbar" />
      </details>
      <p class="notice" role="status" hidden=${live}>${live ? '' : t(closed ? 'consult.thread.closed' : 'panel.revoked')}</p>
      ${k.answer ? html`<p class="consult-answer" data-testid="consult-thread-answer"><strong>${t('consult.answer')}:</strong> ${k.answer}</p>` : null}
      <div class="chat-slot" ref=${chatSlot}></div>
    </section>
    <aside class="pane pane-context" aria-labelledby=${context} data-testid="context-pane">
      <div class="panel-nav">
        <button type="button" class="phone-only back" data-testid="back-to-conversation" onClick=${() => panel.onView('conversation')}>
          <span aria-hidden="true">←</span><span>${t('console.backToConversation')}</span></button>
      </div>
      <h2 id=${context}>${t('consult.thread.contextTitle')}</h2>
      <${ConsultActions} k=${k} me=${panel.me()} consult=${panel.consult} />
    </aside>`;
}

/**
 * The facts and actions of one consultation: its state, the linked case, accept, read the case,
 * join, take over, close with the answer. `consult` holds the actions: act(frame) → Promise<boolean>,
 * openCase(k), openThread(k) (absent where the thread is already shown).
 */
export function ConsultActions({ k, me, consult, showThread = false, showError = null }) {
  useLanguage();
  const [answer, setAnswer] = useState('');
  const [ownError, setOwnError] = useState('');
  // in the list, errors go to the list's alert (showError); in the thread's context pane, here
  const error = showError ? '' : ownError;
  const setError = showError || setOwnError;
  const [ids] = useState(() => ({ answer: uid('consult-answer'), error: uid('consult-action-error') }));
  const { open, consultant, canAccept } = consultRoles(k, me);
  const act = async (frame) => {
    setError('');
    try {
      await consult.act(frame);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };
  const close = async (event) => {
    event.preventDefault();
    if (!answer.trim()) {
      setError(t('error.answer_required'));
      return;
    }
    if (await act({ type: 'consult.close', consultationId: k.id, answer: answer.trim() })) setAnswer('');
  };
  const fact = (key, value) => html`<dt>${t(key)}</dt><dd>${value}</dd>`;
  return html`<div class="consult-actions" data-testid="consult-actions">
    ${showThread ? html`<p>${t(`consult.state.${k.state}`)}${k.consultant ? ` · ${t('consult.consultant', { name: k.consultant.displayName || '' })}` : ''}</p>`
      : html`<dl class="facts">
      ${fact('consult.thread.state', t(`consult.state.${k.state}`))}
      ${fact('consult.thread.target', targetText(k))}
      ${fact('consult.thread.requester', (k.requester && k.requester.displayName) || '')}
      ${k.consultant ? fact('consult.thread.consultantFact', k.consultant.displayName || '') : null}
      ${fact('consult.thread.case', k.caseConversationId
        ? html`<span data-testid="consult-case-name">${(consult.caseName && consult.caseName(k))
          || t('consult.thread.caseLinked', { who: k.caseConversationId.slice(0, 4) })}</span>`
        : t('consult.thread.noCase'))}
      ${dueText(k) ? fact('consult.thread.due', dueText(k)) : null}
      ${k.breached ? fact('consult.thread.breachedFact', t('consult.breached')) : null}
    </dl>`}
    ${showError ? null : html`<p class="field-error" id=${ids.error} role="alert" data-testid="consult-action-error" hidden=${!error}>${error}</p>`}
    <div class="actions">
      ${showThread && (k.state !== 'waiting' || !canAccept) ? html`<button type="button" data-testid="consult-open-thread"
          onClick=${() => consult.openThread(k)}>${t('consult.thread.open')}</button>` : null}
      ${canAccept ? html`<button type="button" class="primary" data-testid="consult-accept"
          onClick=${() => act({ type: 'consult.accept', consultationId: k.id })}>${t('consult.accept')}</button>` : null}
      ${open && consultant && k.caseConversationId ? html`
        <button type="button" data-testid="consult-read-case" onClick=${() => consult.openCase(k)}>${t('consult.case.open')}</button>
        <button type="button" data-testid="consult-join" disabled=${!!k.joinedAt}
            onClick=${() => act({ type: 'consult.join', consultationId: k.id })}>${t('consult.join')}</button>
        <button type="button" data-testid="consult-takeover"
            onClick=${() => act({ type: 'consult.takeover', consultationId: k.id })}>${t('consult.takeOver')}</button>` : null}
    </div>
    ${open ? html`<form class="consult-close" onSubmit=${close} novalidate>
      <label for=${ids.answer}>${t('consult.answer')}</label>
      <textarea id=${ids.answer} data-testid="consult-answer" maxlength="4000" rows="3" value=${answer}
          aria-describedby=${showError ? undefined : ids.error} onInput=${(event) => setAnswer(event.target.value)}></textarea>
      <div class="actions"><button type="submit" data-testid="consult-close">${t('consult.close')}</button></div>
    </form>` : null}
  </div>`;
}

/** On a case a consultant opened to read (before consult.join): read-only, with the way to join. */
export function CaseReadOnlyNotice({ panel }) {
  useLanguage();
  const k = panel.caseOf;
  const [error, setError] = useState('');
  const join = async () => {
    setError('');
    try {
      await panel.consult.act({ type: 'consult.join', consultationId: k.id });
    } catch (e) {
      setError(errorText(e));
    }
  };
  return html`<div class="notice consult-case-notice" data-testid="consult-case-readonly">
    <p>${t('consult.case.readOnly')}</p>
    <p class="field-error" role="alert" hidden=${!error}>${error}</p>
    <div class="actions"><button type="button" data-testid="consult-case-join" onClick=${join}>${t('consult.join')}</button></div>
  </div>`;
}
