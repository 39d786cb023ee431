// "Consult" in an open conversation's context pane (docs/protocol.md, "Consultations"): an inline
// disclosure with the target (a consult queue, or a named colleague chosen with the expert search,
// expert-search.js), the urgency and the ISBAR request; sent as consult.open about this conversation.
// The same form, standalone (no panel), opens a consultation about no conversation ("New
// consultation" in the consultations list): no caseConversationId.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t, localized } from '../i18n.js';
import { uid, errorText } from '../dom.js';
import { useLanguage } from './hooks.js';
import { ExpertSearch } from './expert-search.js';

const PARTS = [
  { part: 'situation', max: 1000, required: true },
  { part: 'background', max: 900 },
  { part: 'assessment', max: 900 },
  { part: 'recommendation', max: 900 },
];

/**
 * @param panel the conversation the consultation is about (its api, socket and id), or null
 * @param api, socket without a panel: the console's services
 * @param standalone the form is shown open, without its disclosure button (the caller shows it)
 * @param onDone (consultation | null) => void: standalone, sent (with the consultation) or cancelled
 */
export function ConsultForm({ panel = null, api = panel?.api, socket = panel?.socket, standalone = false, onDone = () => {} }) {
  useLanguage();
  const ids = useRef(null);
  if (!ids.current) {
    ids.current = { form: uid('consult-form'), title: uid('consult-title'), queue: uid('consult-queue'), error: uid('consult-error'),
      urgency: uid('consult-urgency'), ...Object.fromEntries(PARTS.map(({ part }) => [part, uid(`consult-${part}`)])) };
  }
  const id = ids.current;
  const [open, setOpenState] = useState(standalone);
  const setOpen = (value) => {
    setOpenState(value);
    if (standalone && !value) onDone(null);
  };
  const [kind, setKind] = useState('queue'); // 'queue' or 'colleague'
  const [colleague, setColleague] = useState(null);
  const colleagueRef = useRef(null);
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
      api.get('/api/consultations/queues').then((list) => setQueues(list || [])).catch(() => setQueues([]));
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
    if (kind === 'queue' && !queue) return fail(t('consult.form.queueMissing'), queueRef);
    if (kind === 'colleague' && !colleague) {
      setError(t('consult.form.colleagueMissing'));
      colleagueRef.current?.querySelector('input')?.focus();
      return undefined;
    }
    const parts = {};
    for (const { part } of PARTS) {
      const text = (isbar[part] || '').trim();
      if (text) parts[part] = text;
    }
    if (!parts.situation) return fail(t('consult.form.situationMissing'), situationRef);
    setBusy(true);
    try {
      const frame = { type: 'consult.open', urgency, isbar: parts,
        ...(kind === 'queue' ? { queueId: queue } : { toAccountId: colleague.id }) };
      if (panel) frame.caseConversationId = panel.id;
      const reply = await socket.request(frame);
      setIsbar({});
      setQueue('');
      setColleague(null);
      setSent(t('consult.form.sent'));
      if (standalone) onDone(reply.consultation || null);
      else setOpen(false);
    } catch (e) {
      fail(errorText(e), queueRef);
    } finally {
      setBusy(false);
    }
    return undefined;
  };
  return html`<div class="consult">
    <div class="actions" hidden=${standalone}>
      <button type="button" ref=${toggleRef} data-testid="consult-open" aria-expanded=${open ? 'true' : 'false'} aria-controls=${id.form}
          onClick=${() => { setSent(''); setOpen(!open); }}>${t('consult.form.open')}</button>
    </div>
    <p class="hint" role="status" data-testid="consult-sent">${sent}</p>
    <form id=${id.form} class="consult-form" novalidate hidden=${!open} aria-labelledby=${id.title} data-testid="consult-form"
        onSubmit=${submit} onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); setOpen(false); } }}>
      <h3 id=${id.title}>${t(standalone ? 'consult.form.titleNoCase' : 'consult.form.title')}</h3>
      ${standalone ? html`<p class="hint small">${t('consult.form.noCase')}</p>` : null}
      <fieldset class="consult-kind">
        <legend>${t('consult.form.targetKind')}</legend>
        ${['queue', 'colleague'].map((k) => html`<label class="choice"><input type="radio" name=${`${id.form}-kind`} value=${k}
            checked=${kind === k} data-testid=${`consult-kind-${k}`} onChange=${() => { setKind(k); setError(''); }} />
            ${t(k === 'queue' ? 'consult.form.toQueue' : 'consult.form.toColleague')}</label>`)}
      </fieldset>
      ${kind === 'colleague' ? html`<div ref=${colleagueRef} data-testid="consult-colleague">
        <${ExpertSearch} api=${api} t=${t} label=${t('consult.form.colleague')} selectedId=${colleague?.id || null}
            onSelect=${(p) => { setColleague(p); setError(''); }} />
      </div>` : null}
      <div class="field" hidden=${kind !== 'queue'}>
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
