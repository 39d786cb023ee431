// The console's first pane: the nurse's conversations, one row each with urgency (as text), who and
// topic, waiting time or last activity, a one-line preview of the last message and the unread count;
// and a second view of the conversations closed in the last 24 hours. A Preact component: what it
// shows comes from a ConversationRows store (ConsoleApp, app.js, keeps it up to date), the view in use and
// the relative times are its own state.
import { html, useState } from '../ui.js';
import { t } from '../i18n.js';
import { formatMinutes, formatTime, secondsSince } from '../format.js';
import { useEvent, useLanguage, useTick } from './hooks.js';

const SYMBOL = { immediate: '!!', same_day: '!' };

/**
 * The rows the list shows. Rows are plain objects:
 * {id, urgency, who, topic, activity: {key, at}|null, preview, previewMine, unread, closed, closedAt, outcome}.
 */
export class ConversationRows extends EventTarget {
  constructor() {
    super();
    this.open = [];
    this.closed = [];
    this.selectedId = null;
    this.mode = 'open';
  }

  set(changes) {
    Object.assign(this, changes);
    this.dispatchEvent(new Event('change'));
  }

  /** The rows of the view in use (open or closed). */
  rows() {
    return this.mode === 'closed' ? this.closed : this.open;
  }
}

export function UrgencyBadge({ urgency }) {
  const u = urgency || 'unknown';
  return html`<span class=${`badge urgency urgency-${u}`}>
    <span class="badge-symbol" aria-hidden="true">${SYMBOL[u] || '–'}</span> <span>${t(`urgency.${u}`)}</span></span>`;
}

function activityText(row) {
  if (row.closed) {
    return t('list.closedAt', { time: formatTime(row.closedAt), outcome: row.outcome ? t(`outcome.${row.outcome}`) : '' });
  }
  if (!row.activity || !row.activity.at) return '';
  return t(row.activity.key, { time: formatMinutes(secondsSince(row.activity.at)) });
}

function Row({ row, index, selected, onSelect }) {
  const shortcut = index < 9 ? index + 1 : null;
  return html`<li class=${`conv-row${selected ? ' is-selected' : ''}${row.unread ? ' has-unread' : ''}`}>
    <button type="button" class="conv-row-button" aria-current=${selected ? 'true' : undefined}
        data-testid=${`row-${row.id}`} aria-keyshortcuts=${shortcut ? `Alt+${shortcut}` : undefined}
        onClick=${() => onSelect(row.id)}>
      <span class="conv-row-top">
        <span class="conv-who">${row.who}</span>
        ${row.unread > 0 ? html`<span class="unread-badge" data-testid="row-unread">${t('panel.unread', { n: row.unread })}</span>` : null}
      </span>
      <span class="conv-row-top">
        ${row.urgency ? html`<${UrgencyBadge} urgency=${row.urgency} />` : null}
        <span class="conv-topic">${row.topic}</span>
      </span>
      <span class="conv-activity" data-testid="row-activity">${activityText(row)}</span>
      ${row.preview ? html`<span class="conv-preview" data-testid="row-preview">${row.previewMine ? `${t('chat.you')}: ` : ''}${row.preview}</span>` : null}
    </button>
  </li>`;
}

/** The list pane's conversations: the open ones or, on request, those closed today. */
export function ConversationList({ store, onSelect, onShowClosed }) {
  useEvent(store, 'change');
  useLanguage();
  useTick(30000);
  const [loading, setLoading] = useState(false);
  const rows = store.rows();
  const choose = async (mode) => {
    if (mode === 'closed') {
      setLoading(true);
      try {
        await onShowClosed();
      } finally {
        setLoading(false);
      }
    }
    store.set({ mode });
  };
  const empty = store.mode === 'closed' ? (loading ? 'common.loading' : 'list.noClosed') : 'console.noConversations';
  return html`
    <div class="list-modes" role="group" aria-label=${t('list.views')}>
      <button type="button" aria-pressed=${store.mode === 'open' ? 'true' : 'false'} data-testid="list-open"
          onClick=${() => choose('open')}>${t('list.open', { n: store.open.length })}</button>
      <button type="button" aria-pressed=${store.mode === 'closed' ? 'true' : 'false'} data-testid="list-closed"
          onClick=${() => choose('closed')}>${t('list.closed')}</button>
    </div>
    ${rows.length === 0
      ? html`<p class="hint" data-testid="list-empty">${t(empty)}</p>`
      : html`<ol class="conv-list" data-testid=${`conversation-rows-${store.mode}`}>
          ${rows.map((row, index) => html`<${Row} key=${row.id} row=${row} index=${index}
              selected=${row.id === store.selectedId} onSelect=${onSelect} />`)}
        </ol>`}`;
}
