// The console's offers and queues, as Preact components: the offers (one at a time in priority order,
// with a count of the rest, a countdown, Accept, and Decline with an optional reason), the waiting
// lists (queue.waiting) with Take and a read-only triage preview. QueueOverview holds what the
// server said (queues, waiting lists, offers, the preview) and is told by ConsoleApp (app.js) about frames;
// the components render it, and keep what is only theirs (a countdown, a form open, a button busy).
import { html, useEffect, useRef, useState } from '../ui.js';
import { t, localized, language } from '../i18n.js';
import { uid } from '../dom.js';
import { formatMinutes, secondsSince } from '../format.js';
import { patientLabel, TriageList, transferErrorText } from './panel.js';
import { UrgencyBadge } from './conversation-list.js';
import { useEvent, useLanguage, useTick } from './hooks.js';

/** Offers are shown one at a time: the most urgent first, then the one waiting longest. */
const URGENCY_RANK = { immediate: 0, same_day: 1, non_urgent: 2 };
const offerOrder = (a, b) => (URGENCY_RANK[a.view.urgency] ?? 3) - (URGENCY_RANK[b.view.urgency] ?? 3)
  || String(a.view.enqueuedAt || '').localeCompare(String(b.view.enqueuedAt || ''));
const DECLINE_REASON_MAX = 200;
/** What to say when the server withdraws an offer (conversation.withdrawn), by reason. */
const WITHDRAWN_TEXT = {
  declined: 'offers.declinedElsewhere',
  patient_left: 'offers.patientLeft',
  offline: 'offers.withdrawnOffline',
};
const focusable = (el) => el && !el.disabled && el.isConnected;

export class QueueOverview extends EventTarget {
  /**
   * @param take (conversationId) => Promise, takes a waiting conversation
   * @param accept (conversationId) => Promise, accepts an offer
   * @param acceptTransfer (conversationId) => Promise, accepts a named transfer (transfer.offer)
   * @param announce (text) => void, polite status message
   * @param showError (error) => void
   * @param hasPanel (conversationId) => boolean, whether it is open in a panel
   * @param onNoOffers () => void, the last offer went (accepted, declined, lapsed, withdrawn)
   */
  constructor({ socket, take, accept, acceptTransfer, announce, showError, hasPanel, onNoOffers = () => {} }) {
    super();
    Object.assign(this, { socket, take, accept, acceptTransfer, announce, showError, hasPanel, onNoOffers });
    this.transferOffers = new Map(); // conversationId -> transfer.offer frame (named transfers waiting for us)
    this.queues = [];
    this.waiting = new Map(); // queueId -> queue.waiting frame
    this.offers = new Map(); // conversationId -> {view, deadline}
    this.declining = new Set(); // conversationIds with an offer.decline sent from this tab
    this.previewed = null; // {view, notWaiting, opener}
    this.focusNext = null; // what gets the focus after the next render: 'offer', 'preview' or a test id
  }

  #changed() {
    this.dispatchEvent(new Event('change'));
  }

  setQueues(queues) {
    this.queues = queues || [];
    this.#changed();
  }

  queueName(queueId) {
    const queue = this.queues.find((q) => q.id === queueId);
    return queue ? localized(queue.names) : null;
  }

  reset() {
    this.waiting.clear();
    this.offers.clear();
    this.transferOffers.clear();
    this.previewed = null;
    this.#changed();
  }

  onWaiting(frame) {
    this.waiting.set(frame.queueId, frame);
    const p = this.previewed;
    if (p && frame.queueId === p.view.queueId && !(frame.items || []).some((i) => i.conversationId === p.view.id)) {
      this.previewNotWaiting(p.view.id);
    }
    this.#changed();
  }

  /** A conversation.offer. The server's clock may differ from ours: the countdown runs from the relative time. */
  offer(frame) {
    const view = frame.conversation || {};
    if (!view.id) return;
    // An offer found again after a reload has no deadline; the server withdraws it when it lapses.
    const within = typeof frame.acceptWithinSeconds === 'number' ? frame.acceptWithinSeconds
      : frame.acceptBy ? (Date.parse(frame.acceptBy) - Date.now()) / 1000 : null;
    if (within !== null && within <= 0) {
      this.removeOffer(view.id);
      this.announce(t('offers.expired'));
      return;
    }
    this.offers.set(view.id, { view, deadline: within === null ? null : Date.now() + within * 1000 });
    this.#changed();
    this.announce(t('offers.announce'));
  }

  /** transfer.offer: a colleague moved a conversation to us by name; it waits until expiresAt. */
  transferOffer(frame) {
    if (!frame.conversationId) return;
    const known = this.transferOffers.has(frame.conversationId);
    this.transferOffers.set(frame.conversationId, frame);
    this.#changed();
    if (!known) this.announce(t('transferOffer.announce', { name: frame.fromName || '' }));
  }

  removeTransferOffer(conversationId, { lapsed = false } = {}) {
    if (!this.transferOffers.has(conversationId)) return;
    const card = document.querySelector(`[data-testid="transfer-offer-${conversationId}"]`);
    const active = document.activeElement;
    if ((card && card.contains(active)) || !active || active === document.body) this.focusNext = 'offer';
    this.transferOffers.delete(conversationId);
    this.#changed();
    if (lapsed) this.announce(t('transferOffer.lapsed'));
    if (this.offers.size === 0 && this.transferOffers.size === 0) this.onNoOffers();
  }

  /** transfer.decline with its required reason; the reply (transfer.declined) removes the card. */
  async declineTransfer(conversationId, reason) {
    await this.socket.request({ type: 'transfer.decline', conversationId, reason });
    this.removeTransferOffer(conversationId);
    this.announce(t('transferOffer.declined'));
  }

  /** The offers in the order they are shown (the first one only). */
  orderedOffers() {
    return [...this.offers.values()].sort(offerOrder);
  }

  removeOffer(conversationId) {
    if (!this.offers.has(conversationId)) return;
    const card = document.querySelector(`[data-testid="offer-${conversationId}"]`);
    const active = document.activeElement;
    if ((card && card.contains(active)) || !active || active === document.body) this.focusNext = 'offer';
    this.offers.delete(conversationId);
    this.#changed();
    if (this.offers.size === 0 && this.transferOffers.size === 0) this.onNoOffers();
  }

  /** An offer that lapsed (the countdown ran out). */
  expire(conversationId) {
    if (!this.offers.has(conversationId)) return;
    this.removeOffer(conversationId);
    this.announce(t('offers.expired'));
  }

  /**
   * conversation.withdrawn for an offer: removes it and says why. A lapse (not_accepted) is the
   * caller's to tell (it also changed our status); our own decline is told by its reply.
   */
  withdrawn(conversationId, reason) {
    if (!this.offers.has(conversationId)) return;
    this.removeOffer(conversationId);
    if (reason === 'not_accepted' || (reason === 'declined' && this.declining.has(conversationId))) return;
    this.announce(t(WITHDRAWN_TEXT[reason] || 'offers.expired'));
  }

  /** Sends offer.decline; its reply removes the offer. */
  async decline(conversationId, reason) {
    const frame = { type: 'offer.decline', conversationId };
    if (reason) frame.reason = reason.slice(0, DECLINE_REASON_MAX);
    this.declining.add(conversationId);
    try {
      await this.socket.request(frame);
      this.removeOffer(conversationId);
      this.announce(t('offers.declined'));
    } catch (error) {
      // not_assigned: the offer was already gone (lapsed, withdrawn); the card goes too
      if (error.code === 'not_assigned') this.removeOffer(conversationId);
      throw error;
    } finally {
      this.declining.delete(conversationId);
    }
  }

  /** Opens a waiting conversation read-only to see its triage (an audited read). */
  async preview(conversationId) {
    const opener = document.activeElement && document.activeElement.dataset.testid;
    try {
      const reply = await this.socket.request({ type: 'conversation.open', conversationId, afterSeq: 0 });
      // Read-only: stop watching at once, unless it is (now) one of our own conversations.
      if (!this.hasPanel(conversationId)) this.socket.send({ type: 'conversation.leave', conversationId });
      this.previewed = { view: reply.conversation || { id: conversationId }, notWaiting: false, opener };
      this.focusNext = 'preview';
      this.#changed();
    } catch (error) {
      this.showError(error);
    }
  }

  /**
   * The previewed conversation left the waiting list (a colleague took it, it was offered, the
   * patient left) or our access to it ended: the preview stays readable, without Take.
   */
  previewNotWaiting(conversationId) {
    const p = this.previewed;
    if (!p || p.view.id !== conversationId || p.notWaiting || p.taking) return;
    if (document.activeElement?.dataset.testid === `preview-take-${conversationId}`) this.focusNext = 'preview';
    this.previewed = { ...p, notWaiting: true };
    this.#changed();
  }

  closePreview({ refocus = false } = {}) {
    if (refocus && this.previewed) this.focusNext = this.previewed.opener || 'queues';
    this.previewed = null;
    this.#changed();
  }

  /** Called by the components after they rendered: moves the focus where a change left it. */
  applyFocus() {
    const next = this.focusNext;
    if (!next) return;
    this.focusNext = null;
    // Only where the change dropped the focus: an accepted offer's conversation has it already.
    const dropped = !document.activeElement || document.activeElement === document.body;
    if (next !== 'preview' && !dropped) return;
    const byId = (id) => document.getElementById(id);
    const heading = (id) => {
      const el = byId(id);
      if (!el) return;
      el.setAttribute('tabindex', '-1');
      el.focus();
    };
    if (next === 'offer') {
      const button = document.querySelector('#offers .offer button, #offers .transfer-offer button');
      if (focusable(button)) button.focus();
      else heading('conversations-title');
    } else if (next === 'preview') {
      heading('preview-title');
    } else {
      const target = document.querySelector(`[data-testid="${next}"]`);
      if (focusable(target)) target.focus();
      else heading('queues-title');
    }
  }
}

function Waited({ since }) {
  return html`<span class="waited">${t('console.waited', { time: formatMinutes(secondsSince(since)) })}</span>`;
}

/** A button that runs an action, disabled while it runs; errors go to showError. */
function ActionButton({ action, showError, children, ...props }) {
  const [busy, setBusy] = useState(false);
  const ref = useRef(null);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);
  const run = async () => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      showError(error);
    } finally {
      if (mounted.current) {
        setBusy(false);
        // Disabling dropped the focus; if nothing else took it, give it back.
        setTimeout(() => { if (document.activeElement === document.body && focusable(ref.current)) ref.current.focus(); });
      }
    }
  };
  return html`<button type="button" ref=${ref} disabled=${busy} onClick=${run} ...${props}>${children}</button>`;
}

function Countdown({ id, deadline, onExpire }) {
  useTick(1000);
  const seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  useEffect(() => { if (seconds === 0) onExpire(id); }, [seconds === 0]);
  return html`<p class="countdown">${t('offers.countdown', { s: seconds })}</p>`;
}

/**
 * One offer: Accept, and Decline in two steps: Decline opens a small form with an optional reason,
 * whose own button sends offer.decline (a declined conversation is not offered to us again, so a
 * slip of the finger should not do it).
 */
function OfferCard({ overview, offer }) {
  const { view, deadline } = offer;
  const ids = useRef(null);
  if (!ids.current) ids.current = { title: uid('offer'), facts: uid('offer-facts'), form: uid('decline-form'), reason: uid('decline-reason'), hint: uid('decline-hint') };
  const { title, facts, form, reason, hint } = ids.current;
  const [declining, setDeclining] = useState(false);
  const [text, setText] = useState('');
  const reasonRef = useRef(null);
  const declineRef = useRef(null);
  const opened = useRef(false);
  useEffect(() => {
    if (declining) reasonRef.current?.focus();
    else if (opened.current) declineRef.current?.focus();
    opened.current = declining;
  }, [declining]);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await overview.decline(view.id, text.trim());
    } catch (error) {
      overview.showError(error);
      setBusy(false);
    }
  };
  const id = view.id;
  return html`<article class="offer card" aria-labelledby=${title} data-testid=${`offer-${id}`}>
    <h3 id=${title}>${t('offers.new')}</h3>
    <p class="item-facts" id=${facts}>
      ${view.urgency ? html`<${UrgencyBadge} urgency=${view.urgency} />` : null}${' '}
      ${view.language ? html`<span>${t(`lang.${view.language}`)}</span>` : null}${' '}
      <span>${overview.queueName(view.queueId) || view.queueId || ''}</span>${' '}
      <span>${patientLabel(view)}</span>
    </p>
    <${TriageList} triage=${view.triage} />
    ${deadline === null ? null : html`<${Countdown} id=${id} deadline=${deadline} onExpire=${(x) => overview.expire(x)} />`}
    <div class="actions">
      <${ActionButton} class="primary" data-testid=${`accept-${id}`} aria-describedby=${facts} showError=${overview.showError}
          action=${async () => { await overview.accept(id); overview.removeOffer(id); }}>${t('offers.accept')}<//>
      <button type="button" ref=${declineRef} data-testid=${`decline-${id}`} aria-expanded=${declining ? 'true' : 'false'}
          aria-controls=${form} aria-describedby=${facts} onClick=${() => setDeclining(!declining)}>${t('offers.decline')}</button>
    </div>
    <form id=${form} class="decline-form" novalidate hidden=${!declining} onSubmit=${submit}
        onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); setDeclining(false); } }}>
      <div class="field">
        <label for=${reason}><span>${t('offers.declineReason')}</span> <span class="required-mark">${t('questionnaire.optional')}</span></label>
        <input id=${reason} ref=${reasonRef} data-testid=${`decline-reason-${id}`} maxlength=${DECLINE_REASON_MAX} autocomplete="off"
            aria-describedby=${hint} value=${text} onInput=${(e) => setText(e.target.value)} />
        <p class="hint small" id=${hint}>${t('offers.declineHint')}</p>
      </div>
      <div class="actions">
        <button type="submit" class="danger" disabled=${busy} data-testid=${`decline-confirm-${id}`}>${t('offers.declineConfirm')}</button>
        <button type="button" onClick=${() => setDeclining(false)}>${t('common.cancel')}</button>
      </div>
    </form>
  </article>`;
}

/** The handover note of a transfer (ISBAR), as a description list of the parts written. */
export function IsbarNote({ note }) {
  const parts = ['situation', 'background', 'assessment', 'recommendation'].filter((part) => note && note[part]);
  if (parts.length === 0) return null;
  return html`<dl class="isbar-note" data-testid="isbar-note">
    ${parts.map((part) => html`<dt>${t(`transferForm.${part}`)}</dt><dd>${note[part]}</dd>`)}
  </dl>`;
}

/**
 * A conversation transferred to us by name (transfer.offer): who sent it, the handover note, until
 * when it waits, Accept, and Decline with a required reason (the conversation returns to the sender,
 * who is shown the reason).
 */
function TransferOfferCard({ overview, offer }) {
  useLanguage();
  const id = offer.conversationId;
  const ids = useRef(null);
  if (!ids.current) ids.current = { title: uid('transfer-offer'), facts: uid('transfer-facts'), form: uid('transfer-decline'), reason: uid('transfer-reason'), error: uid('transfer-reason-error') };
  const { title, facts, form, reason, error: errorId } = ids.current;
  const [declining, setDeclining] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef(null);
  const declineRef = useRef(null);
  const opened = useRef(false);
  useEffect(() => {
    if (declining) reasonRef.current?.focus();
    else if (opened.current) declineRef.current?.focus();
    opened.current = declining;
  }, [declining]);
  const submit = async (event) => {
    event.preventDefault();
    const reasonText = text.trim();
    if (!reasonText) {
      setError(t('transferOffer.reasonMissing'));
      reasonRef.current.focus();
      return;
    }
    setError('');
    setBusy(true);
    try {
      await overview.declineTransfer(id, reasonText);
    } catch (e) {
      setError(transferErrorText(e));
      setBusy(false);
      reasonRef.current?.focus();
    }
  };
  const from = [offer.fromName, offer.fromRole ? t(`role.${offer.fromRole}`) : ''].filter(Boolean).join(', ');
  const until = offer.expiresAt ? new Date(offer.expiresAt).toLocaleTimeString(language(), { hour: '2-digit', minute: '2-digit' }) : null;
  return html`<article class="transfer-offer card" aria-labelledby=${title} data-testid=${`transfer-offer-${id}`}>
    <h3 id=${title}>${t('transferOffer.title')}</h3>
    <p class="item-facts" id=${facts}>${t('transferOffer.from', { name: from })}${until ? html` <span>${t('transferOffer.until', { time: until })}</span>` : null}</p>
    <h4>${t('transferForm.note')}</h4>
    <${IsbarNote} note=${offer.note} />
    <div class="actions">
      <${ActionButton} class="primary" data-testid=${`transfer-accept-${id}`} aria-describedby=${facts} showError=${overview.showError}
          action=${() => overview.acceptTransfer(id)}>${t('offers.accept')}<//>
      <button type="button" ref=${declineRef} data-testid=${`transfer-decline-${id}`} aria-expanded=${declining ? 'true' : 'false'}
          aria-controls=${form} aria-describedby=${facts} onClick=${() => setDeclining(!declining)}>${t('offers.decline')}</button>
    </div>
    <form id=${form} class="decline-form" novalidate hidden=${!declining} onSubmit=${submit}
        onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); setDeclining(false); } }}>
      <div class="field">
        <label for=${reason}><span>${t('transferOffer.reason')}</span> <span class="required-mark">${t('questionnaire.required')}</span></label>
        <input id=${reason} ref=${reasonRef} data-testid=${`transfer-decline-reason-${id}`} maxlength="500" autocomplete="off" required
            aria-describedby=${errorId} aria-invalid=${error ? 'true' : undefined} value=${text} onInput=${(e) => setText(e.target.value)} />
      </div>
      <p class="field-error" id=${errorId} role="alert" hidden=${!error}>${error}</p>
      <div class="actions">
        <button type="submit" class="danger" disabled=${busy} data-testid=${`transfer-decline-confirm-${id}`}>${t('transferOffer.declineConfirm')}</button>
        <button type="button" onClick=${() => setDeclining(false)}>${t('common.cancel')}</button>
      </div>
    </form>
  </article>`;
}

/** The offers: named transfers waiting for us, then the first offer in priority order, and how many more wait behind it. */
/**
 * On a phone, where the list pane (and the offer in it) is out of view while a conversation is open: a
 * button that says an offer waits and goes back to the list. Nothing when no offer waits.
 */
export function OfferReminder({ overview, onShow }) {
  useEvent(overview, 'change');
  useLanguage();
  const waiting = overview.offers.size + overview.transferOffers.size;
  if (waiting === 0) return null;
  return html`<p class="offer-reminder phone-only" role="status">
    <button type="button" class="primary" data-testid="offer-reminder" onClick=${onShow}>${t('offers.reminder', { n: waiting })}</button>
  </p>`;
}

export function Offers({ overview }) {
  useEvent(overview, 'change');
  useLanguage();
  useEffect(() => overview.applyFocus());
  const ordered = overview.orderedOffers();
  const first = ordered[0];
  const transfers = [...overview.transferOffers.values()];
  return html`<section id="offers" class="offers" aria-labelledby="offers-title" hidden=${!first && transfers.length === 0}>
    <h2 id="offers-title">${t('offers.title')}</h2>
    ${transfers.map((offer) => html`<${TransferOfferCard} key=${offer.conversationId} overview=${overview} offer=${offer} />`)}
    <div id="offer-list">${first ? html`<${OfferCard} key=${first.view.id} overview=${overview} offer=${first} />` : null}</div>
    ${ordered.length >= 2 ? html`<p class="hint offers-more" data-testid="offers-more">${t('offers.more', { n: ordered.length - 1 })}</p>` : null}
  </section>`;
}

function WaitingItem({ overview, item }) {
  const desc = useRef(null);
  if (!desc.current) desc.current = uid('item');
  const id = item.conversationId;
  return html`<li class="waiting-item" data-conversation=${id}>
    <p id=${desc.current} class="item-facts">
      <span class="position">${t('console.position', { n: item.position })}</span>${' '}
      <${UrgencyBadge} urgency=${item.urgency} />${' '}
      <span class="lang">${t(`lang.${item.language}`)}</span>${' '}
      <${Waited} since=${item.enqueuedAt} />
    </p>
    <div class="actions">
      <${ActionButton} class="primary" data-testid=${`take-${id}`} aria-describedby=${desc.current} showError=${overview.showError}
          action=${() => overview.take(id)}>${t('console.take')}<//>
      <button type="button" data-testid=${`open-${id}`} aria-describedby=${desc.current}
          onClick=${() => overview.preview(id)}>${t('console.open')}</button>
    </div>
  </li>`;
}

function QueueWaiting({ overview, frame }) {
  const titleId = useRef(null);
  if (!titleId.current) titleId.current = uid('queue');
  const items = frame.items || [];
  return html`<section class="queue-waiting" aria-labelledby=${titleId.current}>
    <h3 id=${titleId.current}>${overview.queueName(frame.queueId) || frame.queueId}${' '}
      <span class="count">${t('console.waitingCount', { n: items.length })}</span></h3>
    <p class="hint">${t(frame.routingMode === 'auto' ? 'console.routingAuto' : 'console.routingPick')}</p>
    <ol class="waiting-list" data-testid=${`waiting-list-${frame.queueId}`}>
      ${items.map((item) => html`<${WaitingItem} key=${item.conversationId} overview=${overview} item=${item} />`)}
    </ol>
    ${items.length === 0 ? html`<p class="hint">${t('console.nobodyWaiting')}</p>` : null}
  </section>`;
}

/** The waiting lists of the queues we serve, in the order of the queue list. */
export function WaitingLists({ overview }) {
  useEvent(overview, 'change');
  useLanguage();
  useTick(30000);
  useEffect(() => overview.applyFocus());
  const known = overview.queues.map((q) => q.id).filter((id) => overview.waiting.has(id));
  const others = [...overview.waiting.keys()].filter((id) => !overview.queues.some((q) => q.id === id));
  const ids = [...known, ...others];
  if (ids.length === 0) return html`<p class="hint">${t('console.noQueues')}</p>`;
  return ids.map((id) => html`<${QueueWaiting} key=${id} overview=${overview} frame=${overview.waiting.get(id)} />`);
}

/** The read-only triage of a waiting conversation, with Take while it still waits. */
export function Preview({ overview }) {
  useEvent(overview, 'change');
  useLanguage();
  useEffect(() => overview.applyFocus());
  const p = overview.previewed;
  if (!p) return null;
  const { view } = p;
  const take = async () => {
    overview.previewed = { ...p, taking: true };
    try {
      await overview.take(view.id);
      overview.closePreview();
    } finally {
      if (overview.previewed?.taking) overview.previewed = { ...overview.previewed, taking: false };
    }
  };
  return html`<section id="preview" class="preview" aria-labelledby="preview-title">
    <h2 id="preview-title">${t('preview.title')}</h2>
    <p class="item-facts">
      ${view.urgency ? html`<${UrgencyBadge} urgency=${view.urgency} />` : null}${' '}
      ${view.language ? html`<span>${t(`lang.${view.language}`)}</span>` : null}${' '}
      <span>${patientLabel(view)}</span>${' '}
      ${view.enqueuedAt ? html`<${Waited} since=${view.enqueuedAt} />` : null}
    </p>
    <${TriageList} triage=${view.triage} />
    ${p.notWaiting
      ? html`<p class="notice" role="status" data-testid="preview-not-waiting">${t('preview.notWaiting')}</p>`
      : view.state === 'queued'
        ? html`<${ActionButton} class="primary" data-testid=${`preview-take-${view.id}`} showError=${overview.showError}
            action=${take}>${t('console.take')}<//>`
        : null}
    <p class="hint small">${t('preview.audited')}</p>
    <div class="actions">
      <button type="button" onClick=${() => overview.closePreview({ refocus: true })}>${t('common.close')}</button>
    </div>
  </section>`;
}
