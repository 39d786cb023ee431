// One conversation in the console, as two of its three panes: the conversation (chat with internal
// notes, searchable canned phrases) and its context (patient details, triage answers, closing with
// an outcome). Only the selected conversation is shown. ConversationPanel holds what the server said
// about it (the view, revoked or not, unread count) and its ChatView (shared with the patient page,
// mounted through a ref); the panes are Preact components (PanelPanes, CloseForm) rendered into its
// element, and the close form's choices, errors and busy state are theirs. It also sums itself up
// for the list pane (summary()): urgency, who, topic, waiting time or last activity, last message
// and unread count.
import { html, render, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { uid, errorText } from '../dom.js';
import { ChatView } from '../chat-view.js';
import { PhrasePicker } from './phrases.js';
import { UrgencyBadge } from './conversation-list.js';
import { useLanguage } from './hooks.js';
import { ReferralForm, PartnerReferralPane } from './referrals.js';
import { ExpertSearch } from './expert-search.js';
import { ReturnToSender, receivedFromQueue } from './return-to-sender.js';
import { ConsultForm } from './consult-form.js';
import { ThreadPanes, CaseReadOnlyNotice, threadTitle } from './consult-thread.js';
import { PanelTop } from './panel-top.js';
import { ConsoleChatCall } from '../call/chat-call.js';

export const OUTCOMES = ['resolved', 'referred', 'appointment_booked', 'redirected_to_urgent_care'];

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

/** The triage summary as a description list (question → answer). */
export function TriageList({ triage }) {
  if (!Array.isArray(triage) || triage.length === 0) return html`<p class="hint">${t('triage.none')}</p>`;
  return html`<dl class="triage-list">${triage.map((line) => html`<dt>${line.question || line.questionId}</dt><dd>${line.answer}</dd>`)}</dl>`;
}

const titleOf = (view) => t('panel.title', { who: patientLabel(view), ref: view.id.slice(0, 4) });

export class ConversationPanel {
  /**
   * @param onView (view) => void: show 'list', 'conversation' or 'context' (one pane at a time on a phone)
   */
  /**
   * @param queues () => the queues the server lists (GET /api/queues), the transfer form's targets
   * @param onTransferred (conversationId, target) => void: transfer.requested came (or target {kind: 'sender'}: we returned it); it leaves our list
   */
  /**
   * @param referral for partner staff: the referral (GET /api/partner/referrals) this conversation was opened from
   */
  constructor({ socket, api, view, queueName, queues = () => [], onTransferred = () => {}, onSelect, onDismiss, onChange, onView,
    referral = null, consultation = null, caseOf = null, consult = null, me = () => null }) {
    Object.assign(this, { socket, api, queueName, queues, onTransferred, onView, onDismiss, onChange, referral, consult, me });
    // a consultation's professional-only thread (consult-thread.js), or a case a consultant reads (caseOf)
    this.consultation = consultation;
    this.caseOf = caseOf;
    this.returned = null; // {outcome, reason}: a transfer of ours came back (transfer.returned)
    this.id = view.id;
    this.view = { ...view };
    this.phraseTexts = [];
    this.unread = 0;
    this.selected = false;
    this.revoked = false; // the server stopped sending this conversation to us (conversation.revoked)
    this.phrasesLoaded = false;
    this.ids = { title: uid('panel-title'), context: uid('context-title') };
    this.chat = new ChatView({
      socket,
      side: 'professional',
      notes: !consultation, // a consultation's thread is professional-only already
      isAttentive: () => this.isAttentive(),
      // typing and read receipts only while we take part: not once closed, returned or revoked
      canParticipate: () => this.isLive(),
      onIncoming: () => {
        if (!this.isAttentive()) this.#setUnread(this.unread + 1);
      },
    });
    this.chat.setConversation(view.id);
    // The render root: Preact renders the two panes inside it.
    this.element = document.createElement('div');
    this.element.className = 'panel';
    this.element.id = `panel-${this.id}`;
    this.element.dataset.testid = `panel-${this.id}`;
    this.element.hidden = true;
    this.element.addEventListener('focusin', () => onSelect(this.id, { focus: false }));
    // the list's preview and activity follow the messages shown
    new MutationObserver(() => this.onChange()).observe(this.chat.list, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-status'] });
    this.update(view);
  }

  /** The conversation's heading (its text is the label the list and announcements use). */
  get title() {
    return this.element.querySelector('.panel-heading');
  }

  get contextPane() {
    return this.element.querySelector('.pane-context');
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
      urgency: this.consultation ? null : v.urgency, // a patient's urgency; a thread's is the consultation's, in its topic
      who: this.consultation ? threadTitle(this.consultation) : titleOf(v),
      topic: this.consultation ? [t(`consult.urgency.${this.consultation.urgency}`), t('consult.thread.label')].join(' · ') : [this.queueName(v.queueId), topicOf(v.triage)].filter(Boolean).join(' · '),
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
    return this.view.state === 'active' && !this.revoked && !this.consultReadOnly() && this.consultation?.state !== 'closed';
  }

  /** Video from the chat: only the professional the active patient conversation is assigned to (not partner staff). */
  mayCall() {
    return this.isLive() && !this.referral && !this.consultation && !this.caseOf && Boolean(this.view.professional?.id)
      && this.view.professional.id === this.me();
  }

  /** A case a consultant reads before joining it: shown, not written in. */
  consultReadOnly() {
    return Boolean(this.caseOf && !this.caseOf.joinedAt && this.caseOf.state !== 'closed' && this.view.state === 'active'
      && this.view.professional?.id !== this.me());
  }

  /** consult.updated (or the lists): the consultation this thread, or this read-only case, belongs to. */
  setConsultation(k) {
    if (this.consultation && this.consultation.id === k.id) this.consultation = k;
    else if (this.caseOf && this.caseOf.id === k.id) this.caseOf = k;
    else return;
    this.#render();
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
    if (!this.phrasesLoaded && v.queueId && v.language) this.#loadPhrases();
    this.#render();
  }

  setClosed(outcome) {
    this.view.state = 'closed';
    this.view.outcome = outcome;
    // the closed list sorts and shows the time; the server's own time comes with its list
    if (!this.view.closedAt) this.view.closedAt = new Date().toISOString();
    this.#render();
  }

  /**
   * conversation.revoked: the server no longer sends us this conversation (a colleague took it,
   * it was transferred, or our access ended). The panel stays readable but nothing can be sent.
   */
  setRevoked() {
    this.revoked = true;
    this.#render();
  }

  /** transfer.returned: the conversation is ours again; the reason stays shown until the next transfer. */
  setReturned(returned) {
    this.returned = returned;
    this.#render();
  }

  focusTitle() {
    const title = this.title;
    title.setAttribute('tabindex', '-1');
    title.focus();
  }

  #render() {
    const live = this.isLive();
    const focused = this.element.contains(document.activeElement) ? document.activeElement : null;
    this.chat.setEnabled(live);
    this.element.classList.toggle('is-ended', !live);
    render(this.consultation ? html`<${ThreadPanes} panel=${this} view=${{ ...this.view }} live=${live} unread=${this.unread} />`
      : html`<${PanelPanes} panel=${this} view=${{ ...this.view }} live=${live} revoked=${this.revoked}
        unread=${this.unread} phrases=${this.phraseTexts} />`, this.element);
    // The control that had focus was hidden (closed): keep focus in the panel, on its title.
    if (focused && (!focused.isConnected || focused.closest('[hidden]'))) this.focusTitle();
    this.onChange();
  }

  #setUnread(count) {
    if (count === this.unread) return;
    this.unread = count;
    this.#render();
  }

  async #loadPhrases() {
    this.phrasesLoaded = true;
    try {
      const phrases = await this.api.get(`/api/queues/${encodeURIComponent(this.view.queueId)}/phrases?lang=${encodeURIComponent(this.view.language)}`);
      this.phraseTexts = (phrases || []).filter((text) => typeof text === 'string');
    } catch (e) {
      this.phraseTexts = [];
    }
    this.#render();
  }
}

function stateText(view, revoked) {
  if (revoked) return t('panel.revoked');
  if (view.state === 'closed') return t('panel.closed', { outcome: t(`outcome.${view.outcome}`) });
  if (view.state === 'queued') return t('panel.returnedToQueue');
  return '';
}

/** The conversation pane and the context pane of one conversation. */
function PanelPanes({ panel, view, live, revoked, unread, phrases }) {
  useLanguage();
  const { title, context } = panel.ids;
  const chatSlot = (el) => {
    if (el && panel.chat.element.parentNode !== el) el.append(panel.chat.element);
  };
  const fact = (key, value) => html`<dt>${t(key)}</dt><dd>${value}</dd>`;
  const kind = t(view.patient && view.patient.kind === 'identified' ? 'patientKind.identified' : 'patientKind.anonymous');
  return html`
    <section class="pane pane-conversation" aria-labelledby=${title}>
      <header class="panel-header">
        <${PanelTop} panel=${panel} titleId=${title} heading=${titleOf(view)} unread=${unread}
            action=${panel.mayCall() ? html`<${ConsoleChatCall} socket=${panel.socket} conversationId=${panel.id} t=${t}
              live=${true} patientName=${patientLabel(view)} api=${panel.api} />` : null} />
        <p class="item-facts">
          ${view.urgency ? html`<${UrgencyBadge} urgency=${view.urgency} />` : null}${' '}
          <span class="hint">${[panel.queueName(view.queueId) || view.queueId, topicOf(view.triage)].filter(Boolean).join(' · ')}</span>
        </p>
      </header>
      ${panel.consultReadOnly() ? html`<${CaseReadOnlyNotice} panel=${panel} />` : html`<p class="notice" role="status" hidden=${live}>${live ? '' : stateText(view, revoked)}</p>`}
      ${live && panel.returned ? html`<${ReturnedNotice} returned=${panel.returned} />` : null}
      <div class="chat-slot" ref=${chatSlot}></div>
      ${live && phrases.length > 0 ? html`<${PhrasePicker} phrases=${phrases} onInsert=${(text) => panel.chat.insertText(text)} />` : null}
    </section>
    <aside class="pane pane-context" aria-labelledby=${context} data-testid="context-pane">
      <div class="panel-nav">
        <button type="button" class="phone-only back" data-testid="back-to-conversation" onClick=${() => panel.onView('conversation')}>
          <span aria-hidden="true">←</span><span>${t('console.backToConversation')}</span></button>
      </div>
      <h2 id=${context}>${t('panel.contextTitle')}</h2>
      <dl class="facts">
        ${view.urgency ? fact('panel.urgency', html`<${UrgencyBadge} urgency=${view.urgency} />`) : null}
        ${fact('panel.queue', panel.queueName(view.queueId) || view.queueId || '')}
        ${fact('panel.patient', kind)}
        ${view.patient && view.patient.name ? fact('panel.name', view.patient.name) : null}
        ${view.language ? fact('panel.language', t(`lang.${view.language}`)) : null}
        ${view.municipality ? fact('panel.municipality', view.municipality) : null}
        ${view.transfer ? fact('panel.consent', t(`panel.consent.${view.transfer.consent}`)) : null}
      </dl>
      <h3>${t('triage.title')}</h3>
      <${TriageList} triage=${view.triage} />
      ${panel.referral ? html`<${PartnerReferralPane} panel=${panel} />` : null}
      ${live && !panel.referral ? html`<${CloseForm} panel=${panel} />` : null}
      ${live && !panel.referral ? html`<div class="context-actions">
        <${TransferForm} panel=${panel} />
        <${ConsultForm} panel=${panel} />
        ${receivedFromQueue(view) ? html`<${ReturnToSender} panel=${panel} errorText=${transferErrorText} />` : null}
        <${ReferralForm} panel=${panel} />
      </div>` : null}
      <div class="actions">
        <button type="button" hidden=${live} onClick=${() => panel.onDismiss(panel.id)}>${t('panel.dismiss')}</button>
      </div>
    </aside>`;
}

/** Closing with an outcome; a referral needs its detail, which the patient is shown. */
function CloseForm({ panel }) {
  const ids = useRef(null);
  if (!ids.current) ids.current = { outcome: uid('outcome'), detail: uid('detail'), error: uid('close-error'), hint: uid('detail-hint') };
  const { outcome: outcomeId, detail: detailId, error: errorId, hint: hintId } = ids.current;
  const [outcome, setOutcome] = useState('');
  const [detail, setDetail] = useState('');
  const [error, setError] = useState('');
  const [invalid, setInvalid] = useState(null); // 'outcome' or 'detail'
  const [busy, setBusy] = useState(false);
  const outcomeRef = useRef(null);
  const detailRef = useRef(null);
  const referred = outcome === 'referred';
  const fail = (text, field) => {
    setError(text);
    setInvalid(field);
    (field === 'outcome' ? outcomeRef : detailRef).current.focus();
  };
  const submit = async (event) => {
    event.preventDefault();
    setError('');
    const text = detail.trim();
    if (!outcome) return fail(t('panel.outcomeMissing'), 'outcome');
    if (referred && !text) return fail(t('panel.detailMissing'), 'detail');
    const frame = { type: 'conversation.close', conversationId: panel.id, outcome };
    if (text) frame.detail = text;
    setBusy(true);
    try {
      const reply = await panel.socket.request(frame);
      panel.setClosed(reply.outcome || outcome);
      panel.focusTitle();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
    return undefined;
  };
  return html`<form class="close-form" novalidate onSubmit=${submit}>
    <h3>${t('panel.closeTitle')}</h3>
    <div class="field">
      <label for=${outcomeId}>${t('panel.outcome')}</label>
      <select id=${outcomeId} ref=${outcomeRef} data-testid="close-outcome" required value=${outcome}
          aria-invalid=${invalid === 'outcome' ? 'true' : undefined}
          onChange=${(e) => { setOutcome(e.target.value); if (invalid === 'outcome') setInvalid(null); }}>
        <option value="">${t('panel.outcomeChoose')}</option>
        ${OUTCOMES.map((o) => html`<option value=${o}>${t(`outcome.${o}`)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for=${detailId}><span>${t('panel.detail')}</span> <span class="required-mark">${t(referred ? 'questionnaire.required' : 'questionnaire.optional')}</span></label>
      <input id=${detailId} ref=${detailRef} maxlength="500" data-testid="close-detail" required=${referred}
          aria-describedby=${`${hintId} ${errorId}`} aria-invalid=${invalid === 'detail' ? 'true' : undefined}
          value=${detail} onInput=${(e) => { setDetail(e.target.value); if (invalid === 'detail') setInvalid(null); }} />
      <p class="hint small" id=${hintId}>${t('panel.detailShownToPatient')}</p>
    </div>
    <p class="field-error" id=${errorId} role="alert" hidden=${!error}>${error}</p>
    <button type="submit" data-testid="close-submit" disabled=${busy}>${t('panel.closeSubmit')}</button>
  </form>`;
}

/** A transfer of ours came back: declined by the receiver (with their reason) or not accepted in time. */
function ReturnedNotice({ returned }) {
  return html`<div class="notice transfer-returned" data-testid="transfer-returned">
    <p>${t(returned.outcome === 'lapsed' ? 'transferForm.returnedLapsed' : 'transferForm.returnedDeclined')}</p>
    ${returned.reason ? html`<p><strong>${t('transferForm.returnedReason')}</strong> ${returned.reason}</p>` : null}
  </div>`;
}

/** The ISBAR handover note: its parts, their length limits (docs/protocol.md) and whether required. */
export const ISBAR = [
  { part: 'situation', max: 1000, required: true },
  { part: 'background', max: 900 },
  { part: 'assessment', max: 900 },
  { part: 'recommendation', max: 900 },
];

/** The text of a transfer's error code: the console's own for the transfer codes, else the common one. */
export function transferErrorText(error) {
  const key = `transferError.${error && error.code}`;
  const text = t(key);
  return text === key ? errorText(error) : text;
}

/** Where an error code of transfer.request points: the note or the target. */
const NOTE_ERRORS = new Set(['invalid_note']);

/**
 * Transfer to another queue or to a named colleague with an ISBAR handover note, as an inline
 * disclosure: the button opens the form and moves the focus to its first field; Cancel or Escape
 * close it and give the focus back. A colleague is chosen with the expert search (expert-search.js).
 */
function TransferForm({ panel }) {
  useLanguage();
  const ids = useRef(null);
  if (!ids.current) {
    ids.current = { form: uid('transfer-form'), title: uid('transfer-title'), target: uid('transfer-target'), error: uid('transfer-error'),
      ...Object.fromEntries(ISBAR.map(({ part }) => [part, uid(`isbar-${part}`)])) };
  }
  const id = ids.current;
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState('');
  const [kind, setKind] = useState('queue'); // 'queue' or 'colleague'
  const [colleague, setColleague] = useState(null); // the registry's object of the chosen colleague
  const colleagueRef = useRef(null);
  const [note, setNote] = useState({});
  const [error, setError] = useState('');
  const [invalid, setInvalid] = useState(null); // 'target' or 'situation'
  const [busy, setBusy] = useState(false);
  const toggleRef = useRef(null);
  const targetRef = useRef(null);
  const situationRef = useRef(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    // the queue list first, as before (the usual case); the choice of queue or colleague is one Shift+Tab back
    if (open) (kind === 'queue' ? targetRef.current : document.querySelector(`input[name="${id.form}-kind"]:checked`))?.focus();
    else if (wasOpen.current) toggleRef.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const queues = (panel.queues() || []).filter((q) => q.id !== panel.view.queueId);
  // the field the error was about has been corrected: the error goes with it
  const clearError = () => {
    setError('');
    setInvalid(null);
  };
  const close = () => {
    setOpen(false);
    clearError();
  };
  const fail = (text, field) => {
    setError(text);
    setInvalid(field);
    if (field === 'situation') situationRef.current?.focus();
    else if (kind === 'colleague') colleagueRef.current?.querySelector('input')?.focus();
    else targetRef.current?.focus();
  };
  const submit = async (event) => {
    event.preventDefault();
    setError('');
    if (kind === 'queue' && !target) return fail(t('transferForm.targetMissing'), 'target');
    if (kind === 'colleague' && !colleague) return fail(t('experts.colleagueMissing'), 'target');
    const parts = {};
    for (const { part } of ISBAR) {
      const text = (note[part] || '').trim();
      if (text) parts[part] = text;
    }
    if (!parts.situation) return fail(t('transferForm.situationMissing'), 'situation');
    setBusy(true);
    try {
      const to = kind === 'queue' ? { toQueue: target } : { toProfessional: colleague.id };
      const reply = await panel.socket.request({ type: 'transfer.request', conversationId: panel.id, ...to, note: parts });
      panel.onTransferred(panel.id, reply.target || (kind === 'queue' ? { kind: 'queue', queueId: target }
        : { kind: 'professional', name: colleague.name, role: colleague.role }));
    } catch (e) {
      setBusy(false);
      fail(transferErrorText(e), NOTE_ERRORS.has(e.code) ? 'situation' : 'target');
    }
    return undefined;
  };
  const field = ({ part, max, required }) => {
    const value = note[part] || '';
    const hint = `${id[part]}-hint`;
    return html`<div class="field">
      <label for=${id[part]}><span>${t(`transferForm.${part}`)}</span> <span class="required-mark">${t(required ? 'questionnaire.required' : 'questionnaire.optional')}</span></label>
      <textarea id=${id[part]} rows=${required ? 3 : 2} maxlength=${max} required=${Boolean(required)} data-testid=${`transfer-${part}`}
          ref=${required ? situationRef : undefined}
          aria-describedby=${required ? `${hint} ${id.error}` : hint}
          aria-invalid=${required && invalid === 'situation' ? 'true' : undefined}
          value=${value} onInput=${(e) => { setNote({ ...note, [part]: e.target.value }); if (required && invalid === 'situation') clearError(); }}></textarea>
      <p class="hint small" id=${hint}>${t(`transferForm.${part}Hint`)} ${t('transferForm.limit', { n: max - value.length, max })}</p>
    </div>`;
  };
  return html`<div class="transfer">
    <div class="actions">
      <button type="button" ref=${toggleRef} data-testid="transfer-open" aria-expanded=${open ? 'true' : 'false'} aria-controls=${id.form}
          onClick=${() => (open ? close() : setOpen(true))}>${t('transferForm.open')}</button>
    </div>
    <form id=${id.form} class="transfer-form" novalidate hidden=${!open} aria-labelledby=${id.title} data-testid="transfer-form"
        onSubmit=${submit} onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } }}>
      <h3 id=${id.title}>${t('transferForm.title')}</h3>
      <p class="hint small">${t('transferForm.intro')}</p>
      <fieldset class="transfer-kind">
        <legend>${t('experts.targetKind')}</legend>
        ${['queue', 'colleague'].map((k) => html`<label><input type="radio" name=${`${id.form}-kind`} value=${k} checked=${kind === k}
            data-testid=${`transfer-kind-${k}`} onChange=${() => { setKind(k); clearError(); }} />${t(k === 'queue' ? 'experts.toQueue' : 'experts.toColleague')}</label>`)}
      </fieldset>
      ${kind === 'colleague' ? html`<div ref=${colleagueRef} data-testid="transfer-colleague">
        <${ExpertSearch} api=${panel.api} t=${t} label=${t('experts.colleague')} selectedId=${colleague?.id || null}
            onSelect=${(p) => { setColleague(p); if (invalid === 'target') clearError(); }} />
      </div>` : null}
      <div class="field" hidden=${kind !== 'queue'}>
        <label for=${id.target}><span>${t('transferForm.target')}</span> <span class="required-mark">${t('questionnaire.required')}</span></label>
        <select id=${id.target} ref=${targetRef} data-testid="transfer-target" required value=${target}
            aria-describedby=${id.error} aria-invalid=${invalid === 'target' ? 'true' : undefined}
            onChange=${(e) => { setTarget(e.target.value); if (invalid === 'target') clearError(); }}>
          <option value="">${t('transferForm.targetChoose')}</option>
          ${queues.map((q) => html`<option value=${q.id}>${panel.queueName(q.id) || q.id}${q.open === false ? ` (${t('transferForm.closedNow')})` : ''}</option>`)}
        </select>
      </div>
      <fieldset class="isbar">
        <legend>${t('transferForm.note')}</legend>
        ${ISBAR.map(field)}
      </fieldset>
      <p class="field-error" id=${id.error} role="alert" data-testid="transfer-error" hidden=${!error}>${error}</p>
      <div class="actions">
        <button type="submit" class="primary" data-testid="transfer-submit" disabled=${busy}>${t('transferForm.submit')}</button>
        <button type="button" onClick=${close}>${t('common.cancel')}</button>
      </div>
    </form>
  </div>`;
}
