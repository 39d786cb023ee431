// "Return to sender": the professional who took a transferred conversation from the target queue
// hands it back to whoever transferred it, with a reason they will see (transfer.decline, docs/
// protocol.md "Transfers"; the patient is told it went back). A named transfer is declined on its
// offer card instead, before it is accepted (queues.js). An inline disclosure like the transfer
// form: the button opens it and focuses the reason; Cancel or Escape close it and give the focus back.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { uid } from '../dom.js';
import { useLanguage } from './hooks.js';

const REASON_MAX = 500;

/** Whether the open conversation came to us through a transfer to the queue it is in now (so we took it there). */
export function receivedFromQueue(view) {
  const target = view && view.transfer && view.transfer.target;
  return Boolean(target && target.kind === 'queue' && target.queueId === view.queueId);
}

/**
 * @param panel the ConversationPanel: its socket, id, and onTransferred(conversationId, {kind: 'sender'})
 *              once the conversation has gone back (it leaves our list)
 * @param errorText (error) => the text for an error code
 */
export function ReturnToSender({ panel, errorText }) {
  useLanguage();
  const ids = useRef(null);
  if (!ids.current) ids.current = { form: uid('return-form'), title: uid('return-title'), reason: uid('return-reason'), hint: uid('return-hint'), error: uid('return-error') };
  const id = ids.current;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const toggleRef = useRef(null);
  const reasonRef = useRef(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) reasonRef.current?.focus();
    else if (wasOpen.current) toggleRef.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const close = () => {
    setOpen(false);
    setError('');
  };
  const submit = async (event) => {
    event.preventDefault();
    const text = reason.trim();
    if (!text) {
      setError(t('experts.returnReasonMissing'));
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await panel.socket.request({ type: 'transfer.decline', conversationId: panel.id, reason: text });
      panel.onTransferred(panel.id, { kind: 'sender' });
    } catch (e) {
      setBusy(false);
      setError(errorText(e));
      reasonRef.current?.focus();
    }
  };
  return html`<div class="return-to-sender">
    <div class="actions">
      <button type="button" ref=${toggleRef} data-testid="return-open" aria-expanded=${open ? 'true' : 'false'} aria-controls=${id.form}
          onClick=${() => (open ? close() : setOpen(true))}>${t('experts.returnOpen')}</button>
    </div>
    <form id=${id.form} class="transfer-form" novalidate hidden=${!open} aria-labelledby=${id.title} data-testid="return-form"
        onSubmit=${submit} onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } }}>
      <h3 id=${id.title}>${t('experts.returnTitle')}</h3>
      <div class="field">
        <label for=${id.reason}><span>${t('experts.returnReason')}</span> <span class="required-mark">${t('questionnaire.required')}</span></label>
        <input id=${id.reason} ref=${reasonRef} data-testid="return-reason" maxlength=${REASON_MAX} autocomplete="off" required
            aria-describedby=${`${id.hint} ${id.error}`} aria-invalid=${error ? 'true' : undefined} value=${reason}
            onInput=${(e) => { setReason(e.target.value); if (error) setError(''); }} />
        <p class="hint small" id=${id.hint}>${t('experts.returnHint')}</p>
      </div>
      <p class="field-error" id=${id.error} role="alert" data-testid="return-error" hidden=${!error}>${error}</p>
      <div class="actions">
        <button type="submit" class="danger" data-testid="return-submit" disabled=${busy}>${t('experts.returnConfirm')}</button>
        <button type="button" onClick=${close}>${t('common.cancel')}</button>
      </div>
    </form>
  </div>`;
}
