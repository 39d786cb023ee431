// One conversation in the console, as two of its three panes: the conversation (chat with internal
// notes, searchable canned phrases) and its context (patient details, triage answers, closing with
// an outcome). Only the selected conversation is shown. It also sums itself up for the list pane
// (summary()): urgency, who, topic, waiting time or last activity, last message and unread count.
import { t } from './i18n.js';
import { h, setText, uid, errorText } from './dom.js';
import { ChatView } from './chat-view.js';
import { html, render } from './ui.js';
import { PhrasePicker } from './console/phrases.js';

export const OUTCOMES = ['resolved', 'referred', 'appointment_booked', 'redirected_to_urgent_care'];

/** An urgency badge: text plus a symbol, colour only as an extra. */
export function urgencyBadge(urgency) {
  return h('span', { class: `badge urgency urgency-${urgency || 'unknown'}` }, [
    h('span', { class: 'badge-symbol', 'aria-hidden': 'true', text: urgency === 'immediate' ? '!!' : urgency === 'same_day' ? '!' : '–' }),
    ' ',
    h('span', { i18n: `urgency.${urgency || 'unknown'}` }),
  ]);
}

/** The triage summary as a description list (question → answer). */
export function triageList(triage) {
  if (!Array.isArray(triage) || triage.length === 0) return h('p', { class: 'hint', i18n: 'triage.none' });
  return h('dl', { class: 'triage-list' }, triage.flatMap((line) => [
    h('dt', { text: line.question || line.questionId }),
    h('dd', { text: line.answer }),
  ]));
}

export function patientLabel(view) {
  const patient = view.patient || {};
  if (patient.name) return patient.name;
  return t(patient.kind === 'identified' ? 'patientKind.identified' : 'patientKind.anonymous');
}

/** The topic of a conversation for the list: the answer to the reason-for-contact question, else the last answer. */
export function topicOf(triage) {
  if (!Array.isArray(triage) || triage.length === 0) return '';
  const reason = triage.find((line) => ['topic', 'reason', 'symptom'].includes(line.questionId));
  return (reason || triage[triage.length - 1]).answer || '';
}

export class ConversationPanel {
  /**
   * @param onView (view) => void: show 'list', 'conversation' or 'context' (one pane at a time on a phone)
   */
  constructor({ socket, api, view, queueName, onSelect, onDismiss, onChange, onView }) {
    this.socket = socket;
    this.api = api;
    this.id = view.id;
    this.view = { ...view };
    this.queueName = queueName;
    this.onView = onView;
    this.phraseTexts = [];
    this.onChange = onChange; // unread count or state changed
    this.unread = 0;
    this.selected = false;
    this.revoked = false; // the server stopped sending this conversation to us (conversation.revoked)
    this.phrasesLoaded = false;
    this.chat = new ChatView({
      socket,
      side: 'professional',
      notes: true,
      isAttentive: () => this.isAttentive(),
      // typing and read receipts only while we take part: not once closed, returned or revoked
      canParticipate: () => this.isLive(),
      onIncoming: () => {
        if (!this.isAttentive()) this.#setUnread(this.unread + 1);
      },
    });
    this.chat.setConversation(view.id);
    this.#build(onSelect, onDismiss);
    // the list's preview and activity follow the messages shown
    new MutationObserver(() => this.onChange()).observe(this.chat.list, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-status'] });
    this.update(view);
  }

  /** The row of this conversation in the list pane. */
  summary() {
    const v = this.view;
    const items = [...this.chat.list.children].filter((li) => !li.classList.contains('msg-system') && !li.classList.contains('msg-note'));
    const last = items[items.length - 1];
    const at = last?.querySelector('time')?.getAttribute('datetime');
    const patientWaits = last ? last.classList.contains('theirs') : !v.acceptedAt;
    return {
      id: this.id,
      urgency: v.urgency,
      who: this.title.textContent,
      topic: [this.queueName(v.queueId), topicOf(v.triage)].filter(Boolean).join(' · '),
      activity: last
        ? { key: patientWaits ? 'list.waiting' : 'list.lastMessage', at }
        : { key: 'list.waiting', at: v.enqueuedAt },
      preview: last?.querySelector('.msg-text')?.textContent || '',
      previewMine: Boolean(last && last.classList.contains('mine')),
      unread: this.unread,
      closed: v.state === 'closed',
      closedAt: v.closedAt,
      outcome: v.outcome,
    };
  }

  /** Whether the conversation is ours to write in: active and still sent to this socket. */
  isLive() {
    return this.view.state === 'active' && !this.revoked;
  }

  isAttentive() {
    // shown: selected, and its conversation pane not hidden (a phone showing the list)
    return this.selected && document.visibilityState === 'visible' && this.chat.log.getClientRects().length > 0;
  }

  setSelected(selected) {
    this.selected = selected;
    this.element.hidden = !selected;
    this.element.classList.toggle('is-selected', selected);
    if (selected) this.seen();
  }

  /** The user looks at the panel: clear unread and send a read receipt. */
  seen() {
    if (!this.isAttentive()) return;
    this.#setUnread(0);
    this.chat.markSeen();
  }

  update(view) {
    this.view = { ...this.view, ...view };
    const v = this.view;
    if (v.readUpTo) this.chat.readUpTo(v.readUpTo.patient || 0);
    this.chat.patientName = v.patient && v.patient.name ? v.patient.name : null;
    const label = t('panel.title', { who: patientLabel(v), ref: v.id.slice(0, 4) });
    this.title.textContent = label;
    this.headerFacts.replaceChildren(
      v.urgency ? urgencyBadge(v.urgency) : '', ' ',
      h('span', { class: 'hint', text: [this.queueName(v.queueId) || v.queueId, topicOf(v.triage)].filter(Boolean).join(' · ') }),
    );
    const fact = (key, value) => [h('dt', { i18n: key }), h('dd', {}, [value])];
    this.facts.replaceChildren(
      ...(v.urgency ? fact('panel.urgency', urgencyBadge(v.urgency)) : []),
      ...fact('panel.queue', this.queueName(v.queueId) || v.queueId || ''),
      ...fact('panel.patient', h('span', { i18n: v.patient && v.patient.kind === 'identified' ? 'patientKind.identified' : 'patientKind.anonymous' })),
      ...(v.patient && v.patient.name ? fact('panel.name', v.patient.name) : []),
      ...(v.language ? fact('panel.language', h('span', { i18n: `lang.${v.language}` })) : []),
      ...(v.municipality ? fact('panel.municipality', v.municipality) : []),
    );
    if (v.triage) this.triage.replaceChildren(triageList(v.triage));
    if (!this.phrasesLoaded && v.queueId && v.language) this.#loadPhrases();
    this.#renderState();
  }

  setClosed(outcome) {
    this.view.state = 'closed';
    this.view.outcome = outcome;
    // the closed list sorts and shows the time; the server's own time comes with its list
    if (!this.view.closedAt) this.view.closedAt = new Date().toISOString();
    this.#renderState();
  }

  /**
   * conversation.revoked: the server no longer sends us this conversation (a colleague took it,
   * it was transferred, or our access ended). The panel stays readable but nothing can be sent.
   */
  setRevoked() {
    this.revoked = true;
    this.#renderState();
  }

  #renderState() {
    const { state, outcome } = this.view;
    const active = this.isLive();
    const focused = this.element && this.element.contains(document.activeElement) ? document.activeElement : null;
    this.chat.setEnabled(active);
    this.phrases.hidden = !active || this.phraseTexts.length === 0;
    this.closeForm.hidden = !active;
    this.dismiss.hidden = active;
    this.stateNotice.hidden = active;
    this.element.classList.toggle('is-ended', !active);
    if (this.revoked) setText(this.stateNotice, 'panel.revoked');
    else if (state === 'closed') setText(this.stateNotice, 'panel.closed', { outcome: t(`outcome.${outcome}`) });
    else if (state === 'queued') setText(this.stateNotice, 'panel.returnedToQueue');
    // The control that had focus was hidden (closed): keep focus in the panel, on its title.
    if (focused && focused.closest('[hidden]')) this.#focusTitle();
    this.onChange();
  }

  #focusTitle() {
    this.title.setAttribute('tabindex', '-1');
    this.title.focus();
  }

  #setUnread(count) {
    if (count === this.unread) return;
    this.unread = count;
    this.unreadBadge.hidden = count === 0;
    setText(this.unreadBadge, 'panel.unread', { n: count });
    this.onChange();
  }

  async #loadPhrases() {
    this.phrasesLoaded = true;
    try {
      const phrases = await this.api.get(`/api/queues/${encodeURIComponent(this.view.queueId)}/phrases?lang=${encodeURIComponent(this.view.language)}`);
      this.phraseTexts = (phrases || []).filter((text) => typeof text === 'string');
    } catch (e) {
      this.phraseTexts = [];
    }
    render(html`<${PhrasePicker} phrases=${this.phraseTexts} onInsert=${(text) => this.chat.insertText(text)} />`, this.phrases);
    this.#renderState();
  }

  #build(onSelect, onDismiss) {
    const id = this.id;
    const titleId = uid('panel-title');
    const contextTitleId = uid('context-title');
    this.title = h('h2', { id: titleId, class: 'panel-heading' });
    this.unreadBadge = h('span', { class: 'unread-badge', hidden: true });
    this.headerFacts = h('p', { class: 'item-facts' });
    this.facts = h('dl', { class: 'facts' });
    this.stateNotice = h('p', { class: 'notice', role: 'status', hidden: true });
    this.triage = h('div');
    this.phrases = h('div', { hidden: true });
    this.#buildCloseForm();
    this.dismiss = h('button', { type: 'button', hidden: true, i18n: 'panel.dismiss', onclick: () => onDismiss(id) });

    // Shown on a phone only (CSS): the way back to the list, and to the context pane and back.
    const back = h('button', { type: 'button', class: 'phone-only back', testid: 'back-to-list', onclick: () => this.onView('list') },
      [h('span', { 'aria-hidden': 'true', text: '←' }), h('span', { i18n: 'console.backToList' })]);
    const details = h('button', { type: 'button', class: 'phone-only', testid: 'show-context', onclick: () => this.onView('context') },
      [h('span', { i18n: 'console.showContext' })]);
    const backToChat = h('button', { type: 'button', class: 'phone-only back', testid: 'back-to-conversation', onclick: () => this.onView('conversation') },
      [h('span', { 'aria-hidden': 'true', text: '←' }), h('span', { i18n: 'console.backToConversation' })]);

    this.conversationPane = h('section', { class: 'pane pane-conversation', 'aria-labelledby': titleId }, [
      h('header', { class: 'panel-header' }, [
        h('div', { class: 'panel-nav' }, [back, details]),
        h('div', { class: 'panel-title' }, [this.title, this.unreadBadge]),
        this.headerFacts,
      ]),
      this.stateNotice,
      this.chat.element,
      this.phrases,
    ]);
    this.contextPane = h('aside', { class: 'pane pane-context', 'aria-labelledby': contextTitleId, testid: 'context-pane' }, [
      h('div', { class: 'panel-nav' }, [backToChat]),
      h('h2', { id: contextTitleId, i18n: 'panel.contextTitle' }),
      this.facts,
      h('h3', { i18n: 'triage.title' }),
      this.triage,
      this.closeForm,
      h('div', { class: 'actions' }, [this.dismiss]),
    ]);
    this.element = h('div', { class: 'panel', id: `panel-${id}`, testid: `panel-${id}`, hidden: true },
      [this.conversationPane, this.contextPane]);
    this.element.addEventListener('focusin', () => onSelect(id, { focus: false }));
  }

  #buildCloseForm() {
    const outcomeId = uid('outcome');
    const detailId = uid('detail');
    const errorId = uid('close-error');
    this.outcome = h('select', { id: outcomeId, testid: 'close-outcome', required: true }, [
      h('option', { value: '', i18n: 'panel.outcomeChoose' }),
      ...OUTCOMES.map((o) => h('option', { value: o, i18n: `outcome.${o}` })),
    ]);
    const detailHintId = uid('detail-hint');
    this.detail = h('input', { id: detailId, maxlength: '500', 'aria-describedby': `${detailHintId} ${errorId}`, testid: 'close-detail' });
    this.detailHint = h('span', { class: 'required-mark', i18n: 'questionnaire.optional' });
    this.closeError = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true });
    this.outcome.addEventListener('change', () => {
      const referred = this.outcome.value === 'referred';
      this.detail.required = referred;
      setText(this.detailHint, referred ? 'questionnaire.required' : 'questionnaire.optional');
    });
    this.closeForm = h('form', { class: 'close-form', novalidate: true }, [
      h('h3', { i18n: 'panel.closeTitle' }),
      h('div', { class: 'field' }, [h('label', { for: outcomeId, i18n: 'panel.outcome' }), this.outcome]),
      h('div', { class: 'field' }, [
        h('label', { for: detailId }, [h('span', { i18n: 'panel.detail' }), ' ', this.detailHint]), this.detail,
        h('p', { class: 'hint small', id: detailHintId, i18n: 'panel.detailShownToPatient' }),
      ]),
      this.closeError,
      h('button', { type: 'submit', testid: 'close-submit', i18n: 'panel.closeSubmit' }),
    ]);
    this.closeForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#close(event.submitter);
    });
  }

  async #close(button) {
    const outcome = this.outcome.value;
    const detail = this.detail.value.trim();
    this.closeError.hidden = true;
    if (!outcome) return this.#closeFailed('panel.outcomeMissing', this.outcome);
    if (outcome === 'referred' && !detail) return this.#closeFailed('panel.detailMissing', this.detail);
    const frame = { type: 'conversation.close', conversationId: this.id, outcome };
    if (detail) frame.detail = detail;
    if (button) button.disabled = true;
    try {
      const reply = await this.socket.request(frame);
      this.setClosed(reply.outcome || outcome);
      this.#focusTitle();
    } catch (error) {
      this.closeError.textContent = errorText(error);
      this.closeError.hidden = false;
    } finally {
      if (button) button.disabled = false;
      if (button && !this.closeForm.hidden && document.activeElement === document.body) button.focus();
    }
    return undefined;
  }

  #closeFailed(key, field) {
    setText(this.closeError, key);
    this.closeError.hidden = false;
    field.setAttribute('aria-invalid', 'true');
    field.addEventListener('input', () => field.removeAttribute('aria-invalid'), { once: true });
    field.addEventListener('change', () => field.removeAttribute('aria-invalid'), { once: true });
    field.focus();
  }
}
