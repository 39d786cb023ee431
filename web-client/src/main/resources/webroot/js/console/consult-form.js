// "Consult" in an open conversation's context pane (docs/protocol.md, "Consultations"): an inline
// disclosure with the consult queue, the urgency and the ISBAR request; sent as consult.open about
// this conversation. The target is a consult queue; choosing a named colleague belongs to the expert
// search, not to this form.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t, localized } from '../i18n.js';
import { uid, errorText } from '../dom.js';
import { useLanguage } from './hooks.js';

const PARTS = [
  { part: 'situation', max: 1000, required: true },
  { part: 'background', max: 900 },
  { part: 'assessment', max: 900 },
  { part: 'recommendation', max: 900 },
];

export function ConsultForm({ panel }) {
  useLanguage();
  const ids = useRef(null);
  if (!ids.current) {
    ids.current = { form: uid('consult-form'), title: uid('consult-title'), queue: uid('consult-queue'), error: uid('consult-error'),
      urgency: uid('consult-urgency'), ...Object.fromEntries(PARTS.map(({ part }) => [part, uid(`consult-${part}`)])) };
  }
  const id = ids.current;
  const [open, setOpen] = useState(false);
  const [queues, setQueues] = useState([]);
  const [queue, setQueue] = useState('');
  const [urgency, setUrgency] = useState('non_urgent');
  const [isbar, setIsbar] = useState({});
  const [error, setError] = useState('');
  const [sent, setSent] = useState('');
  const [busy, setBusy] = useState(false);
  const toggleRef = useRef(null);
  const queueRef = useRef(null);
  const situationRef = useRef(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) {
      panel.api.get('/api/consultations/queues').then((list) => setQueues(list || [])).catch(() => setQueues([]));
      queueRef.current?.focus();
    } else if (wasOpen.current) toggleRef.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const fail = (text, ref) => {
    setError(text);
    ref.current?.focus();
  };
  const submit = async (event) => {
    event.preventDefault();
    setError('');
    if (!queue) return fail(t('consult.form.queueMissing'), queueRef);
    const parts = {};
    for (const { part } of PARTS) {
      const text = (isbar[part] || '').trim();
      if (text) parts[part] = text;
    }
    if (!parts.situation) return fail(t('consult.form.situationMissing'), situationRef);
    setBusy(true);
    try {
      await panel.socket.request({ type: 'consult.open', caseConversationId: panel.id, queueId: queue, urgency, isbar: parts });
      setIsbar({});
      setQueue('');
      setOpen(false);
      setSent(t('consult.form.sent'));
    } catch (e) {
      fail(errorText(e), queueRef);
    } finally {
      setBusy(false);
    }
    return undefined;
  };
  return html`<div class="consult">
    <div class="actions">
      <button type="button" ref=${toggleRef} data-testid="consult-open" aria-expanded=${open ? 'true' : 'false'} aria-controls=${id.form}
          onClick=${() => { setSent(''); setOpen(!open); }}>${t('consult.form.open')}</button>
    </div>
    <p class="hint" role="status" data-testid="consult-sent">${sent}</p>
    <form id=${id.form} class="consult-form" novalidate hidden=${!open} aria-labelledby=${id.title} data-testid="consult-form"
        onSubmit=${submit} onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); setOpen(false); } }}>
      <h3 id=${id.title}>${t('consult.form.title')}</h3>
      <div class="field">
        <label for=${id.queue}>${t('consult.form.queue')}</label>
        <select id=${id.queue} ref=${queueRef} data-testid="consult-queue" required value=${queue} aria-describedby=${id.error}
            onChange=${(e) => setQueue(e.target.value)}>
          <option value="">${t('consult.form.queueChoose')}</option>
          ${queues.map((q) => html`<option value=${q.id}>${localized(q.names) || q.id}</option>`)}
        </select>
      </div>
      <fieldset>
        <legend>${t('consult.form.urgency')}</legend>
        ${['non_urgent', 'urgent'].map((u) => html`<label class="choice"><input type="radio" name=${id.urgency} value=${u}
            data-testid=${`consult-urgency-${u}`} checked=${urgency === u} onChange=${() => setUrgency(u)} /> ${t(`consult.urgency.${u}`)}</label>`)}
      </fieldset>
      <fieldset class="isbar">
        <legend>${t('consult.form.isbar')}</legend>
        ${PARTS.map(({ part, max, required }) => html`<div class="field">
          <label for=${id[part]}>${t(`consult.isbar.${part}`)}${required ? '' : ` (${t('questionnaire.optional')})`}</label>
          <textarea id=${id[part]} rows="2" maxlength=${max} required=${Boolean(required)} data-testid=${`consult-${part}`}
              ref=${required ? situationRef : undefined} value=${isbar[part] || ''}
              onInput=${(e) => setIsbar({ ...isbar, [part]: e.target.value })}></textarea>
        </div>`)}
      </fieldset>
      <p class="field-error" id=${id.error} role="alert" data-testid="consult-error" hidden=${!error}>${error}</p>
      <div class="actions">
        <button type="submit" class="primary" data-testid="consult-submit" disabled=${busy}>${t('consult.form.submit')}</button>
        <button type="button" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
      </div>
    </form>
  </div>`;
}
