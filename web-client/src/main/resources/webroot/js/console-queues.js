// The console's queue overview (waiting lists from queue.waiting), the read-only triage
// preview of a waiting conversation, and auto-assignment offers with their countdown, Accept
// and Decline.
import { t, localized } from './i18n.js';
import { h, setText, uid } from './dom.js';
import { formatMinutes, secondsSince } from './format.js';
import { urgencyBadge, triageList, patientLabel } from './console-panel.js';

const $ = (id) => document.getElementById(id);
const TICK_MS = 30000;
/** Offers are shown one at a time: the most urgent first, then the one waiting longest. */
const URGENCY_RANK = { immediate: 0, same_day: 1, non_urgent: 2 };
const offerOrder = (a, b) => (URGENCY_RANK[a.urgency] ?? 3) - (URGENCY_RANK[b.urgency] ?? 3)
  || String(a.enqueuedAt || '').localeCompare(String(b.enqueuedAt || ''));
const DECLINE_REASON_MAX = 200;
/** What to say when the server withdraws an offer (conversation.withdrawn), by reason. */
const WITHDRAWN_TEXT = {
  declined: 'offers.declinedElsewhere',
  patient_left: 'offers.patientLeft',
  offline: 'offers.withdrawnOffline',
};

export class QueueOverview {
  /**
   * @param take (conversationId) => Promise, takes a waiting conversation
   * @param accept (conversationId) => Promise, accepts an offer
   * @param announce (text) => void, polite status message
   * @param showError (error) => void
   * @param hasPanel (conversationId) => boolean, whether it is open in a panel
   */
  constructor({ socket, take, accept, announce, showError, hasPanel, onNoOffers = () => {} }) {
    this.socket = socket;
    this.onNoOffers = onNoOffers; // the last offer card went (accepted, declined, lapsed, withdrawn)
    this.hasPanel = hasPanel;
    this.take = take;
    this.accept = accept;
    this.announce = announce;
    this.showError = showError;
    this.queues = [];
    this.waiting = new Map(); // queueId -> queue.waiting frame
    this.offers = new Map(); // conversationId -> {card, timer}
    this.declining = new Set(); // conversationIds with an offer.decline sent from this tab
    this.previewId = null;
    this.previewQueueId = null;
    setInterval(() => this.#tick(), TICK_MS);
    $('preview-close').addEventListener('click', () => {
      this.closePreview();
      // Back to the Open button that showed the preview (or the list, if that item is gone).
      this.#refocus(this.previewOpener);
    });
  }

  setQueues(queues) {
    this.queues = queues || [];
    this.render();
  }

  queueName(queueId) {
    const queue = this.queues.find((q) => q.id === queueId);
    return queue ? localized(queue.names) : null;
  }

  reset() {
    this.waiting.clear();
    for (const id of [...this.offers.keys()]) this.removeOffer(id);
    this.closePreview();
    this.render();
  }

  onWaiting(frame) {
    this.waiting.set(frame.queueId, frame);
    this.render();
    if (this.previewId && frame.queueId === this.previewQueueId
      && !(frame.items || []).some((item) => item.conversationId === this.previewId)) {
      this.previewNotWaiting(this.previewId);
    }
  }

  render() {
    const ids = [...this.queues.map((q) => q.id).filter((id) => this.waiting.has(id)),
      ...[...this.waiting.keys()].filter((id) => !this.queues.some((q) => q.id === id))];
    $('queues-none').hidden = ids.length > 0;
    // The lists are rebuilt on every change: keep the keyboard focus on the same button.
    const focused = $('queue-overview').contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    $('queue-overview').replaceChildren(...ids.map((id) => this.#queueSection(this.waiting.get(id))));
    if (focused) this.#refocus(focused);
  }

  /** Focuses the element with that test id, or the waiting lists' heading if it is gone. */
  #refocus(testid) {
    const target = testid && document.querySelector(`[data-testid="${testid}"]`);
    if (target && !target.disabled) {
      target.focus();
      return;
    }
    $('queues-title').setAttribute('tabindex', '-1');
    $('queues-title').focus();
  }

  #queueSection(frame) {
    const titleId = uid('queue');
    const items = frame.items || [];
    return h('section', { class: 'queue-waiting', 'aria-labelledby': titleId }, [
      h('h3', { id: titleId }, [
        this.queueName(frame.queueId) || frame.queueId, ' ',
        h('span', { class: 'count', i18n: 'console.waitingCount', args: { n: items.length } }),
      ]),
      h('p', { class: 'hint', i18n: frame.routingMode === 'auto' ? 'console.routingAuto' : 'console.routingPick' }),
      h('ol', { class: 'waiting-list', testid: `waiting-list-${frame.queueId}` }, items.map((item) => this.#item(item))),
      items.length === 0 ? h('p', { class: 'hint', i18n: 'console.nobodyWaiting' }) : null,
    ]);
  }

  #item(item) {
    const descId = uid('item');
    return h('li', { class: 'waiting-item', 'data-conversation': item.conversationId }, [
      h('p', { id: descId, class: 'item-facts' }, [
        h('span', { class: 'position', i18n: 'console.position', args: { n: item.position } }), ' ',
        urgencyBadge(item.urgency), ' ',
        h('span', { class: 'lang', i18n: `lang.${item.language}` }), ' ',
        waitedSpan(item.enqueuedAt),
      ]),
      h('div', { class: 'actions' }, [
        h('button', {
          type: 'button', class: 'primary', testid: `take-${item.conversationId}`, 'aria-describedby': descId,
          i18n: 'console.take', onclick: (event) => this.#run(event.currentTarget, () => this.take(item.conversationId)),
        }),
        h('button', {
          type: 'button', testid: `open-${item.conversationId}`, 'aria-describedby': descId,
          i18n: 'console.open', onclick: () => this.preview(item.conversationId),
        }),
      ]),
    ]);
  }

  async #run(button, action) {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      this.showError(error);
    } finally {
      if (button.isConnected) {
        button.disabled = false;
        // Disabling dropped the focus; if nothing else took it, give it back.
        if (document.activeElement === document.body) button.focus();
      }
    }
  }

  /** Opens a waiting conversation read-only to see its triage (an audited read). */
  async preview(conversationId) {
    this.previewOpener = document.activeElement && document.activeElement.dataset.testid;
    try {
      const reply = await this.socket.request({ type: 'conversation.open', conversationId, afterSeq: 0 });
      // Read-only: stop watching at once, unless it is (now) one of our own conversations.
      if (!this.hasPanel(conversationId)) this.socket.send({ type: 'conversation.leave', conversationId });
      const view = reply.conversation || { id: conversationId };
      this.previewId = conversationId;
      this.previewQueueId = view.queueId || null;
      $('preview-body').replaceChildren(
        h('p', { class: 'item-facts' }, [
          view.urgency ? urgencyBadge(view.urgency) : null, ' ',
          view.language ? h('span', { i18n: `lang.${view.language}` }) : null, ' ',
          h('span', { text: patientLabel(view) }), ' ',
          view.enqueuedAt ? waitedSpan(view.enqueuedAt) : null,
        ]),
        triageList(view.triage),
        view.state === 'queued'
          ? h('button', {
            type: 'button', class: 'primary', testid: `preview-take-${conversationId}`, i18n: 'console.take',
            onclick: (event) => this.#run(event.currentTarget, async () => {
              await this.take(conversationId);
              this.closePreview();
            }),
          })
          : null,
      );
      $('preview').hidden = false;
      $('preview-title').setAttribute('tabindex', '-1');
      $('preview-title').focus();
    } catch (error) {
      this.showError(error);
    }
  }

  /**
   * The previewed conversation left the waiting list (a colleague took it, it was offered, the
   * patient left) or our access to it ended: the preview stays readable, without Take.
   */
  previewNotWaiting(conversationId) {
    if (this.previewId !== conversationId || $('preview').hidden) return;
    const take = $('preview-body').querySelector(`[data-testid="preview-take-${conversationId}"]`);
    if (!take || take.disabled) return; // already told, or our own Take is under way
    const hadFocus = take === document.activeElement;
    take.replaceWith(h('p', { class: 'notice', role: 'status', testid: 'preview-not-waiting', i18n: 'preview.notWaiting' }));
    if (hadFocus) $('preview-title').focus();
  }

  closePreview() {
    this.previewId = null;
    this.previewQueueId = null;
    $('preview').hidden = true;
    $('preview-body').replaceChildren();
  }

  /** A conversation.offer: a prominent card with the triage, Accept, and a countdown. */
  offer(frame) {
    const view = frame.conversation || {};
    if (!view.id) return;
    this.removeOffer(view.id);
    const titleId = uid('offer');
    const factsId = uid('offer-facts');
    const countdown = h('p', { class: 'countdown' });
    const card = h('article', { class: 'offer card', 'aria-labelledby': titleId, testid: `offer-${view.id}` }, [
      h('h3', { id: titleId, i18n: 'offers.new' }),
      h('p', { class: 'item-facts', id: factsId }, [
        view.urgency ? urgencyBadge(view.urgency) : null, ' ',
        view.language ? h('span', { i18n: `lang.${view.language}` }) : null, ' ',
        h('span', { text: this.queueName(view.queueId) || view.queueId || '' }), ' ',
        h('span', { text: patientLabel(view) }),
      ]),
      triageList(view.triage),
      countdown,
      this.#offerActions(view.id, factsId),
    ]);
    // The server's clock may differ from this browser's: count down from the relative time.
    // An offer found again after a reload has no deadline; the server withdraws it when it lapses.
    const within = typeof frame.acceptWithinSeconds === 'number' ? frame.acceptWithinSeconds
      : frame.acceptBy ? (Date.parse(frame.acceptBy) - Date.now()) / 1000 : null;
    const deadline = within === null ? null : Date.now() + within * 1000;
    countdown.hidden = deadline === null;
    const update = () => {
      if (deadline === null) return;
      const seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      setText(countdown, 'offers.countdown', { s: seconds });
      if (seconds === 0) this.expire(view.id);
    };
    const timer = setInterval(update, 1000);
    this.offers.set(view.id, { card, timer, view });
    update();
    if (!this.offers.has(view.id)) return;
    $('offer-list').append(card);
    $('offers').hidden = false;
    this.#arrangeOffers();
    this.announce(t('offers.announce'));
  }

  /**
   * Accept, and Decline in two steps: Decline opens a small form with an optional reason, whose
   * own button sends offer.decline (a declined conversation is not offered to us again, so a
   * slip of the finger should not do it).
   */
  #offerActions(conversationId, factsId) {
    const reasonId = uid('decline-reason');
    const reasonHintId = uid('decline-hint');
    const formId = uid('decline-form');
    const declineButton = h('button', {
      type: 'button', testid: `decline-${conversationId}`, 'aria-expanded': 'false', 'aria-controls': formId,
      'aria-describedby': factsId, i18n: 'offers.decline',
    });
    const acceptButton = h('button', {
      type: 'button', class: 'primary', testid: `accept-${conversationId}`, 'aria-describedby': factsId, i18n: 'offers.accept',
      onclick: (event) => this.#run(event.currentTarget, async () => {
        await this.accept(conversationId);
        this.removeOffer(conversationId);
      }),
    });
    const reason = h('input', {
      id: reasonId, testid: `decline-reason-${conversationId}`, maxlength: String(DECLINE_REASON_MAX), autocomplete: 'off',
      'aria-describedby': reasonHintId,
    });
    const cancel = h('button', { type: 'button', i18n: 'common.cancel' });
    const form = h('form', { id: formId, class: 'decline-form', novalidate: true, hidden: true }, [
      h('div', { class: 'field' }, [
        h('label', { for: reasonId }, [h('span', { i18n: 'offers.declineReason' }), ' ',
          h('span', { class: 'required-mark', i18n: 'questionnaire.optional' })]),
        reason,
        h('p', { class: 'hint small', id: reasonHintId, i18n: 'offers.declineHint' }),
      ]),
      h('div', { class: 'actions' }, [
        h('button', { type: 'submit', class: 'danger', testid: `decline-confirm-${conversationId}`, i18n: 'offers.declineConfirm' }),
        cancel,
      ]),
    ]);
    const toggle = (open) => {
      form.hidden = !open;
      declineButton.setAttribute('aria-expanded', String(open));
      if (open) reason.focus();
      else declineButton.focus();
    };
    declineButton.addEventListener('click', () => toggle(form.hidden));
    cancel.addEventListener('click', () => toggle(false));
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        toggle(false);
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const button = event.submitter || form.querySelector('[type=submit]');
      this.#run(button, () => this.#decline(conversationId, reason.value.trim()));
    });
    return h('div', {}, [h('div', { class: 'actions' }, [acceptButton, declineButton]), form]);
  }

  /** Sends offer.decline; the reply (offer.declined) removes the card. */
  async #decline(conversationId, reason) {
    const frame = { type: 'offer.decline', conversationId };
    if (reason) frame.reason = reason.slice(0, DECLINE_REASON_MAX);
    this.declining.add(conversationId);
    try {
      await this.socket.request(frame);
      this.removeOffer(conversationId);
      // The pressed button was disabled while waiting and is gone now: do not leave focus nowhere.
      if (!document.activeElement || document.activeElement === document.body) this.#focusAfterOffer();
      this.announce(t('offers.declined'));
    } catch (error) {
      // not_assigned: the offer was already gone (lapsed, withdrawn); the card goes too
      if (error.code === 'not_assigned') {
        this.removeOffer(conversationId);
        if (!document.activeElement || document.activeElement === document.body) this.#focusAfterOffer();
      }
      throw error;
    } finally {
      this.declining.delete(conversationId);
    }
  }

  /** An offer that lapsed (the countdown ran out, or the server withdrew it). */
  expire(conversationId) {
    if (!this.offers.has(conversationId)) return;
    this.removeOffer(conversationId);
    this.announce(t('offers.expired'));
  }

  /**
   * conversation.withdrawn for an offer: removes the card and says why. A lapse (not_accepted) is
   * the caller's to tell (it also changed our status); our own decline is told by its reply.
   */
  withdrawn(conversationId, reason) {
    if (!this.offers.has(conversationId)) return;
    this.removeOffer(conversationId);
    if (reason === 'not_accepted' || (reason === 'declined' && this.declining.has(conversationId))) return;
    this.announce(t(WITHDRAWN_TEXT[reason] || 'offers.expired'));
  }

  removeOffer(conversationId) {
    const offer = this.offers.get(conversationId);
    if (!offer) return;
    const hadFocus = offer.card.contains(document.activeElement);
    clearInterval(offer.timer);
    offer.card.remove();
    this.offers.delete(conversationId);
    $('offers').hidden = this.offers.size === 0;
    this.#arrangeOffers();
    if (hadFocus) this.#focusAfterOffer();
    if (this.offers.size === 0) this.onNoOffers();
  }

  /** Shows the first offer in priority order and hides the rest, with "N more offered". */
  #arrangeOffers() {
    const ordered = [...this.offers.values()].sort((a, b) => offerOrder(a.view, b.view));
    ordered.forEach((offer, index) => { offer.card.hidden = index > 0; });
    const more = $('offers-more');
    more.hidden = ordered.length < 2;
    if (ordered.length >= 2) setText(more, 'offers.more', { n: ordered.length - 1 });
  }

  /** The next offer's first button, or the conversations' heading when no offer is left. */
  #focusAfterOffer() {
    const next = document.querySelector('#offer-list .offer:not([hidden]) button');
    (next || $('conversations-title')).focus();
  }

  #tick() {
    document.querySelectorAll('[data-since]').forEach((span) => {
      setText(span, 'console.waited', { time: formatMinutes(secondsSince(span.dataset.since)) });
    });
  }
}

function waitedSpan(enqueuedAt) {
  const span = h('span', { class: 'waited', 'data-since': enqueuedAt });
  setText(span, 'console.waited', { time: formatMinutes(secondsSince(enqueuedAt)) });
  return span;
}

