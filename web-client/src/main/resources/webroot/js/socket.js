// The one WebSocket of a tab (/ws, protocol kanava.v1). Authenticates in the handshake, waits
// for `ready`, dispatches frames by type, matches replies to requests by `ref`, reconnects
// with backoff, re-opens watched conversations from the last seq seen, and keeps message.send
// frames until their ack (resending them, same clientMsgId, after a reconnect).
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
// 'retry': a send with that clientMsgId is still in progress on the server; send it again later.
const KEEP_ON_ERROR = new Set(['rate_limited', 'retry', 'token_expired', 'unauthenticated']);

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
    this.outbox = new Map(); // clientMsgId -> message.send frame, until acked
    this.refToMessage = new Map(); // ref of a message.send -> clientMsgId
    this.watched = new Map(); // conversationId -> {lastSeq}
    this.readyHooks = [];
    api.addEventListener('token', () => this.#onNewToken());
    api.addEventListener('signedout', () => this.stop());
    window.addEventListener('online', () => this.reconnectNow());
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
      const entry = { frame, resolve, reject, timer: null, ref: null };
      entry.timer = setTimeout(() => {
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
    this.watched.set(conversationId, { lastSeq: Math.max(afterSeq, known ? known.lastSeq : 0) });
    if (!alreadyOpen && this.ready) this.#open(conversationId);
  }

  unwatch(conversationId) {
    if (!this.watched.delete(conversationId)) return;
    this.send({ type: 'conversation.leave', conversationId });
  }

  /** Queues a chat message until its ack; returns its clientMsgId. */
  sendMessage(conversationId, text, internal = false) {
    const clientMsgId = `c-${randomId()}`;
    const frame = { type: 'message.send', conversationId, clientMsgId, text, internal };
    this.outbox.set(clientMsgId, frame);
    if (this.ready) this.#sendOutgoing(frame);
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

  #sendOutgoing(frame) {
    const ref = this.#nextRef();
    this.refToMessage.set(ref, frame.clientMsgId);
    this.#write({ ...frame, ref });
  }

  #open(conversationId) {
    const { lastSeq } = this.watched.get(conversationId);
    this.send({ type: 'conversation.open', conversationId, afterSeq: lastSeq });
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
    this.#track(frame);
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
      this.request({ type: 'ping' }, PONG_TIMEOUT_MS).catch(() => {
        if (ws === this.ws) ws.close(4000, 'no pong');
      });
    }, PING_INTERVAL_MS);
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
    for (const frameOut of this.outbox.values()) this.#sendOutgoing(frameOut);
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) this.#sendRequest(entry);
  }

  #track(frame) {
    const watched = frame.conversationId && this.watched.get(frame.conversationId);
    if (frame.type === 'message' && watched && typeof frame.seq === 'number') {
      watched.lastSeq = Math.max(watched.lastSeq, frame.seq);
    } else if (frame.type === 'conversation.synced' && watched && typeof frame.lastSeq === 'number') {
      watched.lastSeq = Math.max(watched.lastSeq, frame.lastSeq);
    } else if (frame.type === 'message.ack') {
      this.outbox.delete(frame.clientMsgId);
    }
  }

  #settle(frame) {
    const clientMsgId = this.refToMessage.get(frame.ref);
    if (clientMsgId) {
      this.refToMessage.delete(frame.ref);
      if (frame.type === 'error' && !KEEP_ON_ERROR.has(frame.code)) {
        const failed = this.outbox.get(clientMsgId);
        this.outbox.delete(clientMsgId);
        if (failed) this.#emit('message.failed', { ...frame, type: 'message.failed', clientMsgId, conversationId: failed.conversationId });
      } else if (frame.type === 'error' && (frame.code === 'rate_limited' || frame.code === 'retry')) {
        setTimeout(() => {
          const again = this.outbox.get(clientMsgId);
          if (again && this.ready) this.#sendOutgoing(again);
        }, 2000);
      }
      return;
    }
    const entry = this.requests.get(frame.ref);
    if (!entry) return;
    this.requests.delete(frame.ref);
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
    this.#failRequests('connection_lost');
    if (this.stopped) {
      this.#setState('offline');
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
