// One conversation in the console: header facts, triage summary, chat with internal notes and
// canned phrases, unread count, and closing with an outcome.
import { t } from './i18n.js';
import { h, setText, uid, errorText } from './dom.js';
import { ChatView } from './chat-view.js';

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

export class ConversationPanel {
  constructor({ socket, api, view, queueName, onSelect, onDismiss, onChange }) {
    this.socket = socket;
    this.api = api;
    this.id = view.id;
    this.view = { ...view };
    this.queueName = queueName;
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
    this.update(view);
  }

  /** Whether the conversation is ours to write in: active and still sent to this socket. */
  isLive() {
    return this.view.state === 'active' && !this.revoked;
  }

  isAttentive() {
    return this.selected && document.visibilityState === 'visible' && !this.element.hidden;
  }

  setSelected(selected) {
    this.selected = selected;
    this.element.classList.toggle('is-selected', selected);
    this.tab.setAttribute('aria-selected', String(selected));
    this.tab.tabIndex = selected ? 0 : -1;
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
    this.tabLabel.textContent = label;
    this.facts.replaceChildren(
      v.urgency ? h('li', {}, [urgencyBadge(v.urgency)]) : null,
      v.language ? h('li', {}, [h('span', { class: 'fact-label', i18n: 'panel.language' }), ' ', h('span', { i18n: `lang.${v.language}` })]) : null,
      h('li', {}, [h('span', { class: 'fact-label', i18n: 'panel.queue' }), ' ', this.queueName(v.queueId) || v.queueId || '']),
      h('li', {}, [h('span', { class: 'fact-label', i18n: 'panel.patient' }), ' ',
        h('span', { i18n: v.patient && v.patient.kind === 'identified' ? 'patientKind.identified' : 'patientKind.anonymous' })]),
      v.municipality ? h('li', {}, [h('span', { class: 'fact-label', i18n: 'panel.municipality' }), ' ', v.municipality]) : null,
    );
    if (v.triage) this.triage.replaceChildren(triageList(v.triage));
    if (!this.phrasesLoaded && v.queueId && v.language) this.#loadPhrases();
    this.#renderState();
  }

  setClosed(outcome) {
    this.view.state = 'closed';
    this.view.outcome = outcome;
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
    this.phrases.hidden = !active || this.phraseSelect.options.length === 0;
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
    for (const badge of [this.unreadBadge, this.tabUnread]) {
      badge.hidden = count === 0;
      setText(badge, 'panel.unread', { n: count });
    }
    this.onChange();
  }

  async #loadPhrases() {
    this.phrasesLoaded = true;
    try {
      const phrases = await this.api.get(`/api/queues/${encodeURIComponent(this.view.queueId)}/phrases?lang=${encodeURIComponent(this.view.language)}`);
      this.phraseSelect.replaceChildren(...(phrases || []).map((text) => h('option', { value: text, text })));
    } catch (e) {
      this.phraseSelect.replaceChildren();
    }
    this.#renderState();
  }

  #build(onSelect, onDismiss) {
    const id = this.id;
    const titleId = uid('panel-title');
    this.tabLabel = h('span');
    this.tabUnread = h('span', { class: 'unread-badge', hidden: true });
    this.tab = h('button', {
      type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, 'aria-selected': 'false',
      tabindex: '-1', class: 'tab', onclick: () => onSelect(id, { focus: true }),
    }, [this.tabLabel, ' ', this.tabUnread]);

    this.title = h('h3', { id: titleId });
    this.unreadBadge = h('span', { class: 'unread-badge', hidden: true });
    this.facts = h('ul', { class: 'facts' });
    this.stateNotice = h('p', { class: 'notice', role: 'status', hidden: true });
    this.triage = h('div');
    const triage = h('details', { class: 'triage', open: true }, [h('summary', { i18n: 'triage.title' }), this.triage]);

    const phraseId = uid('phrases');
    this.phraseSelect = h('select', { id: phraseId });
    this.phrases = h('div', { class: 'phrases', hidden: true }, [
      h('label', { for: phraseId, i18n: 'panel.phrases' }),
      h('div', { class: 'inline' }, [
        this.phraseSelect,
        h('button', {
          type: 'button', i18n: 'panel.insertPhrase',
          onclick: () => { if (this.phraseSelect.value) this.chat.insertText(this.phraseSelect.value); },
        }),
      ]),
    ]);

    this.#buildCloseForm();
    this.dismiss = h('button', { type: 'button', hidden: true, i18n: 'panel.dismiss', onclick: () => onDismiss(id) });

    this.element = h('section', {
      class: 'panel', role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': titleId, testid: `panel-${id}`, tabindex: '-1',
    }, [
      h('header', { class: 'panel-header' }, [h('div', { class: 'panel-title' }, [this.title, this.unreadBadge]), this.facts]),
      this.stateNotice,
      triage,
      this.chat.element,
      this.phrases,
      this.closeForm,
      h('div', { class: 'actions' }, [this.dismiss]),
    ]);
    this.element.addEventListener('focusin', () => onSelect(id, { focus: false }));
    this.element.addEventListener('pointerdown', () => onSelect(id, { focus: false }));
  }

  #buildCloseForm() {
    const outcomeId = uid('outcome');
    const detailId = uid('detail');
    const errorId = uid('close-error');
    this.outcome = h('select', { id: outcomeId, testid: 'close-outcome', required: true }, [
      h('option', { value: '', i18n: 'panel.outcomeChoose' }),
      ...OUTCOMES.map((o) => h('option', { value: o, i18n: `outcome.${o}` })),
    ]);
    this.detail = h('input', { id: detailId, maxlength: '500', 'aria-describedby': errorId });
    this.detailHint = h('span', { class: 'required-mark', i18n: 'questionnaire.optional' });
    this.closeError = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true });
    this.outcome.addEventListener('change', () => {
      const referred = this.outcome.value === 'referred';
      this.detail.required = referred;
      setText(this.detailHint, referred ? 'questionnaire.required' : 'questionnaire.optional');
    });
    this.closeForm = h('form', { class: 'close-form', novalidate: true }, [
      h('h4', { i18n: 'panel.closeTitle' }),
      h('div', { class: 'field' }, [h('label', { for: outcomeId, i18n: 'panel.outcome' }), this.outcome]),
      h('div', { class: 'field' }, [
        h('label', { for: detailId }, [h('span', { i18n: 'panel.detail' }), ' ', this.detailHint]), this.detail,
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
