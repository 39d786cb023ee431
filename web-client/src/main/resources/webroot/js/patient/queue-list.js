// The queue choice: one card per queue, open or closed, with its waiting count and what it asks
// of the patient (identification). A Preact component; texts come from t() and the queue's own
// names, and it is rendered again by its owner after a language change.
import { html } from '../ui.js';
import { localized, t } from '../i18n.js';
import { formatDateTime } from '../format.js';

/**
 * @param queues the queues from GET /api/queues
 * @param needsIdentification (queue) => boolean, whether this (anonymous) patient must identify first
 * @param onChoose (queue) => void
 * @param onIdentify () => void
 */
export function QueueList({ queues, needsIdentification, onChoose, onIdentify }) {
  return queues.map((queue) => {
    const titleId = `queue-title-${queue.id}`;
    const identify = needsIdentification(queue);
    return html`<li key=${queue.id} class=${`card queue ${queue.open ? 'is-open' : 'is-closed'}`}>
      <h3 id=${titleId}>${localized(queue.names)}</h3>
      ${queue.open
        ? html`<p class="badge badge-open">${t('queues.open')}</p>`
        : html`<p class="badge badge-closed"><span>${t('queues.closed')}</span>${queue.opensAt
          ? html`<span>${t('queues.opensAt', { time: formatDateTime(queue.opensAt) })}</span>` : null}</p>`}
      ${queue.open ? html`<p>${t('queues.waiting', { n: queue.waiting ?? 0 })}</p>` : null}
      ${queue.anonymousAllowed === false || queue.strongIdRequired
        ? html`<p class="hint">${t(queue.strongIdRequired ? 'queues.strongIdRequired' : 'queues.idRequired')}</p>` : null}
      ${identify
        ? html`<button type="button" class="primary" data-testid=${`queue-identify-${queue.id}`}
            aria-describedby=${titleId} onClick=${onIdentify}>${t('queues.identify')}</button>`
        : html`<button type="button" class="primary" data-testid=${`queue-option-${queue.id}`} disabled=${!queue.open}
            aria-describedby=${titleId} onClick=${() => onChoose(queue)}>${t(queue.open ? 'queues.choose' : 'queues.chooseClosed')}</button>`}
    </li>`;
  });
}

/** The demo persons to sign in as (identification method "dev"), one button each. */
export function DevPersons({ persons, onChoose }) {
  return persons.map((person) => html`<li key=${person.id}>
    <button type="button" data-testid=${`dev-person-${person.id}`} onClick=${() => onChoose(person)}>${person.displayName}</button>
  </li>`);
}
