// The top of a conversation pane's header, shared by patient conversations (panel.js) and consultation threads.
import { html } from '../ui.js';
import { t } from '../i18n.js';

/**
 * The top of a conversation's (or a consultation thread's) header: on a phone, back to the list and
 * to the details; the heading, and the unread count; `action` (optional) at the end of the heading's row.
 */
export function PanelTop({ panel, titleId, heading, unread, action = null }) {
  return html`<div class="panel-nav">
      <button type="button" class="phone-only back" data-testid="back-to-list" onClick=${() => panel.onView('list')}>
        <span aria-hidden="true">←</span><span>${t('console.backToList')}</span></button>
      <button type="button" class="phone-only" data-testid="show-context" onClick=${() => panel.onView('context')}>
        <span>${t('console.showContext')}</span></button>
    </div>
    <div class="panel-title">
      <h2 id=${titleId} class="panel-heading">${heading}</h2>
      ${unread > 0 ? html`<span class="unread-badge">${t('panel.unread', { n: unread })}</span>` : null}
      ${action}
    </div>`;
}
