// REST client. The access token lives in this page's memory only; the refresh token is an
// HttpOnly cookie that no script can read, which the server sets and reads when a request says
// which page it comes from (X-Kanava-Session: patient or console; the header is also what a
// forged cross-site request cannot send). Nothing secret is in web storage: sessionStorage holds
// only a flag that this tab has signed in, so a reload resumes the session with the cookie while
// a new tab on a shared computer does not pick up the previous user's.
// The access token is refreshed about 60 s before it expires and once more on a 401
// token_expired or token_revoked; every change of access token is announced with a 'token' event,
// and a lost session with a 'signedout' event. Error bodies {code, message} are thrown as ApiError.

const REFRESH_MARGIN_S = 60;
const RETRY_AFTER_NETWORK_FAILURE_MS = 10000;
const SESSION_GONE = new Set(['invalid_refresh_token', 'refresh_token_reused', 'refresh_token_expired']);
// An access token worth one refresh: expired, or revoked (if the session has ended, the refresh says so).
const REFRESH_AND_RETRY = new Set(['token_expired', 'token_revoked']);

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
  /** @param page 'patient' or 'console': which refresh cookie (and session) this page has */
  constructor(page) {
    super();
    this.page = page;
    this.flagKey = `kanava.${page}.signedIn`;
    this.tokens = null;
    this.signedIn = sessionStorage.getItem(this.flagKey) === '1';
    // the token pair that earlier versions kept in sessionStorage: gone, whatever it held
    sessionStorage.removeItem(`kanava.${page}.session`);
    this.refreshing = null;
    this.timer = null;
    document.addEventListener('visibilitychange', () => {
      // Timers are throttled in background tabs: catch up when the page is seen again.
      if (document.visibilityState === 'visible' && this.tokens && this.#dueInMs() <= 0) this.refresh().catch(() => {});
    });
  }

  get accessToken() {
    return this.tokens ? this.tokens.accessToken : null;
  }

  /** True once this tab has signed in (the refresh cookie may then bring the session back after a reload). */
  get hasSession() {
    return Boolean(this.tokens) || this.signedIn;
  }

  /** Keeps the access token {accessToken, expiresIn} from sign-in, a session or a refresh (the refresh token is in the cookie). */
  setTokens(pair) {
    this.tokens = {
      accessToken: pair.accessToken,
      expiresIn: pair.expiresIn,
      expiresAt: Date.now() + pair.expiresIn * 1000,
    };
    this.signedIn = true;
    sessionStorage.setItem(this.flagKey, '1');
    this.#schedule();
    this.dispatchEvent(new Event('token'));
  }

  /** Forgets the session (sign-out or a refresh token that is no longer valid). */
  clear(reason = 'signout') {
    const had = this.hasSession;
    this.tokens = null;
    this.signedIn = false;
    sessionStorage.removeItem(this.flagKey);
    clearTimeout(this.timer);
    if (had) this.dispatchEvent(new CustomEvent('signedout', { detail: { reason } }));
  }

  /**
   * Gets a new access token with the refresh cookie; concurrent callers share one request. Tabs of
   * the same page share the cookie, and a refresh token works once: with Web Locks the tabs refresh
   * one at a time, each with the cookie the previous one left.
   */
  refresh() {
    if (!this.hasSession) return Promise.reject(new ApiError('no_session', 'No session'));
    if (this.refreshing) return this.refreshing;
    const exchange = () => this.request('POST', '/api/auth/refresh', { auth: false });
    const locked = navigator.locks ? navigator.locks.request(`kanava.${this.page}.refresh`, exchange) : exchange();
    this.refreshing = locked
      .then((pair) => {
        this.setTokens(pair);
        return this.tokens.accessToken;
      })
      .catch((error) => {
        // Any 4xx means this refresh token can never work again; otherwise try again later.
        if (SESSION_GONE.has(error.code) || (error.status >= 400 && error.status < 500)) {
          this.clear('expired');
        } else if (this.hasSession) {
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
    if (!this.tokens) {
      if (!this.signedIn) throw new ApiError('no_session', 'No session');
      await this.refresh();
    }
    if (this.tokens.expiresAt - Date.now() < marginMs) await this.refresh();
    return this.tokens.accessToken;
  }

  /** Signs out: the server ends the session (its access tokens too) and clears the cookie; then the page forgets it. */
  async logout() {
    try {
      if (this.hasSession) await this.request('POST', '/api/auth/logout', { auth: false });
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
    // every request says which page it is from: the auth endpoints then use that page's cookie
    const headers = { accept: 'application/json', 'x-kanava-session': this.page };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth) {
      if (!this.tokens) {
        if (!this.signedIn) throw new ApiError('no_session', 'No session');
        await this.refresh();
      }
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
      if (auth && retry && response.status === 401 && REFRESH_AND_RETRY.has(error.code)) {
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
