// The professional console: sign-in, presence, queue overview and offers, and three panes: the
// conversation list, the open conversation and its context (one pane at a time on a phone).
// Alt+ArrowDown/ArrowUp and Alt+1…9 move between conversations, Alt+0 goes to the list.
import { t } from './i18n.js';
import { setText, showAlert, errorText } from './dom.js';
import { Api } from './api.js';
import { KanavaSocket, HANDLED_BY_SOCKET } from './socket.js';
import { startPage } from './connection.js';
import { QueueOverview, Offers, WaitingLists, Preview } from './console/queues.js';
import { ConversationPanel, patientLabel, topicOf } from './console/panel.js';
import { Attention } from './attention.js';
import { attentionControls } from './attention-controls.js';
import { html, render } from './ui.js';
import { ConversationList, ConversationRows } from './console/conversation-list.js';

const $ = (id) => document.getElementById(id);
const api = new Api('console');
const socket = new KanavaSocket(api);
// The status this tab restores after a reconnect or reload (this tab's own choice; lowered when
// the server sets us less available, as after a lapsed offer).
const PRESENCE_KEY = 'kanava.console.presence';
// Set while the "offer lapsed, you are away" notice is to be shown (kept over a reload).
const LAPSED_KEY = 'kanava.console.lapsed';
const PRESENCE_RANK = ['available', 'busy', 'away', 'offline']; // most available first
const panels = new Map(); // conversationId -> ConversationPanel
let selectedId = null;
const rows = new ConversationRows(); // what the list pane shows
const PHONE = window.matchMedia('(max-width: 43.74rem)'); // one pane at a time (as in kanava.css)
let capacity = null; // from the last presence reply
const unreadTitle = () => {
  const unread = [...panels.values()].reduce((sum, p) => sum + p.unread, 0);
  return unread > 0 ? `(${unread}) ${t('console.title')}` : t('console.title');
};
// A new offer is signalled by title, sound and notification; the title comes back once the nurse
// looks at the console or no offer is left.
const attention = new Attention({ storageKey: 'kanava.console.sound', baseTitle: unreadTitle });

const overview = new QueueOverview({
  socket,
  take: (id) => claim({ type: 'conversation.take', conversationId: id }),
  accept: (id) => claim({ type: 'conversation.accept', conversationId: id }),
  announce,
  showError: (error) => showAlert($('alert'), errorText(error)),
  hasPanel: (id) => panels.has(id),
  onNoOffers: () => attention.clear(),
});

function announce(text) {
  const region = $('announcer');
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

function presence() {
  return sessionStorage.getItem(PRESENCE_KEY) || 'available';
}

/** Sets the status (the selector's change, or the lapse notice's button) and says what it became. */
async function setPresence(status) {
  sessionStorage.setItem(PRESENCE_KEY, status);
  if (status !== 'away') showLapsed(false);
  try {
    const reply = await socket.request({ type: 'presence', status });
    // The account shows its most available device: another device may keep it available.
    announce(reply.status && reply.status !== status
      ? t('console.presenceKept', { status: t(`presence.${reply.status}`) })
      : t('console.presenceChanged', { status: t(`presence.${status}`) }));
  } catch (error) {
    showAlert($('alert'), errorText(error));
  }
}

/**
 * A presence frame: the reply to ours, or (without ref) the server's own change: another device
 * of ours set it, or an offer lapsed and the server set us away. The selector shows the account's
 * status; the status this tab restores is lowered when the server made us less available, so a
 * reconnect does not silently make us available again.
 */
function onPresence(frame) {
  if (typeof frame.capacity === 'number') capacity = frame.capacity;
  updateCapacity();
  const status = frame.status;
  if (!PRESENCE_RANK.includes(status)) return;
  const previous = $('presence').value;
  $('presence').value = status;
  if (status !== 'offline' && PRESENCE_RANK.indexOf(status) > PRESENCE_RANK.indexOf(presence())) {
    sessionStorage.setItem(PRESENCE_KEY, status);
  }
  if (status !== 'away') showLapsed(false);
  if (!frame.ref && status !== previous) announce(t('console.presenceChangedElsewhere', { status: t(`presence.${status}`) }));
}

/**
 * conversation.withdrawn with reason not_accepted: the offer lapsed. If we were available the
 * server has set us away (its presence frame follows): say so where it stays visible.
 */
function offerLapsed() {
  if ($('presence').value !== 'available') {
    announce(t('offers.expired'));
    return;
  }
  $('presence').value = 'away';
  sessionStorage.setItem(PRESENCE_KEY, 'away');
  showLapsed(true);
  announce(t('offers.lapsedAway'));
}

/** Shows or hides the persistent "the offer lapsed, you are away" notice. */
function showLapsed(show) {
  const notice = $('lapse-notice');
  if (show) sessionStorage.setItem(LAPSED_KEY, '1');
  else sessionStorage.removeItem(LAPSED_KEY);
  if (notice.hidden === !show) return;
  const hadFocus = notice.contains(document.activeElement);
  notice.hidden = !show;
  if (hadFocus) $('presence').focus();
}

// --- Sign-in --------------------------------------------------------------------------------

function showLogin() {
  $('workspace').hidden = true;
  $('user-bar').hidden = true;
  $('loading').hidden = true;
  $('login-view').hidden = false;
  $('login-username').focus();
}

async function login(event) {
  event.preventDefault();
  const username = $('login-username').value;
  const password = $('login-password').value;
  const error = $('login-error');
  showAlert(error, '');
  if (!username.trim() || !password) {
    showAlert(error, t('login.missing'));
    (username.trim() ? $('login-password') : $('login-username')).focus();
    return;
  }
  const button = event.submitter || $('login-form').querySelector('[type=submit]');
  button.disabled = true;
  try {
    const pair = await api.request('POST', '/api/auth/login', { body: { username, password }, auth: false });
    $('login-password').value = '';
    api.setTokens(pair);
    await startWorkspace();
  } catch (e) {
    $('login-password').value = '';
    const text = e.code === 'too_many_attempts' && e.retryAfter
      ? t('error.too_many_attempts_wait', { minutes: Math.max(1, Math.ceil(e.retryAfter / 60)) })
      : errorText(e);
    showAlert(error, text);
    $('login-password').focus();
  } finally {
    button.disabled = false;
  }
}

async function resume() {
  $('login-view').hidden = true;
  $('loading').hidden = false;
  try {
    await api.refresh();
    await startWorkspace();
  } catch (error) {
    if (api.hasSession) {
      showAlert($('alert'), errorText(error));
      setTimeout(resume, 5000);
    } else {
      showLogin();
    }
  }
}

async function startWorkspace() {
  $('login-view').hidden = true;
  $('loading').hidden = true;
  $('workspace').hidden = false;
  $('user-bar').hidden = false;
  $('presence').value = presence();
  showLapsed(presence() === 'away' && sessionStorage.getItem(LAPSED_KEY) === '1');
  socket.start();
  showAlert($('alert'), '');
  $('conversations-title').setAttribute('tabindex', '-1');
  $('conversations-title').focus();
  const [queues, conversations] = await Promise.all([
    api.get('/api/queues').catch(() => []),
    api.get('/api/console/conversations').catch((error) => {
      showAlert($('alert'), errorText(error));
      return [];
    }),
  ]);
  overview.setQueues(queues);
  for (const view of conversations || []) {
    // Assigned but not accepted: an offer still open (the server does not send it again).
    if (view.state === 'active' && !view.acceptedAt && !panels.has(view.id)) overview.offer({ conversation: view });
    else openPanel(view);
  }
}

async function signOut() {
  socket.send({ type: 'presence', status: 'offline' });
  try {
    await api.logout();
  } catch (e) {
    // The tokens are forgotten locally either way.
  }
}

function resetWorkspace() {
  for (const id of [...panels.keys()]) removePanel(id);
  rows.closedViews = null;
  rows.fetchedClosed = null;
  rows.set({ mode: 'open' });
  overview.reset();
  $('user-name').textContent = '';
  capacity = null;
  $('capacity').textContent = '';
  sessionStorage.removeItem(PRESENCE_KEY);
  showLapsed(false);
}

// --- Conversations --------------------------------------------------------------------------

/**
 * Takes a waiting conversation or accepts an offer. The reply (same ref) is a
 * conversation.state; a conversation.state seen for it without the ref counts too.
 */
async function claim(frame) {
  const id = frame.conversationId;
  let stop = () => {};
  const seen = new Promise((resolve) => {
    stop = socket.on('conversation.state', (f) => {
      const v = f.conversation;
      if (v && v.id === id && v.state === 'active' && v.acceptedAt) resolve(f);
    });
  });
  try {
    const reply = await Promise.race([socket.request(frame), seen]);
    const view = reply.conversation && reply.conversation.id === id ? reply.conversation : { id, state: 'active' };
    // The reply to take/accept (same ref) means the server already watches it for us and sends
    // the history; another conversation.open would only add an audited read.
    openPanel(view, { select: true, alreadyOpen: Boolean(reply.ref) });
  } finally {
    stop();
  }
}

function openPanel(view, { select = false, alreadyOpen = false } = {}) {
  // Ours again after access had ended (taken back, transferred back): start afresh.
  if (panels.get(view.id)?.revoked) removePanel(view.id);
  if (panels.has(view.id)) {
    panels.get(view.id).update(view);
    if (select) selectPanel(view.id, { focus: true });
    return;
  }
  const panel = new ConversationPanel({
    socket, api, view,
    queueName: (queueId) => overview.queueName(queueId),
    onSelect: selectPanel,
    onDismiss: removePanel,
    onChange: updateTitle,
    onView: showView,
  });
  panels.set(view.id, panel);
  $('panels').append(panel.element);
  socket.watch(view.id, { afterSeq: 0, alreadyOpen });
  overview.removeOffer(view.id);
  updateTitle();
  if (select || !selectedId) selectPanel(view.id, { focus: select });
}

function selectPanel(id, { focus = false } = {}) {
  if (!panels.has(id)) return;
  const changed = selectedId !== id;
  selectedId = id;
  for (const [panelId, panel] of panels) panel.setSelected(panelId === id);
  $('no-conversations').hidden = true;
  if (focus) showView('conversation');
  if (changed) updateRows();
  if (focus) {
    const panel = panels.get(id);
    panel.chat.focusInput();
    if (!panel.element.contains(document.activeElement)) {
      panel.title.setAttribute('tabindex', '-1');
      panel.title.focus();
    }
    keepInView(panel);
  }
}

/** On a phone the conversation pane fits the screen from its top: scrolled there, the message box and Send are in view. */
function keepInView(panel) {
  if (PHONE.matches) panel.element.scrollIntoView({ block: 'start' });
}

function removePanel(id) {
  const panel = panels.get(id);
  if (!panel) return;
  // A closed conversation dismissed from view stays in the closed list without a new fetch.
  if (panel.view.state === 'closed' && panel.view.closedAt) {
    rows.closedViews = new Map(rows.closedViews || []).set(id, panel.view);
    rows.fetchedClosed = [closedRow(panel.view), ...(rows.fetchedClosed || []).filter((r) => r.id !== id)];
  }
  socket.unwatch(id);
  panel.element.remove();
  panels.delete(id);
  if (selectedId === id) {
    selectedId = null;
    const next = openPanels()[0];
    if (next) selectPanel(next.id, { focus: true });
    else {
      $('no-conversations').hidden = false;
      showView('list');
      $('conversations-title').setAttribute('tabindex', '-1');
      $('conversations-title').focus();
    }
  }
  updateTitle();
}

/** The conversations of the open list: all but the closed ones, in the order they came. */
function openPanels() {
  return [...panels.values()].filter((p) => p.view.state !== 'closed');
}

/** Rebuilds the list pane's rows from the panels (and closed ones from the last closed list). */
function updateRows() {
  const open = openPanels().map((p) => p.summary());
  const closedHere = [...panels.values()].filter((p) => p.view.state === 'closed').map((p) => p.summary());
  const fetched = (rows.fetchedClosed || []).filter((r) => !closedHere.some((c) => c.id === r.id));
  const closed = [...closedHere, ...fetched]
    .sort((a, b) => String(b.closedAt || '9').localeCompare(String(a.closedAt || '9')));
  rows.set({ open, closed, selectedId });
}

/** "Closed today": the server's list of the conversations closed in the last 24 hours. */
async function loadClosed() {
  try {
    const views = await api.get('/api/console/conversations?state=closed');
    rows.closedViews = new Map((views || []).map((v) => [v.id, v]));
    rows.fetchedClosed = (views || []).map((v) => closedRow(v));
    updateRows();
  } catch (error) {
    showAlert($('alert'), errorText(error));
  }
}

function closedRow(v) {
  const label = t('panel.title', { who: patientLabel(v), ref: v.id.slice(0, 4) });
  return {
    id: v.id, urgency: v.urgency, who: label, topic: [overview.queueName(v.queueId), topicOf(v.triage)].filter(Boolean).join(' · '),
    activity: null, preview: '', unread: 0, closed: true, closedAt: v.closedAt, outcome: v.outcome,
  };
}

/** A row was chosen: its conversation opens (a closed one read-only, with its transcript). */
function chooseRow(id) {
  if (!panels.has(id) && rows.closedViews?.has(id)) openPanel(rows.closedViews.get(id));
  selectPanel(id, { focus: true });
}

/** On a phone one pane at a time: 'list', 'conversation' or 'context' (CSS reads data-view). */
function showView(view) {
  const workspace = $('workspace');
  if (workspace.dataset.view === view) return;
  workspace.dataset.view = view;
  const panel = panels.get(selectedId);
  if (view === 'list') {
    const row = document.querySelector(`[data-testid="row-${selectedId}"]`);
    (row || $('conversations-title')).focus();
  } else if (view === 'context' && panel) {
    const heading = panel.contextPane.querySelector('h2');
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  } else if (view === 'conversation' && panel) {
    panel.chat.focusInput();
    keepInView(panel);
    panel.seen();
  }
}

/**
 * Alt+ArrowDown / Alt+ArrowUp: the next or previous conversation of the list in view; Alt+1…9 the
 * first to ninth; Alt+0 the list itself. Alt combinations type nothing here, so they work while
 * the composer has the focus.
 */
function shortcutKeys(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || $('workspace').hidden) return;
  const ids = rows.rows().map((r) => r.id);
  let target = null;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    if (ids.length === 0) return;
    const index = ids.indexOf(selectedId);
    const step = event.key === 'ArrowDown' ? 1 : -1;
    target = ids[index < 0 ? 0 : (index + step + ids.length) % ids.length];
  } else if (/^Digit[1-9]$/.test(event.code)) {
    target = ids[Number(event.code.slice(5)) - 1];
    if (!target) return;
  } else if (event.code === 'Digit0') {
    event.preventDefault();
    showView('list');
    const row = document.querySelector(`[data-testid="row-${selectedId}"]`) || document.querySelector('.conv-row-button');
    (row || $('conversations-title')).focus();
    return;
  } else {
    return;
  }
  event.preventDefault();
  chooseRow(target);
}

/** "2 / 4 conversations": active panels counted here, the maximum from the presence reply. */
function updateCapacity() {
  if (capacity === null) {
    $('capacity').textContent = '';
    return;
  }
  const active = [...panels.values()].filter((p) => p.isLive()).length;
  setText($('capacity'), 'console.capacity', { active, capacity });
}

function updateTitle() {
  updateCapacity();
  attention.refreshTitle();
  updateRows();
}

// --- Frames ---------------------------------------------------------------------------------

function wireSocket() {
  const panelOf = (frame) => panels.get(frame.conversationId);
  socket.onReady(() => {
    socket.send({ type: 'queues.watch' });
    socket.send({ type: 'presence', status: presence() });
  });
  socket.on('ready', (frame) => {
    const you = frame.you || {};
    $('user-name').textContent = [you.name, you.role ? t(`role.${you.role}`) : ''].filter(Boolean).join(', ');
  });
  socket.on('presence', onPresence);
  socket.on('queue.waiting', (frame) => overview.onWaiting(frame));
  socket.on('conversation.offer', (frame) => {
    const id = frame.conversation?.id;
    const known = overview.offers.has(id); // sent again after a reconnect: already shown and signalled
    overview.offer(frame);
    if (!known && overview.offers.has(id)) {
      attention.signal({ titleKey: 'attention.newOffer', bodyKey: 'attention.newOfferBody', tag: 'kanava-offer' });
    }
  });
  socket.on('conversation', (frame) => {
    const view = frame.conversation;
    if (view && panels.has(view.id)) panels.get(view.id).update(view);
  });
  socket.on('conversation.state', (frame) => {
    const view = frame.conversation;
    if (!view) return;
    if (panels.has(view.id)) panels.get(view.id).update(view);
    if (view.acceptedAt || view.state === 'closed' || (view.state === 'queued' && !view.assignedAt)) overview.removeOffer(view.id);
  });
  socket.on('conversation.withdrawn', (frame) => {
    overview.withdrawn(frame.conversationId, frame.reason);
    if (frame.reason === 'not_accepted') offerLapsed();
    const panel = panelOf(frame);
    if (panel) panel.setClosed('returned_to_queue');
  });
  // The server stopped sending us this conversation: never leave a composer that would fail.
  socket.on('conversation.revoked', (frame) => {
    const id = frame.conversationId;
    overview.removeOffer(id);
    overview.previewNotWaiting(id);
    const panel = panelOf(frame);
    if (!panel || panel.revoked) return;
    socket.unwatch(id); // not re-opened after a reconnect (the server would refuse it)
    panel.setRevoked();
    announce(`${panel.title.textContent}: ${t('panel.revoked')}`);
  });
  socket.on('conversation.closed', (frame) => {
    overview.removeOffer(frame.conversationId);
    const panel = panelOf(frame);
    if (panel) panel.setClosed(frame.outcome);
  });
  socket.on('message', (frame) => {
    const panel = panelOf(frame);
    if (panel) panel.chat.addMessage(frame);
  });
  socket.on('message.ack', (frame) => panelOf(frame)?.chat.ack(frame));
  socket.on('conversation.resync', (frame) => panelOf(frame)?.chat.resync(frame.afterSeq || 0));
  socket.on('conversation.synced', (frame) => panelOf(frame)?.chat.synced());
  socket.on('message.failed', (frame) => panelOf(frame)?.chat.failed(frame));
  socket.on('typing', (frame) => {
    if (frame.who === 'patient') panelOf(frame)?.chat.showTyping(Boolean(frame.typing));
  });
  socket.on('read', (frame) => {
    if (frame.who === 'patient') panelOf(frame)?.chat.readUpTo(frame.seq);
  });
  socket.on('error', (frame) => {
    if (!frame.ref && !HANDLED_BY_SOCKET.has(frame.code)) showAlert($('alert'), errorText(frame));
  });
}

// --- Start ----------------------------------------------------------------------------------

async function boot() {
  await startPage(socket, $('language'), $('connection'));
  wireSocket();
  $('login-form').addEventListener('submit', login);
  $('sign-out').addEventListener('click', signOut);
  document.addEventListener('keydown', shortcutKeys);
  render(html`<${ConversationList} store=${rows} onSelect=${chooseRow} onShowClosed=${loadClosed} />`, $('conversation-list'));
  render(html`<${Offers} overview=${overview} />`, $('offers-slot'));
  render(html`<${WaitingLists} overview=${overview} />`, $('queue-overview'));
  render(html`<${Preview} overview=${overview} />`, $('preview-slot'));
  $('presence').addEventListener('change', (event) => setPresence(event.target.value));
  $('lapse-available').addEventListener('click', () => {
    $('presence').value = 'available';
    setPresence('available');
  });
  $('lapse-dismiss').addEventListener('click', () => showLapsed(false));
  $('attention-slot').append(attentionControls(attention));
  const seen = () => panels.get(selectedId)?.seen();
  document.addEventListener('visibilitychange', seen);
  window.addEventListener('focus', seen);
  document.addEventListener('kanava:language', updateTitle);
  api.addEventListener('signedout', (event) => {
    resetWorkspace();
    showLogin();
    if (event.detail.reason === 'expired') showAlert($('login-error'), t('error.sessionExpired'));
  });
  updateTitle();
  if (api.hasSession) resume();
  else showLogin();
}

boot();
