// One visit in the console's Visits view: its members with their network check, the waiting ones with
// Admit, "Running late" with minutes, Join call, the patient's join link (copy, or a new one), invite an
// interpreter, a relative or a colleague, reschedule and cancel. Actions go by REST (docs/protocol.md
// "Visits") or, for the waiting room, by socket frames; what changed comes back as visit.updated and
// visit.waiting-room pushes, which the view (visits.js) applies.
import { html, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { errorText, uid } from '../dom.js';
import { ExpertSearch } from './expert-search.js';
import { VisitCall } from '../visit/call-slot.js';
import {
  VISIT_LANGUAGES, DURATIONS, timeRange, stateText, memberLabel, checkText, waitingMembers, absoluteLink,
  localDate, localTime, toInstant,
} from './visits-format.js';
import { instant } from '../visit/session.js';

const OPEN_STATES = new Set(['booked', 'waiting', 'admitted']);

/** The join link: shown in a read-only field to copy (the region's own delivery sends it to the patient). */
function JoinLink({ link, onNew, busy }) {
  const ids = useRef(uid('link')).current;
  const [copied, setCopied] = useState('');
  const input = useRef(null);
  const copy = async () => {
    const url = absoluteLink(link.url);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(t('visit.link.copied'));
    } catch (e) {
      input.current.select();
      setCopied(t('visit.link.selected'));
    }
  };
  return html`<div class="visit-link">
    ${link ? html`<div class="field">
      <label for=${ids}>${t('visit.link.label')}</label>
      <input id=${ids} ref=${input} readonly value=${absoluteLink(link.url)} data-testid="visit-join-link" aria-describedby=${`${ids}-hint`} />
      <p class="hint small" id=${`${ids}-hint`}>${t('visit.link.hint')}</p>
    </div>` : html`<p class="hint">${t('visit.link.none')}</p>`}
    <div class="actions">
      ${link ? html`<button type="button" data-testid="visit-copy-link" onClick=${copy}>${t('visit.link.copy')}</button>` : null}
      <button type="button" data-testid="visit-new-link" disabled=${busy} onClick=${onNew}>${t('visit.link.new')}</button>
    </div>
    <p class="hint small" role="status">${copied}</p>
  </div>`;
}

function LateForm({ onSend }) {
  const id = useRef(uid('late')).current;
  const [minutes, setMinutes] = useState('10');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const n = Number(minutes);
    if (!Number.isInteger(n) || n < 1 || n > 240) {
      setError(t('visit.late.invalid'));
      return;
    }
    setError('');
    await onSend(n);
  };
  return html`<form class="inline" onSubmit=${submit} novalidate>
    <div class="field"><label for=${id}>${t('visit.late.minutes')}</label>
      <input id=${id} type="number" min="1" max="240" inputmode="numeric" value=${minutes} data-testid="visit-late-minutes"
          aria-invalid=${error ? 'true' : undefined} aria-describedby=${`${id}-error`} onInput=${(e) => setMinutes(e.target.value)} /></div>
    <button type="submit" data-testid="visit-late-send">${t('visit.late.send')}</button>
    <p class="field-error" id=${`${id}-error`} role="alert" hidden=${!error}>${error}</p>
  </form>`;
}

function InviteForm({ api, visit, onInvited, onCancel }) {
  const id = useRef(uid('invite')).current;
  const [kind, setKind] = useState('interpreter');
  const [name, setName] = useState('');
  const [lang, setLang] = useState('');
  const [colleague, setColleague] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const body = { kind };
    if (kind === 'colleague') {
      if (!colleague) return setError(t('visit.invite.colleagueMissing'));
      body.accountId = colleague.id;
    } else {
      if (!name.trim()) return setError(t('visit.invite.nameMissing'));
      body.name = name.trim();
      if (lang) body.language = lang;
    }
    setBusy(true);
    setError('');
    try {
      const reply = await api.post(`/api/visits/${visit.id}/members`, body);
      onInvited(reply);
    } catch (err) {
      setBusy(false);
      setError(errorText(err));
    }
    return undefined;
  };
  return html`<form onSubmit=${submit} novalidate data-testid="visit-invite-form" aria-labelledby=${`${id}-title`}>
    <h4 id=${`${id}-title`}>${t('visit.invite.title')}</h4>
    <div class="field"><label for=${`${id}-kind`}>${t('visit.invite.kind')}</label>
      <select id=${`${id}-kind`} value=${kind} data-testid="visit-invite-kind" onChange=${(e) => { setKind(e.target.value); setError(''); }}>
        ${['interpreter', 'relative', 'colleague'].map((k) => html`<option value=${k}>${t(`visit.kind.${k}`)}</option>`)}
      </select></div>
    ${kind === 'colleague'
      ? html`<${ExpertSearch} api=${api} t=${t} label=${t('visit.invite.colleague')} selectedId=${colleague?.id || ''} onSelect=${setColleague} />`
      : html`<div class="field"><label for=${`${id}-name`}>${t('visit.invite.name')}</label>
          <input id=${`${id}-name`} maxlength="200" value=${name} data-testid="visit-invite-name" onInput=${(e) => setName(e.target.value)} /></div>
        <div class="field"><label for=${`${id}-lang`}>${t('visit.invite.language')}</label>
          <select id=${`${id}-lang`} value=${lang} onChange=${(e) => setLang(e.target.value)}>
            <option value="">${t('visit.invite.languageNone')}</option>
            ${VISIT_LANGUAGES.map((l) => html`<option value=${l}>${t(`visit.language.${l}`)}</option>`)}
          </select></div>`}
    <p class="field-error" role="alert" hidden=${!error}>${error}</p>
    <div class="actions">
      <button type="submit" class="primary" disabled=${busy} data-testid="visit-invite-submit">${t('visit.invite.submit')}</button>
      <button type="button" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

function RescheduleForm({ visit, onSave, onCancel }) {
  const id = useRef(uid('resched')).current;
  const start = new Date(instant(visit.startsAt));
  const [date, setDate] = useState(localDate(start));
  const [time, setTime] = useState(localTime(start));
  const [duration, setDuration] = useState(String(visit.durationMinutes || 30));
  const submit = (e) => {
    e.preventDefault();
    onSave({ startsAt: toInstant(date, time), durationMinutes: Number(duration) });
  };
  return html`<form onSubmit=${submit} novalidate aria-labelledby=${`${id}-title`}>
    <h4 id=${`${id}-title`}>${t('visit.reschedule.title')}</h4>
    <div class="field"><label for=${`${id}-date`}>${t('visit.book.date')}</label>
      <input id=${`${id}-date`} type="date" value=${date} onInput=${(e) => setDate(e.target.value)} /></div>
    <div class="field"><label for=${`${id}-time`}>${t('visit.book.time')}</label>
      <input id=${`${id}-time`} type="time" step="300" value=${time} onInput=${(e) => setTime(e.target.value)} /></div>
    <div class="field"><label for=${`${id}-duration`}>${t('visit.book.duration')}</label>
      <select id=${`${id}-duration`} value=${duration} onChange=${(e) => setDuration(e.target.value)}>
        ${DURATIONS.map((m) => html`<option value=${String(m)}>${t('visit.minutes', { minutes: m })}</option>`)}</select></div>
    <div class="actions"><button type="submit" class="primary">${t('visit.reschedule.submit')}</button>
      <button type="button" onClick=${onCancel}>${t('common.cancel')}</button></div>
  </form>`;
}

function CancelForm({ onCancelVisit, onCancel }) {
  const id = useRef(uid('cancel')).current;
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const submit = (e) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError(t('visit.cancel.reasonMissing'));
      return;
    }
    onCancelVisit(reason.trim());
  };
  return html`<form onSubmit=${submit} novalidate aria-labelledby=${`${id}-title`}>
    <h4 id=${`${id}-title`}>${t('visit.cancel.title')}</h4>
    <div class="field"><label for=${`${id}-reason`}>${t('visit.cancel.reason')}</label>
      <input id=${`${id}-reason`} maxlength="500" value=${reason} data-testid="visit-cancel-reason" aria-invalid=${error ? 'true' : undefined}
          aria-describedby=${`${id}-error`} onInput=${(e) => setReason(e.target.value)} /></div>
    <p class="field-error" id=${`${id}-error`} role="alert" hidden=${!error}>${error}</p>
    <div class="actions"><button type="submit" class="danger" data-testid="visit-cancel-submit">${t('visit.cancel.submit')}</button>
      <button type="button" onClick=${onCancel}>${t('common.back')}</button></div>
  </form>`;
}

/**
 * @param visit the Visit (docs/protocol.md), kept current by the view
 * @param links the join links made here (visit id, or visit id:member id → {url, expiresAt})
 * @param act  (name, fn) => runs an action, shows its error, announces success
 */
export function VisitDetail({ api, socket, visit, links, setLink, changed, act, headingRef, inCall, setInCall }) {
  const [form, setForm] = useState(null); // 'invite', 'reschedule', 'cancel'
  const open = OPEN_STATES.has(visit.state);
  const waiting = waitingMembers(visit);
  const titleId = `visit-detail-title-${visit.id}`;
  const patientName = visit.patient?.name || t('visit.kind.patient');

  const admit = (member) => act(t('visit.admitted', { name: member.name || t(`visit.kind.${member.kind}`) }),
    async () => {
      await socket.request({ type: 'visit.admit', visitId: visit.id, memberId: member.id });
      // the room's push says who still waits; the visit's own state (admitted) is read again
      changed(await api.get(`/api/visits/${visit.id}`));
    });
  const late = (minutes) => act(t('visit.late.sent', { minutes }), () => socket.request({ type: 'visit.late', visitId: visit.id, minutes }));
  const newLink = () => act(t('visit.link.made'), async () => setLink(visit.id, await api.post(`/api/visits/${visit.id}/link`, {})));
  const reschedule = (body) => act(t('visit.reschedule.done'), async () => {
    changed(await api.post(`/api/visits/${visit.id}/reschedule`, body));
    setForm(null);
  });
  const cancel = (reason) => act(t('visit.cancel.done'), async () => {
    changed(await api.post(`/api/visits/${visit.id}/cancel`, { reason }));
    setForm(null);
  });
  const invited = (reply) => {
    if (reply.member) changed({ ...visit, members: [...(visit.members || []).filter((m) => m.id !== reply.member.id), reply.member] });
    if (reply.joinLink) setLink(`${visit.id}:${reply.member?.id}`, reply.joinLink);
    setForm(null);
    act(t('visit.invite.done', { name: reply.member?.name || '' }), async () => {});
  };

  return html`<section class="visit-detail" aria-labelledby=${titleId} data-testid=${`visit-detail-${visit.id}`}>
    <h3 id=${titleId} tabindex="-1" ref=${headingRef}>${t('visit.detail.title', { who: patientName, time: timeRange(visit) })}</h3>
    <p data-testid="visit-detail-state">${stateText(visit)} · ${t(`visit.channel.${visit.channel}`)} · ${t(`visit.language.${visit.language}`)}
      ${visit.interpreterNeeded ? ` · ${t('visit.interpreterNeeded')}` : ''}</p>

    ${waiting.length ? html`<section aria-labelledby=${`${titleId}-waiting`} data-testid="visit-waiting-room">
      <h4 id=${`${titleId}-waiting`}>${t('visit.waitingRoom.title', { n: waiting.length })}</h4>
      <ul class="visit-waiting-list">${waiting.map((m) => html`<li class="visit-member" data-testid=${`visit-waiting-${m.id}`}>
        <p><strong>${memberLabel(m)}</strong></p>
        <p data-testid="visit-waiting-check">${checkText(m)}</p>
        <div class="actions"><button type="button" class="primary" data-testid="visit-admit"
            aria-label=${t('visit.admitWho', { name: m.name || t(`visit.kind.${m.kind}`) })} onClick=${() => admit(m)}>${t('visit.admit')}</button></div>
      </li>`)}</ul>
      <${LateForm} onSend=${late} />
    </section>` : null}

    ${open ? html`<div class="actions">
      <button type="button" class="primary" data-testid="visit-join-call" aria-pressed=${inCall ? 'true' : 'false'}
          onClick=${() => setInCall(!inCall)}>${t(inCall ? 'visit.call.hide' : 'visit.call.join')}</button>
    </div>` : null}
    ${inCall ? html`<div class="visit-call-pane" data-testid="visit-call-pane">
      <${VisitCall} socket=${socket} visitId=${visit.id} callId=${visit.callId} media=${{ audio: true, video: true }} onEnded=${() => setInCall(false)} />
    </div>` : null}

    <h4>${t('visit.members.title')}</h4>
    <ul class="visit-members" data-testid="visit-members">${(visit.members || []).map((m) => html`<li class="visit-member">
      <p><strong>${memberLabel(m)}</strong>${m.waiting ? html` · <span class="visit-waiting-mark">${t('visit.waitingNow')}</span>` : ''}
        ${m.admittedAt ? ` · ${t('visit.inCall')}` : ''}</p>
      ${m.kind !== 'professional' && m.kind !== 'colleague' ? html`<p class="small">${checkText(m)}</p>` : null}
      ${links.get(`${visit.id}:${m.id}`) ? html`<p class="small">${t('visit.link.forMember')}
        <input readonly aria-label=${t('visit.link.forWho', { name: m.name || '' })} value=${absoluteLink(links.get(`${visit.id}:${m.id}`).url)} /></p>` : null}
    </li>`)}</ul>

    ${open ? html`<h4>${t('visit.link.title')}</h4>
      <${JoinLink} link=${links.get(visit.id) || null} onNew=${newLink} />
      <div class="actions">
        <button type="button" data-testid="visit-invite-open" aria-expanded=${form === 'invite'} onClick=${() => setForm(form === 'invite' ? null : 'invite')}>${t('visit.invite.open')}</button>
        <button type="button" data-testid="visit-reschedule-open" aria-expanded=${form === 'reschedule'} onClick=${() => setForm(form === 'reschedule' ? null : 'reschedule')}>${t('visit.reschedule.open')}</button>
        <button type="button" class="danger" data-testid="visit-cancel-open" aria-expanded=${form === 'cancel'} onClick=${() => setForm(form === 'cancel' ? null : 'cancel')}>${t('visit.cancel.open')}</button>
      </div>
      ${form === 'invite' ? html`<${InviteForm} api=${api} visit=${visit} onInvited=${invited} onCancel=${() => setForm(null)} />` : null}
      ${form === 'reschedule' ? html`<${RescheduleForm} visit=${visit} onSave=${reschedule} onCancel=${() => setForm(null)} />` : null}
      ${form === 'cancel' ? html`<${CancelForm} onCancelVisit=${cancel} onCancel=${() => setForm(null)} />` : null}` : null}
  </section>`;
}
