// A conversation's message list, typing indicator and composer, shared by the patient page and
// the console panels. Messages are kept in seq order; own messages show sending → sent → read.
import { t } from './i18n.js';
import { h, setText, uid, errorText } from './dom.js';
import { formatTime } from './format.js';

const MAX_LENGTH = 4000;
const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;
const TYPING_SHOWN_MS = 10000;
// History arrives as one message frame each: one read receipt for the lot, not one per message
// (forty at once tripped the server's rate limit and showed an alert).
const READ_DELAY_MS = 250;
const SYSTEM_CODES = new Set(['professional_joined', 'returned_to_queue', 'idle_warning', 'closed']);

export class ChatView {
  /**
   * @param socket the KanavaSocket
   * @param side 'patient' or 'professional': who this page speaks for
   * @param isAttentive () => boolean: whether the user is looking at this chat now
   * @param onIncoming (message) => void: a message from someone else arrived
   * @param notes whether internal notes may be written (console)
   * @param canParticipate () => boolean: whether this socket may send typing and read frames now
   *   (the server refuses them from anyone who is not a participant, such as a previewer)
   */
  constructor({ socket, side, isAttentive, onIncoming = () => {}, notes = false, canParticipate = () => true }) {
    this.socket = socket;
    this.side = side;
    this.isAttentive = isAttentive;
    this.canParticipate = canParticipate;
    this.onIncoming = onIncoming;
    this.conversationId = null;
    this.items = new Map(); // seq -> li
    this.pending = new Map(); // clientMsgId -> li
    this.readSeq = 0;
    this.lastReadSent = 0;
    this.maxSeq = 0;
    this.typingSent = false;
    this.typingSentAt = 0;
    this.patientName = null;
    this.element = this.#build(notes);
  }

  /** Starts showing a conversation (a new id clears the list). */
  setConversation(conversationId) {
    if (this.conversationId === conversationId) return;
    this.conversationId = conversationId;
    this.items.clear();
    this.pending.clear();
    this.readSeq = 0;
    this.lastReadSent = 0;
    this.maxSeq = 0;
    clearTimeout(this.readTimer);
    this.readTimer = null;
    this.list.replaceChildren();
    this.showTyping(false);
  }

  setEnabled(enabled) {
    this.form.hidden = !enabled;
    if (!enabled) this.#stopTyping();
  }

  focusInput() {
    if (!this.form.hidden) this.input.focus();
  }

  /** Inserts text at the cursor (canned phrases). */
  insertText(text) {
    const { selectionStart: start, selectionEnd: end, value } = this.input;
    this.input.value = (value.slice(0, start) + text + value.slice(end)).slice(0, MAX_LENGTH);
    this.input.focus();
    const cursor = Math.min(start + text.length, MAX_LENGTH);
    this.input.setSelectionRange(cursor, cursor);
  }

  /** A `message` frame from the server. */
  addMessage(frame) {
    if (frame.conversationId !== this.conversationId || this.items.has(frame.seq)) return;
    const mine = this.#isMine(frame);
    let li = mine && frame.clientMsgId ? this.pending.get(frame.clientMsgId) : null;
    if (li) {
      this.pending.delete(frame.clientMsgId);
      li.remove();
      this.#setStatus(li, this.#deliveredStatus(frame.seq, frame.kind));
    } else {
      li = this.#render(frame, mine);
      if (mine) this.#setStatus(li, this.#deliveredStatus(frame.seq, frame.kind));
    }
    li.dataset.seq = String(frame.seq);
    this.items.set(frame.seq, li);
    this.#insertBySeq(li, frame.seq);
    this.maxSeq = Math.max(this.maxSeq, frame.seq);
    if (!mine && frame.kind !== 'system') {
      this.showTyping(false);
      this.onIncoming(frame);
    }
    this.#scrollToEnd();
    this.markSeen();
  }

  /** A `message.ack` for one of ours. */
  ack(frame) {
    if (frame.conversationId !== this.conversationId) return;
    const li = this.pending.get(frame.clientMsgId);
    if (!li || this.items.has(frame.seq)) return;
    this.pending.delete(frame.clientMsgId);
    li.dataset.seq = String(frame.seq);
    this.items.set(frame.seq, li);
    li.remove();
    this.#insertBySeq(li, frame.seq);
    this.#setStatus(li, this.#deliveredStatus(frame.seq, li.classList.contains('msg-note') ? 'note' : 'text'));
    this.maxSeq = Math.max(this.maxSeq, frame.seq);
  }

  /** A message.send that the server refused for good. */
  failed(frame) {
    const li = this.pending.get(frame.clientMsgId);
    if (!li) return;
    this.pending.delete(frame.clientMsgId);
    this.#setStatus(li, 'failed', errorText(frame));
  }

  /** A `read` frame from the other side: our messages up to seq are read. */
  readUpTo(seq) {
    if (seq <= this.readSeq) return;
    this.readSeq = seq;
    for (const [itemSeq, li] of this.items) {
      if (itemSeq <= seq && li.dataset.status === 'sent' && !li.classList.contains('msg-note')) this.#setStatus(li, 'read');
    }
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    this.typingLine.hidden = !on;
    if (on) this.typingTimer = setTimeout(() => this.showTyping(false), TYPING_SHOWN_MS);
  }

  /** Tells the other side, shortly, what we have seen, if the user is looking then. */
  markSeen() {
    if (this.readTimer) return;
    this.readTimer = setTimeout(() => {
      this.readTimer = null;
      this.#sendRead();
    }, READ_DELAY_MS);
  }

  #sendRead() {
    if (!this.conversationId || this.maxSeq <= this.lastReadSent || !this.isAttentive() || !this.canParticipate()) return;
    if (this.socket.send({ type: 'read', conversationId: this.conversationId, seq: this.maxSeq })) {
      this.lastReadSent = this.maxSeq;
    }
  }

  #build(notes) {
    const inputId = uid('chat-input');
    // The list keeps its list semantics inside the log (a role on the <ol> itself would hide
    // them); the log is the scrolling, focusable region.
    this.list = h('ol', { class: 'message-items' });
    this.log = h('div', {
      class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
      i18nAttr: 'aria-label:chat.messages', testid: 'message-list', tabindex: '0',
    }, [this.list]);
    this.typingLine = h('p', {
      class: 'typing', hidden: true,
      i18n: this.side === 'patient' ? 'chat.typing.professional' : 'chat.typing.patient',
    });
    const typingRegion = h('div', { 'aria-live': 'polite' }, [this.typingLine]);
    this.input = h('textarea', {
      id: inputId, maxlength: String(MAX_LENGTH), rows: '3', testid: 'chat-input', autocomplete: 'off',
    });
    this.noteToggle = notes ? h('input', { type: 'checkbox', class: 'note-toggle' }) : null;
    const noteLabel = notes
      ? h('label', { class: 'check' }, [this.noteToggle, h('span', { i18n: 'chat.noteToggle' })])
      : null;
    const hintId = uid('chat-hint');
    this.input.setAttribute('aria-describedby', hintId);
    const counter = h('p', { class: 'hint', id: hintId, i18n: 'chat.enterHint' });
    this.form = h('form', { class: 'composer', novalidate: true }, [
      h('label', { for: inputId, class: 'visually-hidden', i18n: 'chat.inputLabel' }),
      noteLabel,
      this.input,
      h('div', { class: 'composer-actions' }, [
        counter,
        h('button', { type: 'submit', class: 'primary', testid: 'chat-send', i18n: 'chat.send' }),
      ]),
    ]);
    if (this.noteToggle) {
      this.noteToggle.addEventListener('change', () => {
        this.form.classList.toggle('note-mode', this.noteToggle.checked);
      });
    }
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => this.#typed());
    this.input.addEventListener('blur', () => this.#stopTyping());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    return h('div', { class: 'chat' }, [this.log, typingRegion, this.form]);
  }

  #submit() {
    const text = this.input.value.trim();
    if (!text || !this.conversationId) return;
    const internal = Boolean(this.noteToggle && this.noteToggle.checked);
    const clientMsgId = this.socket.sendMessage(this.conversationId, text, internal);
    const li = this.#render({
      conversationId: this.conversationId, kind: internal ? 'note' : 'text', clientMsgId, text,
      sender: { kind: this.side }, at: new Date().toISOString(),
    }, true);
    this.#setStatus(li, 'sending');
    this.pending.set(clientMsgId, li);
    this.list.append(li);
    this.input.value = '';
    this.#stopTyping();
    this.#scrollToEnd();
  }

  #typed() {
    if (!this.conversationId || !this.canParticipate()) return;
    clearTimeout(this.typingIdleTimer);
    if (!this.input.value) {
      this.#stopTyping();
      return;
    }
    const now = Date.now();
    if (!this.typingSent || now - this.typingSentAt > TYPING_REPEAT_MS) {
      if (this.socket.send({ type: 'typing', conversationId: this.conversationId, typing: true })) {
        this.typingSent = true;
        this.typingSentAt = now;
      }
    }
    this.typingIdleTimer = setTimeout(() => this.#stopTyping(), TYPING_IDLE_MS);
  }

  #stopTyping() {
    clearTimeout(this.typingIdleTimer);
    if (!this.typingSent) return;
    this.typingSent = false;
    // No longer a participant (closed, access ended): the server would refuse the frame.
    if (!this.canParticipate()) return;
    this.socket.send({ type: 'typing', conversationId: this.conversationId, typing: false });
  }

  #isMine(frame) {
    const sender = frame.sender || {};
    if (sender.kind !== this.side) return false;
    if (this.side === 'patient') return true;
    const me = this.socket.me;
    return Boolean(me && sender.id === me.id);
  }

  #render(frame, mine) {
    const kind = frame.kind || 'text';
    const sender = frame.sender || {};
    const classes = ['msg', `msg-${kind}`, mine ? 'mine' : 'theirs'];
    const li = h('li', { class: classes.join(' ') });
    if (kind === 'system') {
      li.append(h('p', { class: 'msg-text' }, [systemText(frame)]));
      li.append(h('p', { class: 'msg-meta' }, [h('time', { datetime: frame.at, text: formatTime(frame.at) })]));
      return li;
    }
    if (kind === 'note') li.append(h('p', { class: 'note-label', i18n: 'chat.noteLabel' }));
    const who = h('span', { class: 'msg-sender' });
    if (mine) setText(who, 'chat.you');
    else if (sender.kind === 'patient') {
      if (this.patientName) who.textContent = this.patientName;
      else setText(who, 'chat.patient');
    } else {
      const role = sender.role ? t(`role.${sender.role}`) : '';
      who.textContent = [sender.name, role].filter(Boolean).join(', ');
    }
    const meta = h('p', { class: 'msg-meta' }, [who, ' ', h('time', { datetime: frame.at, text: formatTime(frame.at) })]);
    li.append(meta, h('p', { class: 'msg-text', text: frame.text }));
    if (mine) li.append(h('p', { class: 'msg-status' }));
    return li;
  }

  /** Notes are never read by the patient, so they stay 'sent'. */
  #deliveredStatus(seq, kind) {
    return kind !== 'note' && seq <= this.readSeq ? 'read' : 'sent';
  }

  #setStatus(li, status, detail) {
    li.dataset.status = status;
    const line = li.querySelector('.msg-status');
    if (!line) return;
    setText(line, `chat.status.${status}`);
    if (detail) line.append(': ', detail);
  }

  #insertBySeq(li, seq) {
    for (const child of this.list.children) {
      const childSeq = child.dataset.seq ? Number(child.dataset.seq) : Infinity;
      if (childSeq > seq) {
        this.list.insertBefore(li, child);
        return;
      }
    }
    this.list.append(li);
  }

  #scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

function systemText(frame) {
  const span = document.createElement('span');
  if (frame.code && SYSTEM_CODES.has(frame.code)) setText(span, `system.${frame.code}`);
  else if (frame.text) span.textContent = frame.text;
  else setText(span, 'system.other');
  return span;
}
