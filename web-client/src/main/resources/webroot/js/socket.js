// The one WebSocket of a tab (/ws, protocol kanava.v1). Authenticates in the handshake, waits
// for `ready`, dispatches frames by type, matches replies to requests by `ref`, reconnects
// with backoff, re-opens watched conversations from the last seq seen, and keeps message.send
// frames in an outbox (in memory only) until their ack: a send whose fate is unknown (the socket
// closed before the ack, no answer in time, database_busy, rate_limited, ...) is sent again with
// the same clientMsgId, which the server stores once. It also checks the numbering of each
// watched conversation: a number it holds for another message, or a gap, makes it resynchronise
// the conversation from the store (docs/protocol.md, "Sequence numbers, resync and retries").
import { ApiError } from './api.js';
import { randomId } from './dom.js';

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const READY_TIMEOUT_MS = 15000;
const REQUEST_TIMEOUT_MS = 20000;
// A half-open socket (a phone that lost its network) is noticed by a ping that gets no pong.
const PING_INTERVAL_MS = 25000;
const PONG_TIMEOUT_MS = 10000;
const AUTH_FAILURES = new Set(['token_expired', 'unauthenticated']);
/**
 * Errors without a ref that the socket itself deals with (it authenticates again, or says "open in
 * another window" through its state): a page shows no alert for them, which would outlast the
 * reconnection.
 */
export const HANDLED_BY_SOCKET = new Set([...AUTH_FAILURES, 'too_many_sockets']);
// A send refused with one of these was not stored (or may have been: internal_error); it stays in
// the outbox and goes again, with the same clientMsgId, after a wait. 'retry': a send with that
// clientMsgId is still in progress, or the conversation changed while storing. Any other code is
// final: the message is shown as not sent.
const SEND_AGAIN = new Set(['rate_limited', 'retry', 'database_busy', 'internal_error']);
// Answered after a reconnect, when the socket has a fresh token.
const SEND_AFTER_RECONNECT = new Set(['token_expired', 'unauthenticated']);
// No ack this long after a send on an open socket: its fate is unknown, so it goes again.
const ACK_TIMEOUT_MS = 15000;
const SEND_AGAIN_MIN_MS = 500;
const SEND_AGAIN_MAX_MS = 30000;

export class KanavaSocket extends EventTarget {
  constructor(api) {
    super();
    this.api = api;
    this.url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.ws = null;
    this.ready = false;
    this.state = 'offline'; // connecting | online | offline
    this.everOnline = false;
    this.stopped = true;
    this.me = null;
    this.attempt = 0;
    this.failuresBeforeOpen = 0;
    this.authFailed = false;
    this.retryTimer = null;
    this.refCounter = 0;
    this.listeners = new Map();
    this.requests = new Map(); // ref -> {resolve, reject, timer, sent}
    this.waiting = []; // requests made while not online
    this.outbox = new Map(); // clientMsgId -> {frame, attempts, timer}, until acked or stored
    this.refToMessage = new Map(); // ref of a message.send -> clientMsgId
    // conversationId -> {lastSeq, ids: Map seq -> message id, syncing}: what the page holds of each
    // watched conversation; syncing from a conversation.open until its conversation.synced
    this.watched = new Map();
    this.readyHooks = [];
    api.addEventListener('token', () => this.#onNewToken());
    api.addEventListener('signedout', () => this.stop());
    // Back online: connect now, or check at once that the socket kept through the outage still works.
    window.addEventListener('online', () => (this.ws && this.ready ? this.#probe(this.ws) : this.reconnectNow()));
  }

  /** Listens to frames of a type ('*' for all, plus 'ready' and 'state'); returns an unsubscribe function. */
  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
    return () => this.listeners.get(type).delete(listener);
  }

  /** Runs after every `ready`, for subscriptions the server forgets with the connection. */
  onReady(hook) {
    this.readyHooks.push(hook);
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.#connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) ws.close(1000);
    this.#failRequests('stopped');
    for (const entry of this.outbox.values()) clearTimeout(entry.timer);
    this.outbox.clear();
    this.watched.clear();
    this.#setState('offline');
  }

  /** Tries at once instead of waiting for the backoff (browser back online, user asked). */
  reconnectNow() {
    if (this.stopped || this.ws) return;
    this.attempt = 0;
    this.#connect();
  }

  /** Sends a frame now if online (a `ref` is added); returns the ref, or null if not sent. */
  send(frame) {
    if (!this.ready || !this.ws) return null;
    const ref = this.#nextRef();
    this.#write({ ...frame, ref });
    return ref;
  }

  /**
   * Sends a frame and resolves with the server's reply carrying the same ref, or rejects with
   * an ApiError for an `error` frame with that ref. Waits for the connection if needed.
   */
  request(frame, timeoutMs = REQUEST_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const entry = { frame, resolve, reject, timer: null, ref: null, done: false };
      entry.timer = setTimeout(() => {
        entry.done = true;
        this.waiting = this.waiting.filter((w) => w !== entry);
        if (entry.ref) this.requests.delete(entry.ref);
        reject(new ApiError(this.ready ? 'timeout' : 'offline', 'No answer from the server'));
      }, timeoutMs);
      if (this.ready) this.#sendRequest(entry);
      else this.waiting.push(entry);
    });
  }

  /** Starts watching a conversation; on every (re)connect it is re-opened from the last seq seen. */
  watch(conversationId, { afterSeq = 0, alreadyOpen = false } = {}) {
    const known = this.watched.get(conversationId);
    const watched = known || { lastSeq: 0, ids: new Map(), syncing: false };
    watched.lastSeq = Math.max(afterSeq, watched.lastSeq);
    // already open: the reply's history and conversation.synced are on their way
    watched.syncing = alreadyOpen || watched.syncing;
    this.watched.set(conversationId, watched);
    if (!alreadyOpen && this.ready) this.#open(conversationId);
  }

  unwatch(conversationId) {
    if (!this.watched.delete(conversationId)) return;
    this.send({ type: 'conversation.leave', conversationId });
  }

  /**
   * Queues a chat message until its ack; returns its clientMsgId. A clientMsgId given is a message
   * sent again (one the store lost): the server stores it once, whatever happened before.
   */
  sendMessage(conversationId, text, internal = false, clientMsgId = `c-${randomId()}`, attachmentId = null) {
    const frame = { type: 'message.send', conversationId, clientMsgId, text, internal };
    if (attachmentId) frame.attachmentId = attachmentId;
    const queued = this.outbox.get(clientMsgId);
    if (queued) clearTimeout(queued.timer);
    const entry = { frame, attempts: 0, timer: null };
    this.outbox.set(clientMsgId, entry);
    if (this.ready) this.#sendOutgoing(entry);
    return clientMsgId;
  }

  #nextRef() {
    this.refCounter += 1;
    return `r${this.refCounter}`;
  }

  #write(frame) {
    try {
      this.ws.send(JSON.stringify(frame));
    } catch (e) {
      // The close handler reconnects; outgoing messages stay in the outbox.
    }
  }

  #sendRequest(entry) {
    entry.ref = this.#nextRef();
    this.requests.set(entry.ref, entry);
    this.#write({ ...entry.frame, ref: entry.ref });
  }

  #sendOutgoing(entry) {
    clearTimeout(entry.timer);
    const ref = this.#nextRef();
    const { clientMsgId } = entry.frame;
    this.refToMessage.set(ref, clientMsgId);
    entry.attempts += 1;
    // no answer in time: the fate is unknown, send it again (the server stores it once)
    entry.timer = setTimeout(() => {
      this.refToMessage.delete(ref);
      this.#sendAgainLater(clientMsgId, 0);
    }, ACK_TIMEOUT_MS);
    this.#write({ ...entry.frame, ref });
  }

  /** Sends an outbox message again after a wait (backoff by attempts when no hint is given). */
  #sendAgainLater(clientMsgId, hintMs) {
    const entry = this.outbox.get(clientMsgId);
    if (!entry) return;
    clearTimeout(entry.timer);
    const backoff = Math.min(SEND_AGAIN_MAX_MS, SEND_AGAIN_MIN_MS * 2 ** Math.max(0, entry.attempts - 1));
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.outbox.get(clientMsgId) === entry && this.ready) this.#sendOutgoing(entry);
    }, Math.max(hintMs || 0, backoff));
  }

  #open(conversationId) {
    const watched = this.watched.get(conversationId);
    watched.syncing = true;
    const frame = { type: 'conversation.open', conversationId, afterSeq: watched.lastSeq };
    // the id of the message held at afterSeq: if the store has another one there, the server resynchronises us
    const afterId = watched.ids.get(watched.lastSeq);
    if (watched.lastSeq > 0 && afterId) frame.afterId = afterId;
    this.send(frame);
  }

  /**
   * Resynchronises a conversation from the store: the page is told (a local conversation.resync, as
   * the server would send) and the conversation is opened again from the start; what comes back
   * is kept, and what the page held that does not come back is not in the store.
   */
  #resync(conversationId) {
    const watched = this.watched.get(conversationId);
    if (!watched) return;
    watched.lastSeq = 0;
    watched.ids.clear();
    watched.syncing = true;
    this.#emit('conversation.resync', { type: 'conversation.resync', conversationId, afterSeq: 0 });
    if (this.ready) this.send({ type: 'conversation.open', conversationId, afterSeq: 0 });
  }

  async #connect() {
    clearTimeout(this.retryTimer);
    if (this.stopped || this.ws) return;
    this.connectSeq = (this.connectSeq || 0) + 1;
    const attemptId = this.connectSeq;
    this.#setState('connecting');
    try {
      if (this.authFailed || this.failuresBeforeOpen >= 2) {
        this.authFailed = false;
        this.failuresBeforeOpen = 0;
        await this.api.refresh();
      } else {
        await this.api.ensureFresh(30000);
      }
    } catch (error) {
      if (this.api.hasSession) this.#scheduleRetry();
      else this.stop();
      return;
    }
    // A newer attempt (reconnectNow) or stop() overtook this one while it refreshed.
    if (this.stopped || this.ws || attemptId !== this.connectSeq) return;
    const token = this.api.accessToken;
    let ws;
    try {
      ws = new WebSocket(this.url, ['kanava.v1', `kanava.auth.${token}`]);
    } catch (e) {
      this.#scheduleRetry();
      return;
    }
    this.ws = ws;
    this.ready = false;
    this.authToken = token;
    let opened = false;
    const readyTimer = setTimeout(() => {
      if (this.ws === ws && !this.ready) ws.close(4000, 'no ready');
    }, READY_TIMEOUT_MS);
    ws.addEventListener('open', () => {
      opened = true;
      this.failuresBeforeOpen = 0;
    });
    ws.addEventListener('message', (event) => this.#onMessage(ws, event.data));
    ws.addEventListener('close', (event) => {
      clearTimeout(readyTimer);
      if (!opened) this.failuresBeforeOpen += 1;
      this.#onClose(ws, event);
    });
  }

  #onMessage(ws, data) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    if (frame.type === 'ready') this.#onReady(frame);
    if (!this.#track(frame)) return;
    if (frame.type === 'error' && AUTH_FAILURES.has(frame.code)) this.authFailed = true;
    if (frame.ref) this.#settle(frame);
    this.#emit(frame.type, frame);
    this.#emit('*', frame);
  }

  #startPing(ws) {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (ws !== this.ws || !this.ready) {
        clearInterval(this.pingTimer);
        return;
      }
      this.#probe(ws);
    }, PING_INTERVAL_MS);
  }

  /** A ping that gets no pong in time closes the socket (which then reconnects). */
  #probe(ws) {
    this.request({ type: 'ping' }, PONG_TIMEOUT_MS).catch(() => {
      if (ws === this.ws) ws.close(4000, 'no pong');
    });
  }

  #onReady(frame) {
    this.ready = true;
    this.#startPing(this.ws);
    this.me = frame.you || null;
    this.everOnline = true;
    this.attempt = 0;
    this.#setState('online');
    if (this.api.accessToken && this.api.accessToken !== this.authToken) this.#onNewToken();
    for (const conversationId of this.watched.keys()) this.#open(conversationId);
    for (const hook of this.readyHooks) hook(frame);
    for (const entry of this.outbox.values()) this.#sendOutgoing(entry);
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) this.#sendRequest(entry);
  }

  /**
   * Follows the numbering of watched conversations and the outbox. Returns false for a frame that
   * must not reach the page: a conversation.synced that showed the store behind what the page
   * holds (the page gets a resync instead). Any other frame is passed on, after the resync it
   * caused, if any, has been announced.
   */
  #track(frame) {
    const watched = frame.conversationId && this.watched.get(frame.conversationId);
    if (frame.type === 'message') {
      this.#ownMessageStored(frame);
      if (watched && typeof frame.seq === 'number') this.#trackMessage(frame.conversationId, watched, frame.seq, frame.id, true);
    } else if (frame.type === 'message.ack') {
      const entry = this.outbox.get(frame.clientMsgId);
      if (entry) clearTimeout(entry.timer);
      this.outbox.delete(frame.clientMsgId);
      if (watched && typeof frame.seq === 'number') this.#trackMessage(frame.conversationId, watched, frame.seq, frame.id, false);
    } else if (frame.type === 'conversation.resync' && watched) {
      watched.lastSeq = Math.min(watched.lastSeq, frame.afterSeq || 0);
      for (const seq of [...watched.ids.keys()]) if (seq > watched.lastSeq) watched.ids.delete(seq);
      watched.syncing = true;
    } else if (frame.type === 'conversation.synced' && watched && typeof frame.lastSeq === 'number') {
      watched.syncing = false;
      if (frame.lastSeq < watched.lastSeq) {
        // the store ends before what we hold and the server did not resynchronise us: do it ourselves
        // (the page is told of the resync, not of this conversation.synced, which ends nothing)
        this.#resync(frame.conversationId);
        return false;
      }
      watched.lastSeq = frame.lastSeq;
    }
    return true;
  }

  /** A message (or our ack) numbered seq: a number held for another message, or a gap, resynchronises. */
  #trackMessage(conversationId, watched, seq, id, live) {
    const held = watched.ids.get(seq);
    if (held && id && held !== id) {
      this.#resync(conversationId);
    } else if (live && !watched.syncing && watched.lastSeq > 0 && seq > watched.lastSeq + 1 && this.me?.kind === 'professional') {
      // numbers missing in between (the store may have lost some): ask the store what there is, from
      // the last number we have. Only a professional sees every number; a patient's stream skips
      // internal notes, so a gap there is normal, and a reused number is caught by its id above.
      this.#open(conversationId);
    }
    if (id) watched.ids.set(seq, id);
    if (live) watched.lastSeq = Math.max(watched.lastSeq, seq);
  }

  /** One of our own messages is stored (its frame came, perhaps before the ack): no need to send it again. */
  #ownMessageStored(frame) {
    const entry = frame.clientMsgId && this.outbox.get(frame.clientMsgId);
    if (!entry || entry.frame.conversationId !== frame.conversationId || !this.me) return;
    const sender = frame.sender || {};
    const mine = sender.kind === this.me.kind && (sender.kind === 'patient' || sender.id === this.me.id);
    if (!mine) return;
    clearTimeout(entry.timer);
    this.outbox.delete(frame.clientMsgId);
  }

  #settle(frame) {
    const clientMsgId = this.refToMessage.get(frame.ref);
    if (clientMsgId) {
      this.refToMessage.delete(frame.ref);
      const entry = this.outbox.get(clientMsgId);
      if (!entry) return;
      clearTimeout(entry.timer);
      if (frame.type !== 'error') return; // the ack (handled in #track)
      if (SEND_AGAIN.has(frame.code)) {
        this.#sendAgainLater(clientMsgId, frame.retryAfterMs);
      } else if (!SEND_AFTER_RECONNECT.has(frame.code)) {
        this.outbox.delete(clientMsgId);
        this.#emit('message.failed', { ...frame, type: 'message.failed', clientMsgId, conversationId: entry.frame.conversationId });
      }
      return;
    }
    const entry = this.requests.get(frame.ref);
    if (!entry) return;
    this.requests.delete(frame.ref);
    if (frame.type === 'error' && frame.code === 'rate_limited') {
      // the frame was dropped unread: send it again once the server takes frames again (the timeout still runs)
      setTimeout(() => {
        if (entry.done) return;
        if (this.ready) this.#sendRequest(entry);
        else this.waiting.push(entry);
      }, Math.max(frame.retryAfterMs || 0, SEND_AGAIN_MIN_MS));
      return;
    }
    clearTimeout(entry.timer);
    if (frame.type === 'error') {
      const { code, message, ...extra } = frame;
      entry.reject(new ApiError(code, message, 0, extra));
    } else {
      entry.resolve(frame);
    }
  }

  #onClose(ws, event) {
    if (ws !== this.ws) return;
    clearInterval(this.pingTimer);
    this.ws = null;
    this.ready = false;
    this.refToMessage.clear();
    // every outbox message goes again after `ready`, with the same clientMsgId
    for (const entry of this.outbox.values()) clearTimeout(entry.timer);
    this.#failRequests('connection_lost');
    if (this.stopped) {
      this.#setState('offline');
      return;
    }
    if (event.code === 4429) {
      // A newer connection of the same person took this one's place (too many windows open):
      // reconnecting at once would close that one in turn. Come back when this page is used again.
      this.#setState('elsewhere');
      const resume = () => {
        if (document.visibilityState !== 'visible') return;
        document.removeEventListener('visibilitychange', resume);
        window.removeEventListener('focus', resume);
        if (!this.stopped && !this.ws) this.#connect();
      };
      document.addEventListener('visibilitychange', resume);
      window.addEventListener('focus', resume);
      return;
    }
    if (event.code === 4401) this.authFailed = true;
    if (this.authFailed && this.attempt === 0) {
      // The token expired under an open socket: refresh and come straight back.
      this.attempt = 1;
      this.#connect();
      return;
    }
    this.#scheduleRetry();
  }

  #scheduleRetry() {
    if (this.stopped) return;
    this.#setState('offline');
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = Math.max(BACKOFF_MIN_MS, ceiling / 2 + Math.random() * (ceiling / 2));
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.#connect(), delay);
    this.nextRetryAt = Date.now() + delay;
  }

  #failRequests(code) {
    for (const entry of this.requests.values()) {
      clearTimeout(entry.timer);
      entry.reject(new ApiError(code, 'The connection was lost before the answer'));
    }
    this.requests.clear();
    if (code === 'stopped') {
      for (const entry of this.waiting) {
        clearTimeout(entry.timer);
        entry.reject(new ApiError(code, 'Stopped'));
      }
      this.waiting = [];
    }
  }

  #onNewToken() {
    const token = this.api.accessToken;
    if (!this.ready || !this.ws || !token || token === this.authToken) return;
    this.authToken = token;
    this.send({ type: 'auth', token });
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.#emit('state', { type: 'state', state, everOnline: this.everOnline });
  }

  #emit(type, frame) {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(frame);
      } catch (e) {
        console.error('frame listener failed', type, e);
      }
    }
  }
}
