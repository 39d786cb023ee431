// Partner referrals in the console (docs/protocol.md, "Partner referrals"):
// - ReferralForm: a nurse refers the client of an open conversation to a partner organisation, with
//   the client's consent (how it was given) and a reason; shown in the context pane;
// - ReferredClients: partner staff's list of the clients referred to their organisation (list pane);
// - PartnerReferralPane: for partner staff, a referral's reason, consent, outcome and visit notes,
//   in the context pane of the referral's thread (the conversation pane is the shared one), with the
//   conversation the referral was made in shown on request, read-only and as the client saw it.
// Text comes from the i18n bundles (keys referral.*).
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { uid, errorText } from '../dom.js';
import { formatDateTime } from '../format.js';
import { useLanguage } from './hooks.js';

export const CONSENT_METHODS = ['chat', 'phone', 'in_person', 'written'];
export const OUTCOMES = ['contacted', 'started', 'declined', 'completed'];
const NEXT = {
  referred: ['contacted', 'started', 'declined', 'completed'],
  contacted: ['started', 'declined', 'completed'],
  started: ['declined', 'completed'],
  declined: [],
  completed: [],
};

/** The text of a referral error code: the console's own for the referral codes, else the common one. */
function referralErrorText(error) {
  const key = `referral.error.${error && error.code}`;
  const text = t(key);
  return text === key ? errorText(error) : text;
}

function useIds(names) {
  const ids = useRef(null);
  if (!ids.current) ids.current = Object.fromEntries(names.map((n) => [n, uid(`referral-${n}`)]));
  return ids.current;
}

const when = (at) => (at ? formatDateTime(at) : '');

/** A referral's client as partner staff see it: the name of an identified client, else a reference. */
export function clientLabel(referral) {
  const client = referral.client || {};
  return client.name || t('referral.clientReference', { ref: client.reference || '' });
}

/** The nurse's form: refer the client of this open conversation to a partner organisation. */
export function ReferralForm({ panel }) {
  useLanguage();
  const id = useIds(['form', 'title', 'partner', 'method', 'note', 'reason', 'error', 'status']);
  const [partners, setPartners] = useState(null);
  const [partner, setPartner] = useState('');
  const [method, setMethod] = useState('');
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [invalid, setInvalid] = useState(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const refs = { partner: useRef(null), method: useRef(null), reason: useRef(null), toggle: useRef(null) };
  useEffect(() => { if (open) refs.partner.current?.focus(); }, [open]);

  useEffect(() => {
    let live = true;
    panel.api.get('/api/referrals/partners').then((list) => live && setPartners(list || [])).catch(() => live && setPartners([]));
    return () => { live = false; };
  }, []);

  if (partners !== null && partners.length === 0) return null;
  const fail = (text, field) => {
    setError(text);
    setInvalid(field);
    refs[field]?.current?.focus();
  };
  const submit = async (event) => {
    event.preventDefault();
    setError('');
    setDone('');
    if (!partner) return fail(t('referral.partnerMissing'), 'partner');
    if (!method) return fail(t('referral.consentMissing'), 'method');
    if (!reason.trim()) return fail(t('referral.reasonMissing'), 'reason');
    const consent = { method };
    if (note.trim()) consent.note = note.trim();
    setBusy(true);
    try {
      const made = await panel.api.request('POST', '/api/referrals', {
        body: { conversationId: panel.id, partnerOrganisationId: partner, consent, reason: reason.trim() },
      });
      setDone(t('referral.done', { organisation: made.partnerOrganisation.name }));
      setOpen(false);
      refs.toggle.current?.focus();
      setPartner('');
      setMethod('');
      setNote('');
      setReason('');
    } catch (e) {
      fail(referralErrorText(e), e.code === 'unknown_partner' || e.code === 'already_referred' ? 'partner' : 'reason');
    } finally {
      setBusy(false);
    }
    return undefined;
  };
  const clear = (field) => { if (invalid === field) setInvalid(null); };
  const close = () => { setOpen(false); setError(''); setInvalid(null); refs.toggle.current?.focus(); };
  return html`<div class="referral">
    <div class="actions">
      <button type="button" ref=${refs.toggle} data-testid="referral-open" aria-expanded=${open ? 'true' : 'false'} aria-controls=${id.form}
          onClick=${() => { setDone(''); if (open) close(); else setOpen(true); }}>${t('referral.formTitle')}</button>
    </div>
    <p class="hint" id=${id.status} role="status" data-testid="referral-done">${done}</p>
    <form id=${id.form} class="referral-form" novalidate hidden=${!open} aria-labelledby=${id.title} data-testid="referral-form"
        onSubmit=${submit} onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } }}>
    <h3 id=${id.title}>${t('referral.formTitle')}</h3>
    <div class="field">
      <label for=${id.partner}>${t('referral.partner')}</label>
      <select id=${id.partner} ref=${refs.partner} data-testid="referral-partner" required value=${partner}
          aria-describedby=${id.error} aria-invalid=${invalid === 'partner' ? 'true' : undefined}
          onChange=${(e) => { setPartner(e.target.value); clear('partner'); }}>
        <option value="">${t('referral.partnerChoose')}</option>
        ${(partners || []).map((p) => html`<option value=${p.id}>${p.name}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for=${id.method}>${t('referral.consentMethod')}</label>
      <select id=${id.method} ref=${refs.method} data-testid="referral-consent" required value=${method}
          aria-describedby=${id.error} aria-invalid=${invalid === 'method' ? 'true' : undefined}
          onChange=${(e) => { setMethod(e.target.value); clear('method'); }}>
        <option value="">${t('referral.consentChoose')}</option>
        ${CONSENT_METHODS.map((m) => html`<option value=${m}>${t(`referral.consent.${m}`)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for=${id.note}><span>${t('referral.consentNote')}</span> <span class="required-mark">${t('questionnaire.optional')}</span></label>
      <input id=${id.note} maxlength="500" data-testid="referral-consent-note" value=${note} onInput=${(e) => setNote(e.target.value)} />
    </div>
    <div class="field">
      <label for=${id.reason}>${t('referral.reason')}</label>
      <textarea id=${id.reason} ref=${refs.reason} rows="3" maxlength="2000" required data-testid="referral-reason"
          aria-describedby=${id.error} aria-invalid=${invalid === 'reason' ? 'true' : undefined}
          value=${reason} onInput=${(e) => { setReason(e.target.value); clear('reason'); }}></textarea>
    </div>
    <p class="field-error" id=${id.error} role="alert" hidden=${!error}>${error}</p>
    <button type="submit" data-testid="referral-submit" disabled=${busy}>${t('referral.submit')}</button>
  </form>
  </div>`;
}

/** Partner staff: the clients referred to their organisation; choosing one opens its conversation. */
export function ReferredClients({ api, onOpen, refreshKey = 0 }) {
  useLanguage();
  const [list, setList] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    api.get('/api/partner/referrals')
      .then((rows) => { if (live) { setList(rows || []); setError(''); } })
      .catch((e) => { if (live) { setList([]); setError(referralErrorText(e)); } });
    return () => { live = false; };
  }, [refreshKey]);
  return html`<section id="referred-clients" class="referred-clients" aria-labelledby="referred-title" data-testid="referred-clients">
    <h2 id="referred-title">${t('referral.listTitle')}</h2>
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
    ${list === null ? html`<p class="hint">${t('common.loading')}</p>` : null}
    ${list !== null && list.length === 0 && !error ? html`<p class="hint">${t('referral.listEmpty')}</p>` : null}
    <ul class="referral-list">
      ${(list || []).map((r) => html`<li key=${r.id} data-testid=${`referral-${r.id}`}>
        <button type="button" class="referral-open" onClick=${() => onOpen(r)}>
          <span class="referral-client">${clientLabel(r)}</span>
          <span class="hint">${t(`referral.outcome.${r.outcome}`)} · ${when(r.createdAt)}</span>
        </button>
        <p class="small">${r.reason}</p>
      </li>`)}
    </ul>
  </section>`;
}

/** Partner staff: the referral of the open conversation, its outcome and visit notes. */
export function PartnerReferralPane({ panel }) {
  useLanguage();
  const id = useIds(['outcome', 'note', 'error', 'status', 'notes']);
  const [referral, setReferral] = useState(panel.referral);
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    panel.api.get(`/api/referrals/${encodeURIComponent(panel.referral.id)}`).then((r) => live && setReferral(r)).catch(() => {});
    return () => { live = false; };
  }, [panel.referral.id]);
  const base = `/api/referrals/${encodeURIComponent(referral.id)}`;
  const act = async (work, okText) => {
    setError('');
    setStatus('');
    setBusy(true);
    try {
      await work();
      setReferral(await panel.api.get(base));
      setStatus(okText);
    } catch (e) {
      setError(referralErrorText(e));
    } finally {
      setBusy(false);
    }
  };
  const saveOutcome = (event) => {
    event.preventDefault();
    if (!outcome) { setError(t('referral.outcomeMissing')); return; }
    act(() => panel.api.request('PUT', `${base}/outcome`, { body: { outcome } }), t('referral.outcomeSaved')).then(() => setOutcome(''));
  };
  const saveNote = (event) => {
    event.preventDefault();
    if (!note.trim()) { setError(t('referral.noteMissing')); return; }
    act(() => panel.api.request('POST', `${base}/notes`, { body: { text: note.trim() } }), t('referral.noteSaved')).then(() => setNote(''));
  };
  const next = NEXT[referral.outcome] || [];
  const consent = referral.consent || {};
  return html`<section class="partner-referral" aria-labelledby=${id.notes} data-testid="partner-referral">
    <h3 id=${id.notes}>${t('referral.detailTitle')}</h3>
    <dl class="facts">
      <dt>${t('referral.client')}</dt><dd>${clientLabel(referral)}</dd>
      <dt>${t('referral.reason')}</dt><dd>${referral.reason}</dd>
      <dt>${t('referral.consentRecord')}</dt>
      <dd>${t('referral.consentBy', { method: t(`referral.consent.${consent.method}`), at: when(consent.at), who: referral.referredBy?.name || '' })}
        ${consent.note ? html`<br />${consent.note}` : null}</dd>
      <dt>${t('referral.outcomeNow')}</dt><dd data-testid="referral-outcome-now">${t(`referral.outcome.${referral.outcome}`)} · ${when(referral.outcomeAt)}</dd>
    </dl>
    <${SourceConversation} panel=${panel} conversationId=${referral.conversationId} />
    ${next.length > 0 ? html`<form class="referral-outcome" novalidate onSubmit=${saveOutcome}>
      <div class="field">
        <label for=${id.outcome}>${t('referral.outcomeLabel')}</label>
        <select id=${id.outcome} data-testid="referral-outcome" value=${outcome} aria-describedby=${id.error}
            onChange=${(e) => setOutcome(e.target.value)}>
          <option value="">${t('referral.outcomeChoose')}</option>
          ${next.map((o) => html`<option value=${o}>${t(`referral.outcome.${o}`)}</option>`)}
        </select>
      </div>
      <button type="submit" data-testid="referral-outcome-save" disabled=${busy}>${t('referral.outcomeSave')}</button>
    </form>` : null}
    <h4>${t('referral.notesTitle')}</h4>
    ${(referral.notes || []).length === 0 ? html`<p class="hint">${t('referral.notesEmpty')}</p>` : null}
    <ul class="referral-notes" data-testid="referral-notes">
      ${(referral.notes || []).map((n) => html`<li key=${n.id}><p>${n.text}</p><p class="hint small">${n.author} · ${when(n.at)}</p></li>`)}
    </ul>
    <form class="referral-note-form" novalidate onSubmit=${saveNote}>
      <div class="field">
        <label for=${id.note}>${t('referral.noteLabel')}</label>
        <textarea id=${id.note} rows="3" maxlength="4000" data-testid="referral-note" aria-describedby=${id.error}
            value=${note} onInput=${(e) => setNote(e.target.value)}></textarea>
      </div>
      <button type="submit" data-testid="referral-note-save" disabled=${busy}>${t('referral.noteSave')}</button>
    </form>
    <p class="field-error" id=${id.error} role="alert" hidden=${!error}>${error}</p>
    <p class="hint" id=${id.status} role="status">${status}</p>
  </section>`;
}

/**
 * The conversation the referral was made in, read-only and as the client saw it (the server leaves
 * out internal and handover notes for partner staff): shown on request, its read audited.
 */
function SourceConversation({ panel, conversationId }) {
  const [shown, setShown] = useState(false);
  const [messages, setMessages] = useState(null);
  const [failed, setFailed] = useState(false);
  const listId = useRef(uid('referral-source')).current;
  const toggle = async () => {
    if (shown) { setShown(false); return; }
    setShown(true);
    setFailed(false);
    try {
      setMessages((await panel.api.get(`/api/conversations/${encodeURIComponent(conversationId)}/messages?limit=500`)) || []);
    } catch (e) {
      setFailed(true);
    }
  };
  if (!conversationId) return null;
  const texts = (messages || []).filter((m) => m.kind === 'text');
  return html`<div class="referral-source">
    <button type="button" data-testid="referral-source-toggle" aria-expanded=${shown ? 'true' : 'false'} aria-controls=${listId}
      onClick=${toggle}>${t(shown ? 'referral.sourceHide' : 'referral.sourceShow')}</button>
    <div id=${listId} hidden=${!shown} data-testid="referral-source">
      <h4>${t('referral.sourceTitle')}</h4>
      ${failed ? html`<p class="field-error" role="alert">${t('referral.sourceFailed')}</p>` : null}
      ${messages && texts.length === 0 ? html`<p class="hint">${t('referral.sourceEmpty')}</p>` : null}
      <ol class="referral-source-lines">
        ${texts.map((m) => html`<li key=${m.seq}><span class="hint small">${m.sender?.kind === 'patient' ? t('referral.sourceClient')
          : (m.sender?.name || '')} · ${when(m.at)}</span><br />${m.text}</li>`)}
      </ol>
    </div>
  </div>`;
}
