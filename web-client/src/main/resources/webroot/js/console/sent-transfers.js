// Named transfers we sent that wait for the colleague to accept: the conversation has left our open
// list (the sender leaves it at transfer), so the list pane says where it is until the colleague
// accepts (transfer.accepted, pushed to the sender), declines or lets it lapse (transfer.returned:
// the conversation is ours again). Kept in this tab's memory only.
import { html } from '../ui.js';
import { t } from '../i18n.js';
import { useEvent, useLanguage } from './hooks.js';

export class SentTransfers extends EventTarget {
  constructor() {
    super();
    this.waiting = new Map(); // conversationId -> {who, name}
  }

  add(conversationId, who, name) {
    this.waiting.set(conversationId, { who, name });
    this.dispatchEvent(new Event('change'));
  }

  /** The entry that was removed (to announce an acceptance), or undefined. */
  remove(conversationId) {
    const entry = this.waiting.get(conversationId);
    if (this.waiting.delete(conversationId)) this.dispatchEvent(new Event('change'));
    return entry;
  }

  clear() {
    this.waiting.clear();
    this.dispatchEvent(new Event('change'));
  }
}

export function SentTransferList({ store }) {
  useLanguage();
  useEvent(store, 'change');
  if (store.waiting.size === 0) return null;
  return html`<section class="sent-transfers" aria-labelledby="sent-transfers-title" data-testid="sent-transfers">
    <h2 id="sent-transfers-title">${t('experts.sentTitle')}</h2>
    <ul>
      ${[...store.waiting.entries()].map(([id, e]) => html`<li key=${id} data-testid=${`sent-transfer-${id}`}>
        ${t('experts.sentItem', { who: e.who, name: e.name })}</li>`)}
    </ul>
  </section>`;
}
