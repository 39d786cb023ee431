// The consultant's side of consultations between professionals (docs/protocol.md, "Consultations"):
// what waits in the consult queues the professional serves (urgent first, with the due time or
// "overdue" in words, not only colour), accepting, and the consultations they asked for or took:
// the ISBAR request, joining or taking over the linked patient conversation, closing with the
// answer. The lists come from GET /api/consultations and are fetched again whenever the server
// says a consultation was offered, changed or passed its due time.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { errorText, showAlert } from '../dom.js';
import { useLanguage } from './hooks.js';
import { ConsultForm } from './consult-form.js';
import { dueText, targetText, responseTargetText, IsbarList, ConsultActions } from './consult-thread.js';

const FRAMES = ['consult.offer', 'consult.updated', 'consult.breached', 'consult.opened'];

function Summary({ k, responseMinutes }) {
  const target = k.queueId && k.urgency !== 'urgent' ? responseTargetText(responseMinutes) : '';
  return html`
    <p class="consult-meta">
      <span class=${`badge ${k.urgency === 'urgent' ? 'badge-urgent' : ''}`}>${t(`consult.urgency.${k.urgency}`)}</span>${' '}
      <span>${targetText(k)}</span>${' · '}
      <span>${t('consult.from', { name: (k.requester && k.requester.displayName) || '' })}</span>${' · '}
      <span class=${k.breached ? 'consult-overdue' : ''} data-testid="consult-due">${dueText(k)}</span>
      ${k.breached ? html`${' · '}<span class="consult-overdue" data-testid="consult-breached">${t('consult.breached')}</span>` : null}
      ${target ? html`${' · '}<span data-testid="consult-target">${target}</span>` : null}
    </p>
    <${IsbarList} isbar=${k.isbar} />`;
}

/**
 * @param onConsultations (list) => void: the consultations of "mine" (their threads are opened in the conversation pane)
 * @param consult the actions shared with the thread panes: act(frame), openThread(k, {select}), openCase(k)
 */
export function Consultations({ api, socket, me, consult, onConsultations = () => {} }) {
  useLanguage();
  const [queue, setQueue] = useState([]);
  const [mine, setMine] = useState([]);
  const [targets, setTargets] = useState({}); // consult queue id -> response target in minutes
  const [hidden, setHidden] = useState(false);
  const [creating, setCreating] = useState(false);
  const alertRef = useRef(null);
  const newRef = useRef(null);

  const load = () => Promise.all([api.get('/api/consultations?view=queue'), api.get('/api/consultations?view=mine')])
    .then(([waiting, own]) => {
      setQueue(waiting || []);
      setMine(own || []);
      onConsultations(own || []);
    })
    .catch((error) => {
      if (error && error.status === 403) setHidden(true);
    });

  const showError = (text) => showAlert(alertRef.current, text);
  const act = (frame) => consult.act(frame)
    .then((reply) => {
      showError('');
      load();
      return reply;
    });
  const actions = { ...consult, act };
  const accept = (k) => act({ type: 'consult.accept', consultationId: k.id })
    .then((reply) => consult.openThread(reply.consultation || k, { select: true }))
    .catch((error) => showError(errorText(error)));

  useEffect(() => {
    load();
    api.get('/api/consultations/queues')
      .then((list) => setTargets(Object.fromEntries((list || []).map((q) => [q.id, q.responseMinutes]))))
      .catch(() => setTargets({}));
    const stops = FRAMES.map((type) => socket.on(type, () => load()));
    return () => stops.forEach((stop) => stop());
  }, [api, socket]);

  if (hidden) return null;
  return html`<section id="consultations" class="consultations" aria-labelledby="consultations-title" data-testid="consultations">
    <h2 id="consultations-title">${t('consult.title')}</h2>
    <div class="alert" role="alert" ref=${alertRef} hidden></div>
    <div class="actions">
      <button type="button" ref=${newRef} data-testid="consult-new" aria-expanded=${creating ? 'true' : 'false'}
          onClick=${() => setCreating(!creating)}>${t('consult.new')}</button>
    </div>
    ${creating ? html`<${ConsultForm} api=${api} socket=${socket} standalone=${true}
        onDone=${(k) => { setCreating(false); newRef.current?.focus(); if (k) consult.openThread(k, { select: true }); }} />` : null}
    <h3>${t('consult.waiting')}</h3>
    ${queue.length === 0 ? html`<p class="hint">${t('consult.noneWaiting')}</p>` : html`<ul class="consult-list">
      ${queue.map((k) => html`<li class="consult-item" data-testid="consult-waiting" data-id=${k.id}>
        <${Summary} k=${k} responseMinutes=${targets[k.queueId]} />
        <div class="actions"><button type="button" class="primary" data-testid="consult-accept"
            onClick=${() => accept(k)}>${t('consult.accept')}</button></div>
      </li>`)}
    </ul>`}
    <h3>${t('consult.mine')}</h3>
    ${mine.length === 0 ? html`<p class="hint">${t('consult.noneMine')}</p>` : html`<ul class="consult-list">
      ${mine.map((k) => html`<li class="consult-item" key=${k.id} data-testid="consult-mine" data-id=${k.id}>
        <${Summary} k=${k} responseMinutes=${targets[k.queueId]} />
        ${k.answer ? html`<p class="consult-answer"><strong>${t('consult.answer')}:</strong> ${k.answer}</p>` : null}
        <${ConsultActions} k=${k} me=${me} consult=${actions} showThread=${true} showError=${showError} />
      </li>`)}
    </ul>`}
  </section>`;
}
