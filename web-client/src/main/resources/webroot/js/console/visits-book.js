// Booking a visit (POST /api/visits): date, time, duration, channel, language, interpreter needed, and
// the patient: a new one by name (reached only by the join link), or the patient of a chat just closed
// with "appointment booked" (`from`: {conversationId, who, language}), whose patient, queue and
// language the server takes from the conversation. A chat visit is held as a conversation in a queue:
// booked for a new patient, it asks which of the professional's queues (docs/protocol.md, "A chat visit").
import { html, useEffect, useRef, useState } from '../ui.js';
import { t, localized } from '../i18n.js';
import { errorText, uid } from '../dom.js';
import { VISIT_LANGUAGES, CHANNELS, DURATIONS, toInstant, localTime } from './visits-format.js';

export function BookForm({ api, date, from, onBooked, onCancel, headingRef, served }) {
  const ids = useRef(null);
  if (!ids.current) ids.current = { form: uid('book'), error: uid('book-error') };
  const id = ids.current;
  const inFiveMinutes = new Date(Math.ceil((Date.now() + 5 * 60000) / 300000) * 300000);
  const [values, setValues] = useState({
    date, time: localTime(inFiveMinutes), duration: '30', channel: 'video',
    language: from?.language && VISIT_LANGUAGES.includes(from.language) ? from.language : 'fi', interpreter: false, patientName: '', queue: '',
  });
  // the queues a chat visit can be held in (GET /api/queues), loaded when a chat visit is first chosen
  const [queues, setQueues] = useState(null);
  const askQueue = values.channel === 'chat' && !from;
  useEffect(() => {
    if (!askQueue || queues) return;
    api.get('/api/queues').then((list) => {
      // the queues the professional serves first (the first of them chosen), then the others
      const mine = new Set(served ? served() : []);
      const own = [...(list || [])].sort((a, b) => Number(mine.has(b.id)) - Number(mine.has(a.id)));
      setQueues(own);
      setValues((v) => (v.queue || !own.length ? v : { ...v, queue: own[0].id }));
    }).catch(() => setQueues([]));
  }, [askQueue]);
  const [error, setError] = useState('');
  const [invalid, setInvalid] = useState(null);
  const [busy, setBusy] = useState(false);
  const refs = { time: useRef(null), patientName: useRef(null), date: useRef(null), queue: useRef(null) };
  const [languageChosen, setLanguageChosen] = useState(false); // from a chat, its own language unless another is chosen
  const change = (name) => (e) => {
    if (name === 'language') setLanguageChosen(true);
    setValues({ ...values, [name]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
    if (invalid === name) setInvalid(null);
  };
  const fail = (text, field) => {
    setError(text);
    setInvalid(field);
    refs[field]?.current?.focus();
  };

  async function submit(event) {
    event.preventDefault();
    setError('');
    if (!values.date) return fail(t('visit.book.dateMissing'), 'date');
    if (!values.time) return fail(t('visit.book.timeMissing'), 'time');
    if (!from && !values.patientName.trim()) return fail(t('visit.book.patientMissing'), 'patientName');
    if (askQueue && !values.queue) return fail(t('chatvisit.book.queueMissing'), 'queue');
    const body = {
      startsAt: toInstant(values.date, values.time), durationMinutes: Number(values.duration), channel: values.channel,
      language: values.language, interpreterNeeded: values.interpreter,
    };
    if (from) {
      body.conversationId = from.conversationId;
      if (!languageChosen && !from.language) delete body.language;
    } else {
      body.patientName = values.patientName.trim();
      if (askQueue) body.queueId = values.queue;
    }
    setBusy(true);
    try {
      const visit = await api.post('/api/visits', body);
      onBooked(visit);
    } catch (e) {
      setBusy(false);
      fail(errorText(e), null);
    }
    return undefined;
  }

  const field = (name, label, input) => html`<div class="field"><label for=${`${id.form}-${name}`}>${label}</label>${input}</div>`;
  const aria = (name) => ({ 'aria-invalid': invalid === name ? 'true' : undefined, 'aria-describedby': id.error });
  return html`<form class="visit-book" novalidate onSubmit=${submit} data-testid="visit-book-form" aria-labelledby=${`${id.form}-title`}>
    <h3 id=${`${id.form}-title`} tabindex="-1" ref=${headingRef}>${t(from ? 'visit.book.fromChatTitle' : 'visit.book.title')}</h3>
    ${from ? html`<p data-testid="visit-book-from">${t('visit.book.fromChat', { who: from.who || '' })}</p>`
      : field('patientName', t('visit.book.patientName'), html`<input id=${`${id.form}-patientName`} ref=${refs.patientName} maxlength="200"
          autocomplete="off" required data-testid="visit-book-patient" value=${values.patientName} onInput=${change('patientName')} ...${aria('patientName')} />`)}
    <div class="field-row">
      ${field('date', t('visit.book.date'), html`<input id=${`${id.form}-date`} type="date" ref=${refs.date} required data-testid="visit-book-date"
          value=${values.date} onInput=${change('date')} ...${aria('date')} />`)}
      ${field('time', t('visit.book.time'), html`<input id=${`${id.form}-time`} type="time" step="300" ref=${refs.time} required data-testid="visit-book-time"
          value=${values.time} onInput=${change('time')} ...${aria('time')} />`)}
      ${field('duration', t('visit.book.duration'), html`<select id=${`${id.form}-duration`} data-testid="visit-book-duration" value=${values.duration} onChange=${change('duration')}>
          ${DURATIONS.map((m) => html`<option value=${String(m)}>${t('visit.minutes', { minutes: m })}</option>`)}</select>`)}
    </div>
    <div class="field-row">
      ${field('channel', t('visit.book.channel'), html`<select id=${`${id.form}-channel`} data-testid="visit-book-channel" value=${values.channel} onChange=${change('channel')}>
          ${CHANNELS.map((c) => html`<option value=${c}>${t(`visit.channel.${c}`)}</option>`)}</select>`)}
      ${field('language', t('visit.book.language'), html`<select id=${`${id.form}-language`} data-testid="visit-book-language" value=${values.language} onChange=${change('language')}>
          ${VISIT_LANGUAGES.map((l) => html`<option value=${l}>${t(`visit.language.${l}`)}</option>`)}</select>`)}
    </div>
    ${askQueue ? field('queue', t('chatvisit.book.queue'), html`<select id=${`${id.form}-queue`} ref=${refs.queue} data-testid="visit-book-queue"
        value=${values.queue} onChange=${change('queue')} ...${aria('queue')}>
        ${(queues || []).map((q) => html`<option value=${q.id}>${localized(q.names) || q.id}</option>`)}</select>`) : null}
    <div class="check">
      <input type="checkbox" id=${`${id.form}-interpreter`} data-testid="visit-book-interpreter" checked=${values.interpreter} onChange=${change('interpreter')} />
      <label for=${`${id.form}-interpreter`}>${t('visit.book.interpreter')}</label>
    </div>
    <p class="field-error" id=${id.error} role="alert" hidden=${!error}>${error}</p>
    <div class="actions">
      <button type="submit" class="primary" data-testid="visit-book-submit" disabled=${busy}>${t('visit.book.submit')}</button>
      <button type="button" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}
