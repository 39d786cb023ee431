// REST client. The token pair lives in sessionStorage only (never in a URL, never logged).
// The access token is refreshed about 60 s before it expires and once more on a 401
// token_expired; every change of access token is announced with a 'token' event, and a lost
// session with a 'signedout' event. Error bodies {code, message} are thrown as ApiError.

const REFRESH_MARGIN_S = 60;
const RETRY_AFTER_NETWORK_FAILURE_MS = 10000;
const SESSION_GONE = new Set(['invalid_refresh_token', 'refresh_token_reused', 'refresh_token_expired']);

export class ApiError extends Error {
  constructor(code, message, status = 0, extra = {}) {
    super(message || code);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    Object.assign(this, extra);
  }
}

export class Api extends EventTarget {
  /** @param storageKey sessionStorage key, different for the patient page and the console */
  constructor(storageKey) {
    super();
    this.storageKey = storageKey;
    this.tokens = this.#load();
    this.refreshing = null;
    this.timer = null;
    if (this.tokens) this.#schedule();
    document.addEventListener('visibilitychange', () => {
      // Timers are throttled in background tabs: catch up when the page is seen again.
      if (document.visibilityState === 'visible' && this.tokens && this.#dueInMs() <= 0) this.refresh().catch(() => {});
    });
  }

  get accessToken() {
    return this.tokens ? this.tokens.accessToken : null;
  }

  get hasSession() {
    return Boolean(this.tokens && this.tokens.refreshToken);
  }

  /** Stores a token pair {accessToken, refreshToken, expiresIn} from sign-in, a session or a refresh. */
  setTokens(pair) {
    this.tokens = {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresIn: pair.expiresIn,
      expiresAt: Date.now() + pair.expiresIn * 1000,
    };
    sessionStorage.setItem(this.storageKey, JSON.stringify(this.tokens));
    this.#schedule();
    this.dispatchEvent(new Event('token'));
  }

  /** Forgets the session (sign-out or a refresh token that is no longer valid). */
  clear(reason = 'signout') {
    const had = this.tokens !== null;
    this.tokens = null;
    sessionStorage.removeItem(this.storageKey);
    clearTimeout(this.timer);
    if (had) this.dispatchEvent(new CustomEvent('signedout', { detail: { reason } }));
  }

  /** Exchanges the refresh token for a new pair; concurrent callers share one request. */
  refresh() {
    if (!this.tokens) return Promise.reject(new ApiError('no_session', 'No session'));
    if (this.refreshing) return this.refreshing;
    const refreshToken = this.tokens.refreshToken;
    this.refreshing = this.request('POST', '/api/auth/refresh', { body: { refreshToken }, auth: false })
      .then((pair) => {
        this.setTokens(pair);
        return this.tokens.accessToken;
      })
      .catch((error) => {
        // Any 4xx means this refresh token can never work again; otherwise try again later.
        if (SESSION_GONE.has(error.code) || (error.status >= 400 && error.status < 500)) {
          this.clear('expired');
        } else if (this.tokens) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.refresh().catch(() => {}), RETRY_AFTER_NETWORK_FAILURE_MS);
        }
        throw error;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** Refreshes first if the access token expires within marginMs. */
  async ensureFresh(marginMs = 30000) {
    if (!this.tokens) throw new ApiError('no_session', 'No session');
    if (this.tokens.expiresAt - Date.now() < marginMs) await this.refresh();
    return this.tokens.accessToken;
  }

  /** Signs out: revokes the refresh token family on the server, then forgets the tokens. */
  async logout() {
    const refreshToken = this.tokens && this.tokens.refreshToken;
    try {
      if (refreshToken) await this.request('POST', '/api/auth/logout', { body: { refreshToken }, auth: false });
    } finally {
      this.clear('signout');
    }
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body, options = {}) {
    return this.request('POST', path, { ...options, body });
  }

  /**
   * Sends a request. Returns the parsed JSON body, or null for 204. Throws ApiError (code
   * 'network' when the server could not be reached).
   */
  async request(method, path, { body, auth = true, retry = true } = {}) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth) {
      if (!this.tokens) throw new ApiError('no_session', 'No session');
      if (this.tokens.expiresAt - Date.now() < 5000) await this.refresh();
      headers.authorization = `Bearer ${this.tokens.accessToken}`;
    }
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new ApiError('network', 'The server could not be reached');
    }
    if (!response.ok) {
      const error = await toError(response);
      if (auth && retry && response.status === 401 && error.code === 'token_expired') {
        await this.refresh();
        return this.request(method, path, { body, auth, retry: false });
      }
      throw error;
    }
    if (response.status === 204) return null;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  #dueInMs() {
    const { expiresIn, expiresAt } = this.tokens;
    const lead = Math.min(REFRESH_MARGIN_S, expiresIn / 2) * 1000;
    return expiresAt - lead - Date.now();
  }

  #schedule() {
    clearTimeout(this.timer);
    if (!this.tokens) return;
    this.timer = setTimeout(() => this.refresh().catch(() => {}), Math.max(0, this.#dueInMs()));
  }

  #load() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(this.storageKey) || 'null');
      return stored && stored.refreshToken ? stored : null;
    } catch (e) {
      return null;
    }
  }
}

async function toError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  const code = body && typeof body.code === 'string' ? body.code : `http_${response.status}`;
  const message = body && typeof body.message === 'string' ? body.message : response.statusText;
  const extra = {};
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter) extra.retryAfter = Number(retryAfter);
  return new ApiError(code, message, response.status, extra);
}
