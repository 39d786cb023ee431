// The patient's part of a transfer (docs/protocol.md, "Transfers"): where the conversation moves,
// and the question whether the next professional may see the earlier messages, with the time to
// answer and what happens without an answer. Once answered (or expired) the decision is shown with
// a way to change it. Everything comes from the view's `transfer` field, so a reload shows the
// same. Focus follows the buttons that replace each other; the page's live region announces.
import { html, useState, useRef, useEffect } from '../ui.js';
import { t } from '../i18n.js';
import { errorText } from '../dom.js';
import { formatTime } from '../format.js';

/** The bundle key of the decision line for a consent value. */
const DECIDED = { granted: 'transfer.decidedGranted', refused: 'transfer.decidedRefused', expired: 'transfer.decidedExpired' };

/**
 * The sentence saying where the conversation moves, in the page language.
 * @param queueName (queueId) => string|null
 */
export function movingText(transfer, queueName) {
  const target = transfer.target || {};
  if (target.kind === 'professional') {
    const role = target.role ? t(`role.${target.role}`) : '';
    return t(role ? 'transfer.movingToProfessional' : 'transfer.movingToProfessionalNoRole', { name: target.name || '', role });
  }
  const queue = target.queueId ? queueName(target.queueId) : null;
  return queue ? t('transfer.movingToQueue', { queue }) : t('transfer.movingToService');
}

/** What the page's live region says when the question is asked or the answer recorded. */
export function announcement(transfer, queueName) {
  if (transfer.consent === 'pending') {
    return `${movingText(transfer, queueName)} ${t('transfer.question')} ${t('transfer.answerBy', { time: formatTime(transfer.answerBy) })}`;
  }
  return t(DECIDED[transfer.consent] || 'transfer.decidedRefused', { time: formatTime(transfer.decidedAt) });
}

/**
 * @param transfer {transferId, target, answerBy, consent, decidedAt} from the patient's view
 * @param queueName (queueId) => string|null
 * @param onAnswer async (granted: boolean) => void; a rejection is shown beside the buttons
 */
export function TransferConsent({ transfer, queueName, onAnswer }) {
  const [changing, setChanging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const firstChoice = useRef(null);
  const change = useRef(null);
  const moveFocus = useRef(null);
  const asking = transfer.consent === 'pending' || changing;

  // a new transfer asks afresh
  useEffect(() => setChanging(false), [transfer.transferId]);

  useEffect(() => {
    // after an answer the buttons are gone: focus the way to change it; when changing, the first choice.
    // The wish is kept until a render shows its target (an earlier render's effect may run first).
    const target = moveFocus.current === 'change' && !asking ? change.current
      : moveFocus.current === 'choice' && asking ? firstChoice.current : null;
    if (target) {
      target.focus();
      moveFocus.current = null;
    }
  });

  const answer = async (granted) => {
    setBusy(true);
    setError(null);
    try {
      await onAnswer(granted);
      moveFocus.current = 'change';
      setChanging(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const decided = DECIDED[transfer.consent];
  return html`
    <section class="transfer-consent notice" aria-labelledby="transfer-title" data-testid="transfer-consent">
      <h3 id="transfer-title">${t('transfer.title')}</h3>
      <p data-testid="transfer-target">${movingText(transfer, queueName)}</p>
      ${asking ? html`
        <div role="group" aria-labelledby="transfer-question"
          aria-describedby=${transfer.consent === 'pending' ? 'transfer-deadline transfer-no-answer' : undefined}>
          <p id="transfer-question" class="transfer-question"><strong>${t('transfer.question')}</strong></p>
          <p class="hint">${t('transfer.questionHint')}</p>
          ${transfer.consent === 'pending' ? html`
            <p id="transfer-deadline" data-testid="transfer-deadline">${t('transfer.answerBy', { time: formatTime(transfer.answerBy) })}</p>
            <p id="transfer-no-answer" class="hint">${t('transfer.noAnswer')}</p>` : null}
          <div class="actions">
            <button type="button" class="primary" ref=${firstChoice} data-testid="transfer-consent-yes" disabled=${busy}
              onClick=${() => answer(true)}>${t('transfer.yes')}</button>
            <button type="button" data-testid="transfer-consent-no" disabled=${busy}
              onClick=${() => answer(false)}>${t('transfer.no')}</button>
            ${changing ? html`<button type="button" data-testid="transfer-consent-keep" disabled=${busy}
              onClick=${() => { setError(null); moveFocus.current = 'change'; setChanging(false); }}>${t('transfer.keep')}</button>` : null}
          </div>
          ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
        </div>` : html`
        <p data-testid="transfer-decision"><strong>${t(decided || 'transfer.decidedRefused', { time: formatTime(transfer.decidedAt) })}</strong></p>
        <p class="hint">${t(transfer.consent === 'granted' ? 'transfer.grantedMeans' : 'transfer.refusedMeans')}</p>
        <div class="actions">
          <button type="button" ref=${change} data-testid="transfer-consent-change"
            onClick=${() => { moveFocus.current = 'choice'; setChanging(true); }}>${t('transfer.change')}</button>
        </div>`}
    </section>`;
}
