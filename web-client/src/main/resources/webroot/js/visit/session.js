// The patient's visit session. A one-time join code is exchanged once (POST /api/visit-codes/exchange)
// for a short-lived access token of the visit's patient member; there is no refresh token: when the
// token ends, the session ends. The token is kept in this tab's sessionStorage (not shared with other
// tabs, gone when the tab closes) so that a reload in the middle of a visit (a patient on a poor
// connection reloads) does not need a new code; it is removed when the session ends.
import { Api, ApiError } from '../api.js';

const STORAGE_KEY = 'kanava.visit.token';

export class VisitApi extends Api {
  constructor() {
    super('visit');
    this.visitId = null;
  }

  /** Exchanges a join code; the code works once. Throws ApiError code_invalid for an unknown, used or expired one. */
  async exchange(code) {
    const reply = await this.request('POST', '/api/visit-codes/exchange', { body: { code }, auth: false });
    this.#keep(reply);
    return reply.visitId;
  }

  /** The session this tab kept over a reload, if it has not ended; returns its visitId or null. */
  resume() {
    let kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    } catch (e) {
      kept = null;
    }
    if (!kept || !kept.accessToken || !kept.visitId || instant(kept.expiresAt) <= Date.now() + 5000) {
      sessionStorage.removeItem(STORAGE_KEY);
      return null;
    }
    this.#keep(kept, false);
    return kept.visitId;
  }

  /** No refresh for a visit session: when the token ends, the session ends ('signedout' with reason expired). */
  refresh() {
    this.clear('expired');
    return Promise.reject(new ApiError('session_ended', 'The visit session has ended'));
  }

  clear(reason = 'signout') {
    sessionStorage.removeItem(STORAGE_KEY);
    super.clear(reason);
  }

  #keep(reply, store = true) {
    this.visitId = reply.visitId;
    const expiresIn = typeof reply.expiresIn === 'number' ? reply.expiresIn
      : Math.max(1, Math.floor((instant(reply.expiresAt) - Date.now()) / 1000));
    if (store) {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ accessToken: reply.accessToken, expiresAt: reply.expiresAt, visitId: reply.visitId }));
    }
    this.setTokens({ accessToken: reply.accessToken, expiresIn });
  }
}

/** An instant as milliseconds: an ISO-8601 text, or epoch seconds or milliseconds. */
export function instant(value) {
  if (typeof value === 'number') return value < 1e12 ? value * 1000 : value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? Date.now() + 3600 * 1000 : parsed;
}
