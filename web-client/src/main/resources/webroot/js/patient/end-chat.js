// The patient's "End chat" button with its inline confirmation: a question and two buttons that
// appear in place (no window.confirm), focus moved to the safe choice, and back to the button on
// cancelling.
import { html, useState, useRef, useEffect } from '../ui.js';
import { t } from '../i18n.js';
import { errorText } from '../dom.js';

/**
 * @param onEnd async () => void: ends the conversation; a rejection is shown beside the buttons
 */
export function EndChat({ onEnd }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const keep = useRef(null);
  const opener = useRef(null);
  const wasConfirming = useRef(false);

  useEffect(() => {
    if (confirming && keep.current) keep.current.focus();
    if (!confirming && wasConfirming.current && opener.current) opener.current.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const end = async () => {
    setBusy(true);
    setError(null);
    try {
      await onEnd();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return html`
    <div class="end-chat">
      <button type="button" ref=${opener} data-testid="end-chat" aria-expanded=${confirming ? 'true' : 'false'}
        aria-controls="end-chat-confirm" hidden=${confirming} onClick=${() => setConfirming(true)}>${t('end.button')}</button>
      <div id="end-chat-confirm" class="confirm" role="group" aria-labelledby="end-chat-question" hidden=${!confirming}>
        <p id="end-chat-question">${t('end.confirm')}</p>
        <div class="actions">
          <button type="button" class="danger" data-testid="end-chat-confirm" disabled=${busy} onClick=${end}>${t('end.yes')}</button>
          <button type="button" ref=${keep} data-testid="end-chat-cancel" onClick=${() => { setError(null); setConfirming(false); }}>${t('end.no')}</button>
        </div>
        ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
      </div>
    </div>`;
}
