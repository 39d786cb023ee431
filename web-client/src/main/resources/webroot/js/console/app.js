// The professional console as one Preact component, ConsoleApp: sign-in, the user bar (presence,
// capacity, sign-out), the settings menu, the lapse notice, the live regions, and the three panes:
// the conversation list (with offers and waiting lists), the open conversation and its context (one
// pane at a time on a phone). Alt+ArrowDown/ArrowUp and Alt+1…9 move between conversations, Alt+0
// goes to the list.
//
// All of the page's state lives in this component: what it renders (phase, presence, capacity, the
// selected conversation, the pane in view, alerts) in one object kept in a ref and re-rendered
// through a reducer, and the objects that hold what the server said (the conversation panels, the
// queue overview, the list's rows, the attention signal) created once per component. The socket and
// API are services passed in as props; the component subscribes to them in effects and lets go in
// their cleanups. Handlers read the state through the ref, so the ones registered on the first render
// (socket listeners, the overview's callbacks) always see the current values.
import { html, useEffect, useReducer, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { errorText } from '../dom.js';
import { Alert, LanguagePicker, SignInForm } from '../pro-page.js';
import { HANDLED_BY_SOCKET } from '../socket.js';
import { ConnectionIndicator } from '../connection.js';
import { Attention } from '../attention.js';
import { attentionControls } from '../attention-controls.js';
import { QueueOverview, Offers, OfferReminder, WaitingLists, Preview } from './queues.js';
import { ConversationPanel, patientLabel, topicOf } from './panel.js';
import { ReferredClients } from './referrals.js';
import { ConversationList, ConversationRows } from './conversation-list.js';
import { useLanguage } from './hooks.js';
import { SentTransfers, SentTransferList } from './sent-transfers.js';
import { ProFeedback } from './pro-feedback.js';
import { Consultations } from './consultations.js';
import { VisitsView } from './visits.js';
import { ColleagueChatCall } from '../call/chat-call.js';

/** Outcomes of a close that the professional did not make (the patient ended or left, or the idle timeout). */
const CLOSED_BY_OTHERS = new Set(['ended_by_patient', 'abandoned', 'expired']);

// The status this tab restores after a reconnect or reload (this tab's own choice; lowered when
// the server sets us less available, as after a lapsed offer).
const PRESENCE_KEY = 'kanava.console.presence';
// Set while the "offer lapsed, you are away" notice is to be shown (kept over a reload).
const LAPSED_KEY = 'kanava.console.lapsed';
const PRESENCE_RANK = ['available', 'busy', 'away', 'offline']; // most available first
const PHONE = window.matchMedia('(max-width: 43.74rem)'); // one pane at a time (as in kanava.css)

const storedPresence = () => sessionStorage.getItem(PRESENCE_KEY) || 'available';

/**
 * Runs after the render that a state change asked for: Preact renders in a microtask, so a task
 * queued now runs once the DOM shows the change (focus moves to what has just been shown).
 */
const afterRender = (fn) => setTimeout(fn);

function focusHeading(el) {
  if (!el) return;
  el.setAttribute('tabindex', '-1');
  el.focus();
}

export function ConsoleApp({ api, socket }) {
  useLanguage();
  const [, rerender] = useReducer((n) => n + 1, 0);
  const st = useRef(null);
  if (!st.current) {
    st.current = {
      phase: api.hasSession ? 'loading' : 'login', // 'loading', 'login' or 'workspace'
      you: null, // the ready frame's `you`
      status: storedPresence(), // the account's status, as the selector shows it
      capacity: null, // from the last presence reply
      lapsed: false, // the "offer lapsed, you are away" notice is shown
      alert: { text: '' },
      loginError: { text: '' },
      view: 'list', // the pane in view on a phone: 'list', 'conversation' or 'context'
      selectedId: null,
      announcement: '',
      section: 'chats', // 'chats' or 'visits' (the Visits view, visits.js)
      bookOffer: null, // a chat we closed with "appointment booked": {conversationId, who, language}
      bookFrom: null, // the chat the Visits view's book form is for
    };
  }
  const s = st.current;
  const set = (changes) => {
    Object.assign(s, changes);
    rerender();
  };
  const refs = {
    presence: useRef(null), lapse: useRef(null), panels: useRef(null), listTitle: useRef(null),
    username: useRef(null), attention: useRef(null),
  };
  const panels = useRef(new Map()).current; // conversationId -> ConversationPanel
  const [rows] = useState(() => new ConversationRows()); // what the list pane shows
  // A new offer is signalled by title, sound and notification; the title comes back once the nurse
  // looks at the console or no offer is left.
  const [attention] = useState(() => new Attention({ storageKey: 'kanava.console.sound', baseTitle: () => unreadTitle() }));
  const [overview] = useState(() => new QueueOverview({
    socket,
    take: (id) => claim({ type: 'conversation.take', conversationId: id }),
    accept: (id) => claim({ type: 'conversation.accept', conversationId: id }),
    acceptTransfer,
    announce,
    showError: (error) => showError(errorText(error)),
    hasPanel: (id) => panels.has(id),
    onNoOffers: () => attention.clear(),
  }));

  // --- Transfers ----------------------------------------------------------------------------
  const [sent] = useState(() => new SentTransfers()); // named transfers of ours waiting to be accepted

  /** A named transfer waiting for us is accepted: the conversation opens (conversation.open sends its history). */
  async function acceptTransfer(id) {
    await socket.request({ type: 'transfer.accept', conversationId: id });
    overview.removeTransferOffer(id);
    openPanel({ id, state: 'active' }, { select: true });
  }

  /** transfer.requested: the conversation has left us; it leaves the open list, and we say where it went. */
  function transferred(id, target) {
    const panel = panels.get(id);
    if (!panel) return;
    if (target?.kind === 'sender') { // we returned it to whoever transferred it (return-to-sender.js)
      panel.transferred = true;
      removePanel(id);
      announce(t('experts.returned'));
      return;
    }
    const who = panel.title?.textContent || '';
    const where = target?.kind === 'professional'
      ? [target.name, target.role ? t(`role.${target.role}`) : ''].filter(Boolean).join(', ')
      : overview.queueName(target?.queueId) || target?.queueId || '';
    panel.transferred = true;
    removePanel(id);
    if (target?.kind === 'professional') sent.add(id, who, where);
    announce(t('transferForm.done', { who, target: where }));
  }

  /** transfer.returned: declined by the receiver, or not accepted in time; the conversation is ours again. */
  function transferReturned(frame) {
    const id = frame.conversationId;
    if (!id) return;
    sent.remove(id);
    openPanel({ id, state: 'active' });
    const panel = panels.get(id);
    panel.setReturned({ outcome: frame.outcome, reason: frame.reason || '' });
    const text = t(frame.outcome === 'lapsed' ? 'transferForm.returnedLapsed' : 'transferForm.returnedDeclined');
    announce(frame.reason ? `${text} ${t('transferForm.returnedReason')} ${frame.reason}` : text);
  }

  function unreadTitle() {
    const unread = [...panels.values()].reduce((sum, p) => sum + p.unread, 0);
    return unread > 0 ? `(${unread}) ${t('console.title')}` : t('console.title');
  }

  function showError(text) {
    set({ alert: { text } });
  }

  function announce(text) {
    set({ announcement: '' });
    setTimeout(() => set({ announcement: text }), 50);
  }

  /** The chats (the three panes) or the Visits view (visits.js); the view shown gets the focus on its heading. */
  function showSection(section) {
    set({ section });
    afterRender(() => focusHeading(section === 'visits' ? document.getElementById('visits-title') : refs.listTitle.current));
  }

  // --- Presence -----------------------------------------------------------------------------

  /** Sets the status (the selector's change, or the lapse notice's button) and says what it became. */
  async function setPresence(status) {
    sessionStorage.setItem(PRESENCE_KEY, status);
    set({ status });
    if (status !== 'away') showLapsed(false);
    try {
      const reply = await socket.request({ type: 'presence', status });
      // The account shows its most available device: another device may keep it available.
      announce(reply.status && reply.status !== status
        ? t('console.presenceKept', { status: t(`presence.${reply.status}`) })
        : t('console.presenceChanged', { status: t(`presence.${status}`) }));
    } catch (error) {
      showError(errorText(error));
    }
  }

  /**
   * A presence frame: the reply to ours, or (without ref) the server's own change: another device
   * of ours set it, or an offer lapsed and the server set us away. The selector shows the account's
   * status; the status this tab restores is lowered when the server made us less available, so a
   * reconnect does not silently make us available again.
   */
  function onPresence(frame) {
    if (typeof frame.capacity === 'number') set({ capacity: frame.capacity });
    const status = frame.status;
    if (!PRESENCE_RANK.includes(status)) return;
    const previous = s.status;
    set({ status });
    if (status !== 'offline' && PRESENCE_RANK.indexOf(status) > PRESENCE_RANK.indexOf(storedPresence())) {
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
    if (s.status !== 'available') {
      announce(t('offers.expired'));
      return;
    }
    set({ status: 'away' });
    sessionStorage.setItem(PRESENCE_KEY, 'away');
    showLapsed(true);
    announce(t('offers.lapsedAway'));
  }

  /** Shows or hides the persistent "the offer lapsed, you are away" notice. */
  function showLapsed(show) {
    if (show) sessionStorage.setItem(LAPSED_KEY, '1');
    else sessionStorage.removeItem(LAPSED_KEY);
    if (s.lapsed === show) return;
    const hadFocus = refs.lapse.current?.contains(document.activeElement);
    set({ lapsed: show });
    if (hadFocus) afterRender(() => refs.presence.current.focus());
  }

  // --- Sign-in ------------------------------------------------------------------------------

  function showLogin() {
    set({ phase: 'login' });
    afterRender(() => refs.username.current.focus());
  }

  async function resume() {
    set({ phase: 'loading' });
    try {
      await api.refresh();
      await startWorkspace();
    } catch (error) {
      if (api.hasSession) {
        showError(errorText(error));
        setTimeout(resume, 5000);
      } else {
        showLogin();
      }
    }
  }

  async function startWorkspace() {
    set({ phase: 'workspace', status: storedPresence(), alert: { text: '' } });
    showLapsed(storedPresence() === 'away' && sessionStorage.getItem(LAPSED_KEY) === '1');
    socket.start();
    afterRender(() => focusHeading(refs.listTitle.current));
    const [queues, conversations] = await Promise.all([
      api.get('/api/queues').catch(() => []),
      api.get('/api/console/conversations').catch((error) => {
        showError(errorText(error));
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
    sent.clear();
    set({ you: null, capacity: null, section: 'chats', bookOffer: null, bookFrom: null });
    sessionStorage.removeItem(PRESENCE_KEY);
    showLapsed(false);
  }

  // --- Conversations ------------------------------------------------------------------------

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

  /** Partner staff open a referred client's conversation: the shared panes, with the referral in the context pane. */
  function openReferral(referral) {
    // the referral's own thread, where partner staff write to the client (the source they read, read-only, by REST)
    openPanel({ id: referral.threadConversationId || referral.conversationId }, { select: true, referral });
  }

  // --- Consultations (consult-thread.js) --------------------------------------------------------

  /** The consultation actions the list and the thread panes share; the lists and panes follow consult.updated. */
  const consult = {
    act: (frame) => socket.request(frame),
    openThread: (k, { select = false } = {}) => openConsultation(k, { select }),
    openCase: (k) => openPanel({ id: k.caseConversationId }, { select: true, caseOf: k }),
    caseName: (k) => panels.get(k.caseConversationId)?.title?.textContent || '',
  };

  /** A consultation of ours (asked for, or accepted): its thread in the conversation pane. */
  function openConsultation(k, { select = false } = {}) {
    if (!k || !k.threadConversationId) return;
    const me = s.you?.id;
    const ours = (k.requester && k.requester.id === me) || (k.consultant && k.consultant.id === me);
    if (!ours) return;
    const panel = panels.get(k.threadConversationId);
    if (!panel && k.state === 'closed' && !select) return; // a closed one opens when asked for only
    // an open consultation's thread is active (nobody assigned) until it closes; its conversation frame follows
    openPanel(k.state === 'closed' ? { id: k.threadConversationId } : { id: k.threadConversationId, state: 'active' },
      { select, consultation: k });
  }

  /** The last list of our consultations: its threads open once we know who we are (the ready frame may come after it). */
  const listedConsultations = useRef([]);
  function consultationsListed(list) {
    listedConsultations.current = list;
    list.forEach(consultationChanged);
  }

  /** A consultation changed (or is listed): its thread and a case read through it follow; a new one of ours opens. */
  function consultationChanged(k) {
    if (!k) return;
    for (const panel of panels.values()) panel.setConsultation(k);
    if (k.state !== 'closed' && !panels.has(k.threadConversationId)) openConsultation(k);
  }

  function openPanel(view, { select = false, alreadyOpen = false, referral = null, consultation = null, caseOf = null } = {}) {
    // Ours again after access had ended (taken back, transferred back): start afresh.
    if (panels.get(view.id)?.revoked) removePanel(view.id);
    if (panels.has(view.id)) {
      if (consultation) panels.get(view.id).consultation = consultation;
      if (caseOf && !panels.get(view.id).consultation) panels.get(view.id).caseOf = caseOf;
      panels.get(view.id).update(view);
      if (select) selectPanel(view.id, { focus: true });
      return;
    }
    const panel = new ConversationPanel({
      socket, api, view,
      queueName: (queueId) => overview.queueName(queueId),
      queues: () => overview.queues,
      onTransferred: transferred,
      onSelect: selectPanel,
      onDismiss: removePanel,
      onChange: updateTitle,
      onView: showView,
      referral,
      consultation,
      caseOf,
      consult,
      me: () => s.you?.id,
    });
    panels.set(view.id, panel);
    // Each panel renders itself into its own element (panel.js); the pane holds them.
    refs.panels.current.append(panel.element);
    socket.watch(view.id, { afterSeq: 0, alreadyOpen });
    overview.removeOffer(view.id);
    updateTitle();
    if (select || !s.selectedId) selectPanel(view.id, { focus: select });
  }

  function selectPanel(id, { focus = false } = {}) {
    const panel = panels.get(id);
    if (!panel) return;
    const changed = s.selectedId !== id;
    set({ selectedId: id });
    for (const [panelId, p] of panels) p.setSelected(panelId === id);
    const switched = focus && showView('conversation', { focus: false });
    if (changed) updateRows();
    if (focus) {
      afterRender(() => {
        if (switched) panel.seen();
        panel.chat.focusInput();
        if (!panel.element.contains(document.activeElement)) focusHeading(panel.title);
        keepInView(panel);
      });
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
    if (s.selectedId === id) {
      set({ selectedId: null });
      const next = openPanels()[0];
      if (next) selectPanel(next.id, { focus: true });
      else {
        showView('list', { focus: false });
        afterRender(() => focusHeading(refs.listTitle.current));
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
    rows.set({ open, closed, selectedId: s.selectedId });
  }

  /** "Closed today": the server's list of the conversations closed in the last 24 hours. */
  async function loadClosed() {
    try {
      const views = await api.get('/api/console/conversations?state=closed');
      rows.closedViews = new Map((views || []).map((v) => [v.id, v]));
      rows.fetchedClosed = (views || []).map((v) => closedRow(v));
      updateRows();
    } catch (error) {
      showError(errorText(error));
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

  /**
   * On a phone one pane at a time: 'list', 'conversation' or 'context' (CSS reads data-view). Moves
   * the focus into the pane shown, unless the caller does; returns whether the pane changed.
   */
  function showView(view, { focus = true } = {}) {
    if (s.view === view) return false;
    set({ view });
    if (focus) afterRender(() => focusView(view));
    return true;
  }

  function focusView(view) {
    const panel = panels.get(s.selectedId);
    if (view === 'list') {
      const row = document.querySelector(`[data-testid="row-${s.selectedId}"]`);
      (row || refs.listTitle.current).focus();
    } else if (view === 'context' && panel) {
      focusHeading(panel.contextPane.querySelector('h2'));
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
    if (!event.altKey || event.ctrlKey || event.metaKey || s.phase !== 'workspace') return;
    const ids = rows.rows().map((r) => r.id);
    let target = null;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (ids.length === 0) return;
      const index = ids.indexOf(s.selectedId);
      const step = event.key === 'ArrowDown' ? 1 : -1;
      target = ids[index < 0 ? 0 : (index + step + ids.length) % ids.length];
    } else if (/^Digit[1-9]$/.test(event.code)) {
      target = ids[Number(event.code.slice(5)) - 1];
      if (!target) return;
    } else if (event.code === 'Digit0') {
      event.preventDefault();
      showView('list', { focus: false });
      afterRender(() => {
        const row = document.querySelector(`[data-testid="row-${s.selectedId}"]`) || document.querySelector('.conv-row-button');
        (row || refs.listTitle.current).focus();
      });
      return;
    } else {
      return;
    }
    event.preventDefault();
    chooseRow(target);
  }

  /** The panels changed: the capacity shown, the title's unread count and the list's rows follow. */
  function updateTitle() {
    rerender();
    attention.refreshTitle();
    updateRows();
  }

  // --- Effects: frames, page events, start ----------------------------------------------------

  useEffect(() => {
    const panelOf = (frame) => panels.get(frame.conversationId);
    let active = true;
    // socket.onReady has no way to unsubscribe: the hook does nothing once this component is gone.
    socket.onReady(() => {
      if (!active) return;
      socket.send({ type: 'queues.watch' });
      socket.send({ type: 'presence', status: storedPresence() });
    });
    const offs = [
      socket.on('ready', (frame) => {
        set({ you: frame.you || {} });
        listedConsultations.current.forEach(consultationChanged);
      }),
      socket.on('presence', onPresence),
      socket.on('queue.waiting', (frame) => overview.onWaiting(frame)),
      socket.on('conversation.offer', (frame) => {
        const id = frame.conversation?.id;
        const known = overview.offers.has(id); // sent again after a reconnect: already shown and signalled
        overview.offer(frame);
        if (!known && overview.offers.has(id)) {
          attention.signal({ titleKey: 'attention.newOffer', bodyKey: 'attention.newOfferBody', tag: 'kanava-offer' });
        }
      }),
      socket.on('conversation', (frame) => {
        const view = frame.conversation;
        if (view && panels.has(view.id)) panels.get(view.id).update(view);
      }),
      socket.on('conversation.state', (frame) => {
        const view = frame.conversation;
        if (!view) return;
        if (panels.has(view.id)) panels.get(view.id).update(view);
        // a chat visit's conversation, ours and accepted by our visit.admit: the server already watches it for this socket
        else if (!frame.ref && view.state === 'active' && view.acceptedAt && view.professional?.id === s.you?.id) {
          openPanel(view, { alreadyOpen: true });
          announce(t('chatvisit.opened'));
        }
        if (view.acceptedAt || view.state === 'closed' || (view.state === 'queued' && !view.assignedAt)) overview.removeOffer(view.id);
      }),
      socket.on('conversation.withdrawn', (frame) => {
        overview.withdrawn(frame.conversationId, frame.reason);
        if (frame.reason === 'transfer_lapsed') overview.removeTransferOffer(frame.conversationId, { lapsed: true });
        if (frame.reason === 'not_accepted') offerLapsed();
        panelOf(frame)?.setClosed('returned_to_queue');
      }),
      // The server stopped sending us this conversation: never leave a composer that would fail.
      socket.on('conversation.revoked', (frame) => {
        const id = frame.conversationId;
        overview.removeOffer(id);
        overview.previewNotWaiting(id);
        const panel = panelOf(frame);
        if (!panel || panel.revoked || panel.transferred) return;
        socket.unwatch(id); // not re-opened after a reconnect (the server would refuse it)
        panel.setRevoked();
        announce(`${panel.title.textContent}: ${t('panel.revoked')}`);
      }),
      socket.on('conversation.closed', (frame) => {
        overview.removeOffer(frame.conversationId);
        const panel = panelOf(frame);
        // our own close (the reply has our ref) with "appointment booked": offer to book the visit
        if (panel && frame.ref && frame.outcome === 'appointment_booked') {
          set({ bookOffer: { conversationId: frame.conversationId, who: panel.title?.textContent || '', language: panel.view.language } });
        }
        panel?.setClosed(frame.outcome);
        // closed by the patient or by the idle timeout, not by us: it leaves the open list, so say which and why
        if (panel && CLOSED_BY_OTHERS.has(frame.outcome)) announce(`${panel.title.textContent}: ${t(`outcome.${frame.outcome}`)}`);
      }),
      socket.on('transfer.offer', (frame) => {
        const known = overview.transferOffers.has(frame.conversationId);
        overview.transferOffer(frame);
        if (!known) attention.signal({ titleKey: 'attention.newOffer', bodyKey: 'attention.newOfferBody', tag: 'kanava-offer' });
      }),
      socket.on('transfer.returned', transferReturned),
      // an urgent consultation alerts as an offer does (docs/protocol.md, "Consultations": alert)
      socket.on('consult.offer', (frame) => {
        if (frame.alert) attention.signal({ titleKey: 'consult.attention.urgent', bodyKey: 'consult.attention.urgentBody', tag: 'kanava-consult' });
      }),
      socket.on('consult.opened', (frame) => consultationChanged(frame.consultation)),
      socket.on('consult.updated', (frame) => consultationChanged(frame.consultation)),
      socket.on('consult.breached', (frame) => consultationChanged(frame.consultation)),
      // pushed to the sender when the named colleague accepts (our own accept's reply has no entry here)
      socket.on('transfer.accepted', (frame) => {
        const entry = sent.remove(frame.conversationId);
        if (entry) announce(t('experts.accepted', { name: entry.name, who: entry.who }));
      }),
      socket.on('message', (frame) => panelOf(frame)?.chat.addMessage(frame)),
      socket.on('message.ack', (frame) => panelOf(frame)?.chat.ack(frame)),
      socket.on('conversation.resync', (frame) => panelOf(frame)?.chat.resync(frame.afterSeq || 0)),
      socket.on('conversation.synced', (frame) => panelOf(frame)?.chat.synced()),
      socket.on('message.failed', (frame) => panelOf(frame)?.chat.failed(frame)),
      socket.on('typing', (frame) => {
        if (frame.who === 'patient') panelOf(frame)?.chat.showTyping(Boolean(frame.typing));
      }),
      socket.on('read', (frame) => {
        if (frame.who === 'patient') panelOf(frame)?.chat.readUpTo(frame.seq);
      }),
      socket.on('error', (frame) => {
        if (!frame.ref && !HANDLED_BY_SOCKET.has(frame.code)) showError(errorText(frame));
      }),
    ];
    return () => {
      active = false;
      offs.forEach((off) => off());
    };
  }, [socket]);

  useEffect(() => {
    const seen = () => panels.get(s.selectedId)?.seen();
    const signedOut = (event) => {
      resetWorkspace();
      showLogin();
      if (event.detail.reason === 'expired') set({ loginError: { text: t('error.sessionExpired') } });
    };
    document.addEventListener('keydown', shortcutKeys);
    document.addEventListener('visibilitychange', seen);
    window.addEventListener('focus', seen);
    document.addEventListener('kanava:language', updateTitle);
    api.addEventListener('signedout', signedOut);
    return () => {
      document.removeEventListener('keydown', shortcutKeys);
      document.removeEventListener('visibilitychange', seen);
      window.removeEventListener('focus', seen);
      document.removeEventListener('kanava:language', updateTitle);
      api.removeEventListener('signedout', signedOut);
    };
  }, [api]);

  useEffect(() => {
    const slot = refs.attention.current;
    slot.append(attentionControls(attention));
    updateTitle();
    if (api.hasSession) resume();
    else showLogin();
    return () => slot.replaceChildren();
  }, []);

  // --- Render -------------------------------------------------------------------------------

  // the capacity counts patients' conversations, not consultation threads
  const live = [...panels.values()].filter((p) => p.isLive() && !p.consultation).length;
  const you = s.you || {};
  const userName = [you.name, you.role ? t(`role.${you.role}`) : ''].filter(Boolean).join(', ');
  return html`
    <header class="app-header">
      <h1><span>${t('app.name')}</span> <span class="subtitle">${t('console.heading')}</span></h1>
      <div id="connection"><${ConnectionIndicator} socket=${socket} /></div>
      <div id="user-bar" class="user-bar" hidden=${s.phase !== 'workspace'}>
        <span id="user-name" class="user-name">${userName}</span>
        ${you.role && you.role !== 'partner' ? html`<span class="console-sections">
          <button type="button" data-testid="chats-tab" aria-pressed=${s.section === 'chats' ? 'true' : 'false'}
              onClick=${() => showSection('chats')}>${t('visit.nav.chats')}</button>
          <button type="button" data-testid="visits-tab" aria-pressed=${s.section === 'visits' ? 'true' : 'false'}
              onClick=${() => showSection('visits')}>${t('visit.nav.visits')}</button>
        </span>` : null}
        ${['supervisor', 'admin', 'platform_admin'].includes(you.role)
          ? html`<a href="/supervisor.html" data-testid="supervisor-link">${t('supervisor.link')}</a>` : null}
        <label><span>${t('console.presence')}</span>
          <select id="presence" data-testid="presence" ref=${refs.presence} value=${s.status}
              onChange=${(event) => setPresence(event.target.value)}>
            ${PRESENCE_RANK.map((status) => html`<option value=${status}>${t(`presence.${status}`)}</option>`)}
          </select>
        </label>
        <span id="capacity" class="capacity" role="status">${s.capacity === null ? '' : t('console.capacity', { active: live, capacity: s.capacity })}</span>
        <button type="button" id="sign-out" data-testid="sign-out" onClick=${signOut}>${t('console.signOut')}</button>
      </div>
      <details class="header-menu" data-testid="header-menu">
        <summary>${t('console.settings')}</summary>
        <div class="header-menu-body">
          <span id="attention-slot" ref=${refs.attention}></span>
          <${LanguagePicker} />
        </div>
      </details>
    </header>

    <main id="main" tabindex="-1">
      <${Alert} id="alert" message=${s.alert} />
      <div id="lapse-notice" class="notice lapse-notice" data-testid="lapse-notice" ref=${refs.lapse} hidden=${!s.lapsed}>
        <p>${t('offers.lapsedAway')}</p>
        <div class="actions">
          <button type="button" id="lapse-available" class="primary" data-testid="lapse-available"
              onClick=${() => setPresence('available')}>${t('offers.setAvailable')}</button>
          <button type="button" id="lapse-dismiss" data-testid="lapse-dismiss"
              onClick=${() => showLapsed(false)}>${t('offers.lapseDismiss')}</button>
        </div>
      </div>
      <p id="announcer" class="visually-hidden" role="status" aria-live="polite">${s.announcement}</p>
      ${s.phase === 'workspace' ? html`<${ProFeedback} socket=${socket} announce=${announce} />` : null}
      ${s.phase === 'workspace' ? html`<${ColleagueChatCall} socket=${socket} t=${t} attention=${attention} />` : null}

      <${SignInForm} api=${api} hidden=${s.phase !== 'login'} error=${s.loginError}
          setError=${(text) => set({ loginError: { text } })} usernameRef=${refs.username} onSignedIn=${startWorkspace} />

      <p id="loading" class="hint" hidden=${s.phase !== 'loading'}>${t('common.loading')}</p>

      ${s.bookOffer && s.phase === 'workspace' ? html`<div class="notice" data-testid="visit-book-offer">
        <p>${t('visit.bookOffer.text', { who: s.bookOffer.who })}</p>
        <div class="actions">
          <button type="button" class="primary" data-testid="visit-book-offer-accept"
              onClick=${() => { set({ bookFrom: s.bookOffer, bookOffer: null }); showSection('visits'); }}>${t('visit.bookOffer.book')}</button>
          <button type="button" onClick=${() => set({ bookOffer: null })}>${t('visit.bookOffer.later')}</button>
        </div>
      </div>` : null}
      ${s.phase === 'workspace' && s.section === 'visits' ? html`<${VisitsView} api=${api} socket=${socket} announce=${announce}
          showError=${showError} bookFrom=${s.bookFrom} onBookFromDone=${() => set({ bookFrom: null })}
          served=${() => [...overview.waiting.keys()]} />` : null}

      <div id="workspace" class="workspace" data-view=${s.view} hidden=${s.phase !== 'workspace' || s.section !== 'chats'}>
        ${s.view !== 'list' ? html`<${OfferReminder} overview=${overview} onShow=${() => showView('list')} />` : null}
        <div class="pane pane-list" id="list-pane">
          <div id="offers-slot"><${Offers} overview=${overview} /></div>
          <${SentTransferList} store=${sent} />
          <section id="conversations" class="conversations" aria-labelledby="conversations-title">
            <h2 id="conversations-title" tabindex="-1" ref=${refs.listTitle}>${t('console.conversationsTitle')}</h2>
            <div id="conversation-list">
              <${ConversationList} store=${rows} onSelect=${chooseRow} onShowClosed=${loadClosed} />
            </div>
          </section>
          ${you.role === 'partner' ? html`<${ReferredClients} api=${api} onOpen=${openReferral} />` : html`
          <section id="queues" aria-labelledby="queues-title">
            <h2 id="queues-title">${t('console.queuesTitle')}</h2>
            <div id="queue-overview"><${WaitingLists} overview=${overview} /></div>
          </section>`}
          ${s.phase === 'workspace' && you.role && you.role !== 'partner' ? html`<${Consultations} api=${api} socket=${socket} me=${you.id} consult=${consult}
              onConsultations=${consultationsListed} />` : null}
          <div id="preview-slot"><${Preview} overview=${overview} /></div>
          <details class="shortcuts" data-testid="shortcuts">
            <summary>${t('shortcuts.title')}</summary>
            <dl>
              <dt><kbd>Alt</kbd> + <kbd>↓</kbd> / <kbd>↑</kbd></dt><dd>${t('shortcuts.nextPrevious')}</dd>
              <dt><kbd>Alt</kbd> + <kbd>1</kbd>…<kbd>9</kbd></dt><dd>${t('shortcuts.number')}</dd>
              <dt><kbd>Alt</kbd> + <kbd>0</kbd></dt><dd>${t('shortcuts.list')}</dd>
            </dl>
          </details>
        </div>
        <div class="pane pane-main" id="panels" ref=${refs.panels}>
          <p id="no-conversations" class="hint pane-empty" hidden=${s.selectedId !== null}>${t('console.noConversationOpen')}</p>
        </div>
      </div>
    </main>`;
}
