// A conversation's message list, typing indicator and composer, shared by the patient page and
// the console panels. Messages are kept in seq order; own messages show sending → sent → read.
// On a resync (conversation.resync, then the store's messages, then conversation.synced) the
// messages that come again are kept (matched by id, or by sender and clientMsgId), our own that do
// not are sent again with their clientMsgId, and anyone else's that do not are shown as lost.
import { t } from './i18n.js';
import { h, setText, uid, errorText } from './dom.js';
import { formatTime } from './format.js';
import { uploadPhoto, photoThumbnail } from './attachments.js';
import { systemMessage } from './system-text.js';

const MAX_LENGTH = 4000;
const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;
const TYPING_SHOWN_MS = 10000;
// History arrives as one message frame each: one read receipt for the lot, not one per message
// (forty at once tripped the server's rate limit and showed an alert).
const READ_DELAY_MS = 250;

export class ChatView {
  /**
   * @param socket the KanavaSocket
   * @param side 'patient' or 'professional': who this page speaks for
   * @param isAttentive () => boolean: whether the user is looking at this chat now
   * @param onIncoming (message) => void: a message from someone else arrived live (not the history
   *   that comes before the conversation's first conversation.synced)
   * @param notes whether internal notes may be written (console)
   * @param canParticipate () => boolean: whether this socket may send typing and read frames now
   *   (the server refuses them from anyone who is not a participant, such as a previewer)
   * @param onDraft (text) => void: the unsent text changed (typed, or '' once sent), for a page
   *   that keeps drafts
   */
  constructor({ socket, side, isAttentive, onIncoming = () => {}, notes = false, canParticipate = () => true, onDraft = () => {} }) {
    this.onDraft = onDraft;
    this.socket = socket;
    this.side = side;
    this.isAttentive = isAttentive;
    this.canParticipate = canParticipate;
    this.onIncoming = onIncoming;
    this.conversationId = null;
    this.items = new Map(); // seq -> li
    this.pending = new Map(); // clientMsgId -> li
    this.unconfirmed = null; // during a resync: the lis held before it, until they come again
    this.lost = new Set(); // lis of messages the store does not have (shown as such)
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
    this.unconfirmed = null;
    this.lost.clear();
    this.readSeq = 0;
    this.lastReadSent = 0;
    this.maxSeq = 0;
    // the history that comes before the first conversation.synced was already there: not news
    this.caughtUp = false;
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

  /** Puts a kept draft back into the message box. */
  setDraft(text) {
    this.input.value = (text || '').slice(0, MAX_LENGTH);
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
    if (frame.conversationId !== this.conversationId) return;
    const held = this.items.get(frame.seq);
    if (held) {
      if (!frame.id || !held.dataset.id || held.dataset.id === frame.id) return; // a repeat
      // another message with a number we hold (the socket resynchronises): set ours aside
      this.items.delete(frame.seq);
      if (this.unconfirmed) this.unconfirmed.add(held);
      else this.#markLost(held);
    }
    const mine = this.#isMine(frame);
    let li = this.#reclaim(frame, mine);
    const known = Boolean(li);
    if (li) {
      li.remove();
      li.classList.remove('msg-lost');
      if (mine) this.#setStatus(li, this.#deliveredStatus(frame.seq, frame.kind));
      else this.#clearStatus(li);
    } else {
      li = this.#render(frame, mine);
      if (mine) this.#setStatus(li, this.#deliveredStatus(frame.seq, frame.kind));
    }
    li.dataset.seq = String(frame.seq);
    if (frame.id) li.dataset.id = frame.id;
    const key = messageKey(frame);
    if (key) li.dataset.key = key;
    this.items.set(frame.seq, li);
    this.#insertBySeq(li, frame.seq);
    this.maxSeq = Math.max(this.maxSeq, frame.seq);
    if (!mine && frame.kind !== 'system' && !known) {
      this.showTyping(false);
      if (this.caughtUp) this.onIncoming(frame);
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
    if (frame.id) li.dataset.id = frame.id;
    const me = this.socket.me;
    if (me) li.dataset.key = `${this.side}|${me.id}|${frame.clientMsgId}`;
    this.items.set(frame.seq, li);
    li.remove();
    this.#insertBySeq(li, frame.seq);
    this.#setStatus(li, this.#deliveredStatus(frame.seq, li.classList.contains('msg-note') ? 'note' : 'text'));
    this.maxSeq = Math.max(this.maxSeq, frame.seq);
  }

  /**
   * `conversation.resync`: what we hold after afterSeq may not be what the store has. Those
   * messages wait to come again until `conversation.synced` ({@link synced}).
   */
  resync(afterSeq) {
    if (!this.unconfirmed) this.unconfirmed = new Set();
    for (const [seq, li] of [...this.items]) {
      if (seq > afterSeq) {
        this.items.delete(seq);
        this.unconfirmed.add(li);
      }
    }
  }

  /**
   * `conversation.synced`: after a resync, our own messages that did not come again are sent
   * again (same clientMsgId: stored once), and anyone else's are shown as lost until, perhaps,
   * their author's page sends them again.
   */
  synced() {
    this.caughtUp = true;
    const left = this.unconfirmed;
    this.unconfirmed = null;
    if (!left) return;
    for (const li of left) {
      const text = li.querySelector('.msg-text');
      if (li.dataset.clientMsgId && li.classList.contains('mine') && text) {
        const clientMsgId = li.dataset.clientMsgId;
        delete li.dataset.seq;
        this.pending.set(clientMsgId, li);
        this.#setStatus(li, 'sending');
        this.socket.sendMessage(this.conversationId, text.textContent, li.classList.contains('msg-note'), clientMsgId,
          li.dataset.attachmentId || null);
      } else {
        this.#markLost(li);
      }
    }
  }

  /** A message we held that the store does not have: kept in view, marked, until it comes again. */
  #markLost(li) {
    li.classList.add('msg-lost');
    this.lost.add(li);
    this.#setStatus(li, 'lost');
  }

  /** The li of a message we already show: held before a resync, shown as lost, or our own still pending. */
  #reclaim(frame, mine) {
    const key = messageKey(frame);
    for (const set of [this.unconfirmed, this.lost]) {
      if (!set) continue;
      for (const li of set) {
        if ((frame.id && li.dataset.id === frame.id) || (key && li.dataset.key === key)) {
          set.delete(li);
          return li;
        }
      }
    }
    const pending = mine && frame.clientMsgId ? this.pending.get(frame.clientMsgId) : null;
    if (pending) this.pending.delete(frame.clientMsgId);
    return pending;
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
      this.#buildPhotoPicker(),
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
    this.input.addEventListener('input', () => {
      this.onDraft(this.input.value);
      this.#typed();
    });
    this.input.addEventListener('blur', () => this.#stopTyping());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    return h('div', { class: 'chat' }, [this.log, typingRegion, this.form]);
  }

  /** "Attach a photo": a real file input with its label (a phone offers camera or gallery), and the upload's progress in words. */
  #buildPhotoPicker() {
    const inputId = uid('photo-input');
    const statusId = uid('photo-status');
    this.photoInput = h('input', { type: 'file', id: inputId, accept: 'image/*', testid: 'photo-input', 'aria-describedby': statusId });
    this.photoProgress = h('progress', { max: '100', value: '0', hidden: true, 'aria-labelledby': statusId });
    this.photoStatus = h('p', { id: statusId, class: 'hint photo-status', role: 'status', testid: 'photo-status' });
    this.photoInput.addEventListener('change', () => {
      const file = this.photoInput.files && this.photoInput.files[0];
      if (file) this.#sendPhoto(file);
    });
    return h('div', { class: 'photo-picker' }, [
      h('label', { for: inputId, i18n: 'attachment.choose' }), this.photoInput, this.photoProgress, this.photoStatus,
    ]);
  }

  async #sendPhoto(file) {
    const conversationId = this.conversationId;
    if (!conversationId) return;
    this.photoInput.disabled = true;
    this.photoProgress.hidden = false;
    this.photoProgress.value = 0;
    setText(this.photoStatus, 'attachment.uploading');
    try {
      const attachment = await uploadPhoto(this.socket.api, conversationId, file, (fraction) => {
        this.photoProgress.value = Math.round(fraction * 100);
      });
      if (this.conversationId !== conversationId) return;
      const clientMsgId = this.socket.sendMessage(conversationId, '', false, undefined, attachment.id);
      const li = this.#render({
        conversationId, kind: 'text', clientMsgId, text: '', sender: { kind: this.side }, at: new Date().toISOString(),
        attachment: { id: attachment.id, mediaType: attachment.mediaType, width: attachment.width, height: attachment.height,
          thumbnailWidth: attachment.thumbnailWidth, thumbnailHeight: attachment.thumbnailHeight },
      }, true);
      li.dataset.clientMsgId = clientMsgId;
      this.#setStatus(li, 'sending');
      this.pending.set(clientMsgId, li);
      this.list.append(li);
      this.#scrollToEnd();
      setText(this.photoStatus, 'attachment.sent');
    } catch (error) {
      const code = error && error.code;
      setText(this.photoStatus, code === 'not_an_image' || code === 'image_too_large' ? `attachment.error.${code}` : 'attachment.error.other');
    } finally {
      this.photoProgress.hidden = true;
      this.photoInput.disabled = false;
      this.photoInput.value = '';
    }
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
    li.dataset.clientMsgId = clientMsgId;
    this.#setStatus(li, 'sending');
    this.pending.set(clientMsgId, li);
    this.list.append(li);
    this.input.value = '';
    this.onDraft('');
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
    if (mine && frame.clientMsgId) li.dataset.clientMsgId = frame.clientMsgId;
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
    if (frame.attachment) {
      li.dataset.attachmentId = frame.attachment.id;
      li.append(photoThumbnail(this.socket.api, frame.attachment, 'attachment.alt', { who: who.textContent }));
    }
    if (mine) li.append(h('p', { class: 'msg-status' }));
    return li;
  }

  /** Notes are never read by the patient, so they stay 'sent'. */
  #deliveredStatus(seq, kind) {
    return kind !== 'note' && seq <= this.readSeq ? 'read' : 'sent';
  }

  #setStatus(li, status, detail) {
    li.dataset.status = status;
    let line = li.querySelector('.msg-status');
    if (!line) {
      // someone else's message has a status line only while it is shown as lost
      line = h('p', { class: 'msg-status' });
      li.append(line);
    }
    setText(line, `chat.status.${status}`);
    if (detail) line.append(': ', detail);
  }

  /** Someone else's message is stored after all: no status. */
  #clearStatus(li) {
    delete li.dataset.status;
    li.querySelector('.msg-status')?.remove();
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

/** What identifies a message besides its id: its sender and clientMsgId (the same when sent again). */
function messageKey(frame) {
  if (!frame.clientMsgId) return null;
  const sender = frame.sender || {};
  return `${sender.kind}|${sender.id || sender.name || ''}|${frame.clientMsgId}`;
}

function systemText(frame) {
  const span = document.createElement('span');
  const said = systemMessage(frame, (role) => t(`role.${role}`));
  if (said.key) setText(span, said.key, said.params);
  else span.textContent = said.text;
  return span;
}

/**
 * Feeds patient-side ChatViews from the socket: acknowledgements, failures, resyncs, and the
 * professional's typing and reads. {@code chatFor(frame)} names the view of the frame's conversation,
 * or null. New messages are the caller's (it may do more with them). Returns the listeners' removers.
 */
export function followAsPatient(socket, chatFor) {
  const to = (handle) => (frame) => {
    const chat = chatFor(frame);
    if (chat) handle(chat, frame);
  };
  return [
    socket.on('message.ack', to((chat, frame) => chat.ack(frame))),
    socket.on('message.failed', to((chat, frame) => chat.failed(frame))),
    // the store's messages again (a sequence number given out twice, or messages the store lost)
    socket.on('conversation.resync', to((chat, frame) => chat.resync(frame.afterSeq || 0))),
    socket.on('conversation.synced', to((chat) => chat.synced())),
    socket.on('typing', to((chat, frame) => frame.who === 'professional' && chat.showTyping(Boolean(frame.typing)))),
    socket.on('read', to((chat, frame) => frame.who === 'professional' && chat.readUpTo(frame.seq))),
  ];
}
