// The patient's waiting and chat view for one conversation: live queue position, leaving the
// queue, writing while waiting where the queue allows it, the chat once a professional is with
// them, ending it, the idle warning and the end screen with the transcript. What the patient has
// typed but not sent is kept in this tab's sessionStorage per conversation, so a reload keeps it;
// it is dropped once sent or when the conversation closes (docs/security.md).
import { html, render as renderUi } from './ui.js';
import { t } from './i18n.js';
import { setText, showAlert, errorText, focusHeading } from './dom.js';
import { formatTime, formatWaitRange } from './format.js';
import { ChatView, followAsPatient } from './chat-view.js';
import { Attention } from './attention.js';
import { attentionControls } from './attention-controls.js';
import { EndChat } from './patient/end-chat.js';
import { EndScreen } from './patient/end-screen.js';
import { TransferConsent, announcement } from './patient/transfer-consent.js';
import { PatientChatCall } from './call/chat-call.js';

// The chat's own styles (the end screen, transcript, consent card, feedback form) come with its modules,
// so the first question does not wait for them.
if (!document.querySelector('link[href="/css/patient-chat.css"]')) {
  document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/css/patient-chat.css' }));
}

const $ = (id) => document.getElementById(id);
/** The conversation this tab shows, so that a reload shows its end screen again while the session lasts. */
export const SHOWN_KEY = 'kanava.patient.conversation';
const DRAFT_PREFIX = 'kanava.patient.draft.';
const MESSAGES_PAGE = 500;

export class PatientConversation {
  /**
   * @param socket the KanavaSocket
   * @param queueName (queueId) => string|null, the queue's name in the page language
   * @param onNewContact () => void, when the patient wants to start again
   * @param api the Api, for the transcript's messages
   * @param queueAllowsWriting (queueId) => boolean, whether the queue lets a waiting patient write
   * @param queueStatements (queueId) => string[], the feedback statements the queue asks (feedbackStatements)
   */
  constructor({ socket, queueName, onNewContact, api, queueAllowsWriting = () => false, queueStatements = () => [] }) {
    this.socket = socket;
    this.api = api;
    this.queueName = queueName;
    this.queueAllowsWriting = queueAllowsWriting;
    this.queueStatements = queueStatements;
    this.onNewContact = onNewContact;
    this.view = null;
    this.idleClosesAt = null;
    this.announced = null;
    this.section = $('view-conversation');
    this.chatContainer = $('chat-container');
    // The nurse joining and each message from the professional are signalled while the patient
    // looks elsewhere; the notification says only that something happened, never the text.
    this.attention = new Attention({ storageKey: 'kanava.patient.sound', baseTitle: () => t('patient.title') });
    $('attention-slot').append(attentionControls(this.attention));
    this.chat = new ChatView({
      socket,
      side: 'patient',
      isAttentive: () => document.visibilityState === 'visible' && !this.section.hidden && !this.chatContainer.hidden,
      onIncoming: (frame) => {
        if (frame.sender?.kind === 'professional') {
          this.attention.signal({ titleKey: 'attention.newMessage', bodyKey: 'attention.newMessageBody', tag: 'kanava-message', onlyWhenAway: true });
        }
      },
      onDraft: (text) => this.#keepDraft(text),
    });
    this.chatContainer.append(this.chat.element);
    this.#wire(onNewContact);
  }

  get id() {
    return this.view ? this.view.id : null;
  }

  /** Shows a conversation; alreadyOpen when the server already watches it for us (queue.entered). */
  open(view, { alreadyOpen = false } = {}) {
    if (this.view && this.view.id !== view.id) this.socket.unwatch(this.view.id);
    this.view = { ...view };
    this.idleClosesAt = null;
    this.chat.setConversation(view.id);
    this.chat.setDraft(view.state === 'closed' ? '' : sessionStorage.getItem(DRAFT_PREFIX + view.id));
    sessionStorage.setItem(SHOWN_KEY, view.id);
    if (view.readUpTo) this.chat.readUpTo(view.readUpTo.professional || 0);
    this.socket.watch(view.id, { afterSeq: 0, alreadyOpen });
    this.render();
  }

  /** Stops showing the conversation (before a new contact). */
  close() {
    if (this.view) {
      this.socket.unwatch(this.view.id);
      sessionStorage.removeItem(DRAFT_PREFIX + this.view.id);
    }
    sessionStorage.removeItem(SHOWN_KEY);
    this.view = null;
    this.chat.setConversation(null);
    this.chat.setDraft('');
    renderUi(null, $('end-chat-slot'));
    renderUi(null, $('closed'));
    renderUi(null, $('transfer-slot'));
    renderUi(null, $('call-slot'));
    $('transfer-status').textContent = '';
    this.announced = null;
  }

  /** The patient's messages of a conversation, oldest first, page by page. */
  async loadMessages(conversationId) {
    const all = [];
    let after = 0;
    for (;;) {
      const page = (await this.api.get(`/api/conversations/${encodeURIComponent(conversationId)}/messages?after=${after}&limit=${MESSAGES_PAGE}`)) || [];
      all.push(...page);
      if (page.length < MESSAGES_PAGE) return all;
      after = page[page.length - 1].seq;
    }
  }

  #keepDraft(text) {
    if (!this.view || phase(this.view) === 'closed') return;
    if (text) sessionStorage.setItem(DRAFT_PREFIX + this.view.id, text);
    else sessionStorage.removeItem(DRAFT_PREFIX + this.view.id);
  }

  /** Re-renders everything from the current view (also after a language change). */
  render() {
    const view = this.view;
    if (!view) return;
    const queue = view.queueId ? this.queueName(view.queueId) : null;
    $('conversation-queue').textContent = queue || '';
    const state = phase(view);
    // System lines alone (closed, returned to the queue) do not make a chat worth showing.
    const hasMessages = this.chat.pending.size > 0
      || [...this.chat.items.values()].some((li) => !li.classList.contains('msg-system'));
    // Offered to a professional who has not accepted yet: still waiting (the offer may lapse).
    const waiting = state === 'queued' || state === 'offered';
    const writable = waiting && this.queueAllowsWriting(view.queueId);
    $('waiting').hidden = !waiting;
    $('waiting-write-hint').hidden = !writable;
    // once closed, the end screen's transcript shows the messages
    this.chatContainer.hidden = state === 'closed' || !(state === 'joined' || writable || hasMessages);
    this.chat.setEnabled(state === 'joined' || writable);
    $('closed').hidden = state !== 'closed';
    // sound and notifications are about a live chat: nothing more comes once it has closed
    $('attention-slot').hidden = state === 'closed';
    if (waiting) this.#renderWaiting(state);
    if (state !== 'queued') this.#hideLeaveConfirm();
    const endSlot = $('end-chat-slot');
    endSlot.hidden = state !== 'joined';
    renderUi(state === 'joined' ? html`<${EndChat} onEnd=${() => this.#end()} />` : null, endSlot);
    this.#renderTransfer(state);
    // video from the chat: the professional may call while the chat is on; a call ends with the chat
    renderUi(state === 'joined' ? html`<${PatientChatCall} key=${view.id} socket=${this.socket} conversationId=${view.id} t=${t}
      attention=${this.attention} onClosed=${() => this.#afterCall()} />` : null, $('call-slot'));
    if (state === 'closed') {
      sessionStorage.removeItem(DRAFT_PREFIX + view.id);
      this.chat.setDraft('');
      const feedback = { statements: this.queueStatements(view.queueId), request: (frame) => this.socket.request(frame) };
      renderUi(html`<${EndScreen} view=${view} service=${queue} loadMessages=${(id) => this.loadMessages(id)}
        onNewContact=${this.onNewContact} feedback=${feedback} />`, $('closed'));
      this.idleClosesAt = null;
    }
    this.#renderIdle();
  }

  /** The call or its prompt went: the focus, if it was there (now lost), goes back to the chat. */
  #afterCall() {
    requestAnimationFrame(() => {
      const active = document.activeElement;
      if (!active || active === document.body) this.chat.focusInput();
    });
  }

  /** The current transfer's question or decision while the conversation is open; announced when it changes. */
  #renderTransfer(state) {
    const transfer = state === 'closed' ? null : this.view.transfer;
    const slot = $('transfer-slot');
    slot.hidden = !transfer;
    renderUi(transfer ? html`<${TransferConsent} transfer=${transfer} queueName=${this.queueName}
      onAnswer=${(granted) => this.#answerTransfer(transfer.transferId, granted)} />` : null, slot);
    const key = transfer ? `${this.view.id}|${transfer.transferId}|${transfer.consent}` : null;
    if (key && key !== this.announced) $('transfer-status').textContent = announcement(transfer, this.queueName);
    this.announced = key;
  }

  /** Records the patient's answer; the reply updates the view at once (a conversation.state follows). */
  async #answerTransfer(transferId, granted) {
    const conversationId = this.view.id;
    const reply = await this.socket.request({ type: 'transfer.consent', conversationId, transferId, granted });
    const transfer = this.view && this.view.id === conversationId ? this.view.transfer : null;
    if (reply.type === 'transfer.consent.recorded' && transfer && transfer.transferId === reply.transferId) {
      this.view.transfer = { ...transfer, consent: reply.consent, decidedAt: reply.at };
      this.render();
    }
  }

  #renderWaiting(state) {
    const { position } = this.view;
    $('leave-queue').hidden = state === 'offered';
    $('waiting-estimate').hidden = state === 'offered';
    if (state === 'offered') setText($('waiting-position'), 'waiting.assigned');
    else if (typeof position === 'number') setText($('waiting-position'), 'waiting.position', { position });
    else setText($('waiting-position'), 'waiting.positionUnknown');
    setText($('waiting-estimate'), ...estimateText(this.view));
  }

  #renderIdle() {
    const notice = $('idle-notice');
    notice.hidden = !this.idleClosesAt;
    if (this.idleClosesAt) setText(notice, 'idle.warning', { time: formatTime(this.idleClosesAt) });
  }

  #applyView(view) {
    if (!this.view || view.id !== this.view.id) return;
    const before = phase(this.view);
    // Each frame carries the whole view, with null fields left out: replace, so a field that became
    // null (acceptedAt after a return to the queue) does not keep its old value. Only the place in the
    // queue comes in frames of its own (queue.position), so it is kept while the conversation waits.
    const keepPlace = view.state === 'queued' && view.position == null
      ? placeOf(this.view) : {};
    this.view = { ...view, ...keepPlace };
    if (view.readUpTo && this.chat) this.chat.readUpTo(view.readUpTo.professional || 0);
    if (before !== 'joined' && phase(this.view) === 'joined') {
      this.attention.signal({ titleKey: 'attention.nurseJoined', bodyKey: 'attention.nurseJoinedBody', tag: 'kanava-joined', onlyWhenAway: true });
    }
    this.#rendered(before);
  }

  /** Renders, then moves focus when the phase changed under the user's focus. */
  #rendered(before) {
    const active = document.activeElement;
    const focusHere = !active || active === document.body || this.section.contains(active);
    this.render();
    const now = phase(this.view);
    if (!focusHere || now === before) return;
    if (now === 'joined') this.chat.focusInput();
    else if (now === 'closed') focusHeading($('closed'));
    else if (!active || !active.isConnected || active.closest('[hidden]')) focusHeading(this.section);
  }

  #wire(onNewContact) {
    const mine = (frame) => this.view && frame.conversationId === this.view.id;
    this.socket.on('conversation', (frame) => this.#applyView(frame.conversation));
    this.socket.on('conversation.state', (frame) => this.#applyView(frame.conversation));
    this.socket.on('queue.position', (frame) => {
      if (!mine(frame)) return;
      // a missing field is null: the frame leaves nulls out
      Object.assign(this.view, { ...placeOf({}), ...placeOf(frame) });
      if (phase(this.view) === 'queued') this.#renderWaiting('queued');
    });
    this.socket.on('message', (frame) => {
      if (!mine(frame)) return;
      this.chat.addMessage(frame);
      if (frame.kind !== 'system' && this.idleClosesAt) {
        this.idleClosesAt = null;
        this.#renderIdle();
      }
      if (this.chatContainer.hidden) this.render();
    });
    followAsPatient(this.socket, (frame) => (mine(frame) ? this.chat : null));
    this.socket.on('idle.warning', (frame) => {
      if (!mine(frame)) return;
      this.idleClosesAt = frame.closesAt;
      this.#renderIdle();
    });
    this.socket.on('conversation.closed', (frame) => {
      if (!mine(frame)) return;
      const before = phase(this.view);
      this.view.state = 'closed';
      this.view.outcome = frame.outcome;
      this.#rendered(before);
    });
    const seen = () => this.chat.markSeen();
    document.addEventListener('visibilitychange', seen);
    window.addEventListener('focus', seen);

    $('leave-queue').addEventListener('click', () => {
      $('leave-confirm').hidden = false;
      $('leave-queue').setAttribute('aria-expanded', 'true');
      $('leave-no').focus();
    });
    $('leave-no').addEventListener('click', () => {
      this.#hideLeaveConfirm();
      $('leave-queue').focus();
    });
    $('leave-yes').addEventListener('click', () => this.#leave());
  }

  /** The patient ends the chat (after confirming); the reply closes the view here at once. */
  async #end() {
    const reply = await this.socket.request({ type: 'conversation.end', conversationId: this.view.id });
    if (reply.type === 'conversation.closed' && this.view && reply.conversationId === this.view.id) {
      const before = phase(this.view);
      this.view.state = 'closed';
      this.view.outcome = reply.outcome;
      this.#rendered(before);
    }
  }

  #hideLeaveConfirm() {
    $('leave-confirm').hidden = true;
    $('leave-queue').setAttribute('aria-expanded', 'false');
  }

  async #leave() {
    const button = $('leave-yes');
    button.disabled = true;
    try {
      const reply = await this.socket.request({ type: 'queue.leave', conversationId: this.view.id });
      if (reply.type === 'conversation.closed' && this.view && reply.conversationId === this.view.id) {
        this.view.state = 'closed';
        this.view.outcome = reply.outcome || 'abandoned';
        this.render();
      }
      focusHeading($('closed'));
    } catch (error) {
      showAlert($('alert'), errorText(error));
    } finally {
      button.disabled = false;
    }
  }
}

/**
 * queued | offered (assigned, not yet accepted) | joined | closed. The server leaves out fields
 * that are null: an active conversation without acceptedAt is only offered.
 */
function phase(view) {
  const state = view.state || 'queued';
  if (state === 'active') return view.acceptedAt ? 'joined' : 'offered';
  return state;
}

/** The fields of a view or a queue.position frame that say where the patient stands and how long they may wait. */
const PLACE_FIELDS = ['position', 'estimatedWaitSeconds', 'estimatedWaitLowSeconds', 'estimatedWaitHighSeconds', 'noEstimateReason'];

function placeOf(source) {
  return Object.fromEntries(PLACE_FIELDS.map((field) => [field, source[field] ?? null]));
}

/** The bundle key and values of the wait estimate: a range, or why there is none. */
function estimateText({ estimatedWaitLowSeconds: low, estimatedWaitHighSeconds: high, noEstimateReason: reason }) {
  if (typeof low === 'number' && typeof high === 'number') return ['waiting.range', { range: formatWaitRange(low, high) }];
  if (reason === 'nobody_available') return ['waiting.noEstimateNobody'];
  if (reason === 'no_history') return ['waiting.noEstimateYet'];
  return ['waiting.estimateUnknown'];
}
