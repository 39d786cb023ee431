// The consultant's side of consultations between professionals (docs/protocol.md, "Consultations"):
// what waits in the consult queues the professional serves (urgent first, with the due time or
// "overdue" in words, not only colour), accepting, and the consultations they asked for or took:
// the ISBAR request, joining or taking over the linked patient conversation, closing with the
// answer. The lists come from GET /api/consultations and are fetched again whenever the server
// says a consultation was offered, changed or passed its due time.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t, localized } from '../i18n.js';
import { errorText, showAlert } from '../dom.js';
import { formatDateTime } from '../format.js';
import { useLanguage } from './hooks.js';

const FRAMES = ['consult.offer', 'consult.updated', 'consult.breached'];

function dueText(k) {
  if (k.breached) return t('consult.overdue');
  if (k.urgency === 'urgent') return t('consult.urgentNow');
  return k.dueAt ? t('consult.dueAt', { time: formatDateTime(k.dueAt) }) : '';
}

function targetText(k) {
  if (k.toAccount) return t('consult.toColleague', { name: k.toAccount.displayName || '' });
  return (k.queueName && localized(k.queueName)) || k.queueId || '';
}

function Isbar({ isbar }) {
  const parts = [['situation', 'S'], ['background', 'B'], ['assessment', 'A'], ['recommendation', 'R']]
    .filter(([key]) => isbar && isbar[key]);
  return html`<dl class="consult-isbar">
    ${parts.map(([key]) => html`<dt>${t(`consult.isbar.${key}`)}</dt><dd>${isbar[key]}</dd>`)}
  </dl>`;
}

function Summary({ k }) {
  return html`
    <p class="consult-meta">
      <span class=${`badge ${k.urgency === 'urgent' ? 'badge-urgent' : ''}`}>${t(`consult.urgency.${k.urgency}`)}</span>${' '}
      <span>${targetText(k)}</span>${' · '}
      <span>${t('consult.from', { name: (k.requester && k.requester.displayName) || '' })}</span>${' · '}
      <span class=${k.breached ? 'consult-overdue' : ''} data-testid="consult-due">${dueText(k)}</span>
    </p>
    <${Isbar} isbar=${k.isbar} />`;
}

/** One consultation the professional has accepted or asked for: the case actions and the answer. */
function Mine({ k, me, act }) {
  const [answer, setAnswer] = useState('');
  const answerId = `consult-answer-${k.id}`;
  const consultant = k.consultant && k.consultant.id === me;
  const open = k.state !== 'closed';
  const close = (event) => {
    event.preventDefault();
    act({ type: 'consult.close', consultationId: k.id, answer }).then((ok) => ok && setAnswer(''));
  };
  return html`<li class="consult-item" data-testid="consult-mine" data-id=${k.id}>
    <${Summary} k=${k} />
    <p>${t(`consult.state.${k.state}`)}${k.consultant ? ` · ${t('consult.consultant', { name: k.consultant.displayName || '' })}` : ''}</p>
    ${k.answer ? html`<p class="consult-answer"><strong>${t('consult.answer')}:</strong> ${k.answer}</p>` : null}
    ${open && consultant && k.caseConversationId ? html`<div class="actions">
      <button type="button" data-testid="consult-join" disabled=${!!k.joinedAt}
          onClick=${() => act({ type: 'consult.join', consultationId: k.id })}>${t('consult.join')}</button>
      <button type="button" data-testid="consult-takeover"
          onClick=${() => act({ type: 'consult.takeover', consultationId: k.id })}>${t('consult.takeOver')}</button>
    </div>` : null}
    ${open ? html`<form class="consult-close" onSubmit=${close} novalidate>
      <label for=${answerId}>${t('consult.answer')}</label>
      <textarea id=${answerId} data-testid="consult-answer" maxlength="4000" rows="3" value=${answer}
          onInput=${(event) => setAnswer(event.target.value)}></textarea>
      <div class="actions"><button type="submit" data-testid="consult-close">${t('consult.close')}</button></div>
    </form>` : null}
  </li>`;
}

export function Consultations({ api, socket, me }) {
  useLanguage();
  const [queue, setQueue] = useState([]);
  const [mine, setMine] = useState([]);
  const [hidden, setHidden] = useState(false);
  const alertRef = useRef(null);

  const load = () => Promise.all([api.get('/api/consultations?view=queue'), api.get('/api/consultations?view=mine')])
    .then(([waiting, own]) => {
      setQueue(waiting || []);
      setMine(own || []);
    })
    .catch((error) => {
      if (error && error.status === 403) setHidden(true);
    });

  const act = (frame) => socket.request(frame)
    .then(() => {
      showAlert(alertRef.current, '');
      load();
      return true;
    })
    .catch((error) => {
      showAlert(alertRef.current, errorText(error));
      return false;
    });

  useEffect(() => {
    load();
    const stops = FRAMES.map((type) => socket.on(type, () => load()));
    return () => stops.forEach((stop) => stop());
  }, [api, socket]);

  if (hidden) return null;
  return html`<section id="consultations" class="consultations" aria-labelledby="consultations-title" data-testid="consultations">
    <h2 id="consultations-title">${t('consult.title')}</h2>
    <div class="alert" role="alert" ref=${alertRef} hidden></div>
    <h3>${t('consult.waiting')}</h3>
    ${queue.length === 0 ? html`<p class="hint">${t('consult.noneWaiting')}</p>` : html`<ul class="consult-list">
      ${queue.map((k) => html`<li class="consult-item" data-testid="consult-waiting" data-id=${k.id}>
        <${Summary} k=${k} />
        <div class="actions"><button type="button" class="primary" data-testid="consult-accept"
            onClick=${() => act({ type: 'consult.accept', consultationId: k.id })}>${t('consult.accept')}</button></div>
      </li>`)}
    </ul>`}
    <h3>${t('consult.mine')}</h3>
    ${mine.length === 0 ? html`<p class="hint">${t('consult.noneMine')}</p>` : html`<ul class="consult-list">
      ${mine.map((k) => html`<${Mine} key=${k.id} k=${k} me=${me} act=${act} />`)}
    </ul>`}
  </section>`;
}
