// The patient's visit page as one Preact component, VisitApp: the join code is exchanged for a
// short session, then a device check, a network check, the waiting room ("the professional will let
// you in", and a late notice), and the call once admitted. All state lives in the component; the API
// (VisitApi) and the socket are made once per page. The server says where a patient belongs: after
// a dropped connection visit.watch answers "waiting" (back to the room) or "admitted" (straight back in).
// A completed visit asks the patient and relatives for feedback (feedback.ask): the shared form on the end screen;
// a page opened again after the end learns it from visit.get and asks again (feedback.pending).
// A chat visit skips the device and network checks and, once admitted, is its conversation (VisitChat).
import { html, render, useEffect, useRef, useState } from '../ui.js';
import { t, LANGUAGES, preferredLanguage, setLanguage, languagePicker } from '../i18n.js';
import { errorText } from '../dom.js';
import { KanavaSocket } from '../socket.js';
import { ConnectionIndicator } from '../connection.js';
import { useLanguage } from '../console/hooks.js';
import { VisitApi, instant } from './session.js';
import { DeviceCheck } from './devices.js';
import { NetworkCheck, networkCheckText } from './network.js';
import { VisitCall } from './call-slot.js';
import { VisitChat } from './chat-slot.js';
import { FeedbackForm, feedbackDone } from '../feedback-form.js';

/** Starts the page: the language and its picker, the connection indicator, then the visit. */
export async function startVisitPage(code) {
  try {
    await setLanguage(preferredLanguage());
  } catch (e) {
    // Without a bundle the keys show; the page still works.
  }
  const picker = document.getElementById('language');
  languagePicker(picker);
  picker.addEventListener('change', () => {
    picker.dataset.chosen = '1';
  });
  const api = new VisitApi();
  const socket = new KanavaSocket(api);
  render(html`<${ConnectionIndicator} socket=${socket} />`, document.getElementById('connection'));
  const slot = document.getElementById('visit-app');
  slot.replaceChildren();
  render(html`<${VisitApp} api=${api} socket=${socket} code=${code} picker=${picker} />`, slot);
}

const CLOSED = new Set(['completed', 'cancelled', 'no_show']);

function formatTime(value) {
  if (!value) return '';
  return new Intl.DateTimeFormat(document.documentElement.lang || 'fi', { dateStyle: 'full', timeStyle: 'short' }).format(new Date(instant(value)));
}

/** The visit in brief: when, with whom. */
function VisitFacts({ visit }) {
  if (!visit) return null;
  const pros = (visit.professionals || []).map((p) => [p.name, p.role ? t(`role.${p.role}`) : ''].filter(Boolean).join(', '));
  return html`<dl class="facts visit-facts" data-testid="visit-facts">
    <dt>${t('visit.facts.time')}</dt><dd>${formatTime(visit.startsAt)}</dd>
    ${pros.length ? html`<dt>${t('visit.facts.professional')}</dt><dd>${pros.join('; ')}</dd>` : null}
  </dl>`;
}

export function VisitApp({ api, socket, code, picker }) {
  useLanguage();
  const [phase, setPhase] = useState('start'); // start, invalid, devices, network, waiting, call, ended, cancelled, session-ended, error
  const [visitId, setVisitId] = useState(null);
  const [visit, setVisit] = useState(null); // PatientVisit
  const [late, setLate] = useState(null);
  const [callId, setCallId] = useState(null);
  // a chat visit's conversation, named by the admission's visit.status
  const [chatId, setChatId] = useState(null);
  const [media, setMedia] = useState(null);
  const [error, setError] = useState('');
  const [callKey, setCallKey] = useState(0);
  // heavy loss in the network check: the call offers audio only from its start
  const [poorNetwork, setPoorNetwork] = useState(false);
  // the statements of feedback.ask, once the completed visit asks us
  const [feedback, setFeedback] = useState(null);
  // answered or skipped (also in an earlier load of this tab): the end text no longer asks
  const [feedbackSettled, setFeedbackSettled] = useState(null);
  const heading = useRef(null);
  const st = useRef({ phase: 'start', visitId: null });
  st.current.phase = phase;
  st.current.visitId = visitId;

  // each new step's heading takes the focus, so a screen reader says where the patient is
  useEffect(() => {
    if (phase !== 'start' && heading.current) heading.current.focus();
  }, [phase]);

  function showVisit(v) {
    if (!v) return;
    setVisit(v);
    const lang = v.language;
    if (lang && LANGUAGES.some((l) => l.code === lang) && !picker.dataset.chosen && document.documentElement.lang !== lang) {
      setLanguage(lang).then(() => {
        picker.value = lang;
      }).catch(() => {});
    }
  }

  /** A visit.status (the reply to arrive or watch, or a push): where the patient belongs now. */
  function onStatus(frame) {
    if (frame.visitId && st.current.visitId && frame.visitId !== st.current.visitId) return;
    if (frame.visit) showVisit(frame.visit);
    const state = frame.state || frame.visit?.state;
    setLate(typeof frame.lateMinutes === 'number' ? frame.lateMinutes : null);
    const now = st.current.phase;
    if (state === 'cancelled' || state === 'no_show') setPhase('cancelled');
    else if (state === 'completed') setPhase('ended');
    else if (state === 'admitted' && frame.conversationId && ['waiting', 'chat'].includes(now)) {
      setChatId(frame.conversationId);
      setPhase('chat');
    } else if (state === 'admitted' && ['waiting', 'call'].includes(now)) {
      if (frame.callId) setCallId(frame.callId);
      setPhase('call');
    } else if (state === 'waiting' && now === 'call') setPhase('waiting');
  }

  /** The call ended or we left it: the server says whether it goes on without us (rejoin), we wait again, or the visit is over. */
  async function callEnded() {
    try {
      const frame = await socket.request({ type: 'visit.watch', visitId: st.current.visitId });
      const state = frame.state || frame.visit?.state;
      if (frame.visit) showVisit(frame.visit);
      if (state === 'waiting') setPhase('waiting');
      else if (state === 'admitted') setPhase('left');
      else setPhase(state === 'cancelled' ? 'cancelled' : 'ended');
    } catch (e) {
      setPhase('ended');
    }
  }

  async function arrive(check) {
    if (check && typeof check.lossPercent === 'number') setPoorNetwork(check.lossPercent >= 10);
    setPhase('waiting');
    try {
      onStatus(await socket.request({ type: 'visit.arrive', visitId: st.current.visitId }));
    } catch (e) {
      if (e.code === 'visit_closed') setPhase('cancelled');
      else setError(errorText(e));
    }
  }

  useEffect(() => {
    const offs = [
      socket.on('visit.status', (frame) => {
        if (!frame.ref) onStatus(frame);
      }),
      socket.on('feedback.ask', (frame) => {
        if (frame.visitId === st.current.visitId) setFeedback(frame.statements || []);
      }),
    ];
    // after a reconnect the server says again where we are (the room, or straight back into the call)
    socket.onReady(() => {
      const { phase: now, visitId: id } = st.current;
      if (id && ['waiting', 'call', 'chat'].includes(now)) socket.request({ type: 'visit.watch', visitId: id }).then(onStatus).catch(() => {});
    });
    const ended = () => setPhase((now) => (CLOSED.has(now) || ['ended', 'cancelled', 'invalid'].includes(now) ? now : 'session-ended'));
    api.addEventListener('signedout', ended);
    start();
    return () => {
      offs.forEach((off) => off());
      api.removeEventListener('signedout', ended);
    };
  }, []);

  async function start() {
    let id = null;
    try {
      id = code ? await api.exchange(code) : api.resume();
    } catch (e) {
      if (e.code === 'code_invalid') setPhase('invalid');
      else {
        setError(errorText(e));
        setPhase('error');
      }
      return;
    }
    if (!id) {
      setPhase('invalid');
      return;
    }
    setVisitId(id);
    st.current.visitId = id;
    socket.start();
    // where the visit stands, without arriving (visit.get): a page opened again after the end goes
    // straight to the end, and asks again for feedback not yet given (feedback.pending)
    try {
      const frame = await socket.request({ type: 'visit.get', visitId: id });
      if (frame.visit) showVisit(frame.visit);
      if (frame.state === 'completed') {
        setPhase('ended');
        socket.request({ type: 'feedback.pending', visitId: id }).then((ask) => setFeedback(ask.statements || [])).catch(() => {});
        return;
      }
      if (frame.state === 'cancelled' || frame.state === 'no_show') {
        setPhase('cancelled');
        return;
      }
      // a chat visit needs no camera, microphone or network check: straight to the waiting room
      if (frame.visit?.channel === 'chat') {
        arrive(null);
        return;
      }
    } catch (e) {
      // the checks go on; arriving says what is wrong
    }
    setPhase('devices');
  }

  let body;
  if (phase === 'start') {
    body = html`<section class="visit-step" aria-labelledby="visit-start-title">
      <h2 id="visit-start-title">${t('visit.start.title')}</h2>
      <p>${t('visit.start.intro')}</p>
      <p class="hint" role="status">${t('visit.start.loading')}</p></section>`;
  } else if (phase === 'invalid') {
    body = html`<section class="visit-step" aria-labelledby="visit-invalid-title" data-testid="visit-invalid">
      <h2 id="visit-invalid-title" tabindex="-1" ref=${heading}>${t('visit.invalid.title')}</h2>
      <p>${t('visit.invalid.text')}</p>
      <p class="emergency-hint">${t('start.emergencyHint')}</p></section>`;
  } else if (phase === 'error') {
    body = html`<section class="visit-step" aria-labelledby="visit-error-title" data-testid="visit-error">
      <h2 id="visit-error-title" tabindex="-1" ref=${heading}>${t('visit.error.title')}</h2>
      <p role="alert">${error}</p>
      <div class="actions"><button type="button" class="primary" onClick=${() => { setPhase('start'); start(); }}>${t('visit.error.again')}</button></div>
    </section>`;
  } else if (phase === 'devices') {
    body = html`<${VisitFacts} visit=${visit} /><${DeviceCheck} headingRef=${heading} onDone=${(m) => { setMedia(m); setPhase('network'); }} />`;
  } else if (phase === 'network') {
    body = html`<${VisitFacts} visit=${visit} /><${NetworkCheck} socket=${socket} visitId=${visitId} headingRef=${heading} onDone=${arrive} />`;
  } else if (phase === 'waiting') {
    body = html`<section class="visit-step" aria-labelledby="visit-waiting-title" data-testid="visit-waiting">
      <h2 id="visit-waiting-title" tabindex="-1" ref=${heading}>${t('visit.waiting.title')}</h2>
      <p class="lead">${t('visit.waiting.text')}</p>
      <${VisitFacts} visit=${visit} />
      <p role="status" aria-live="polite" class=${late ? 'notice' : ''} data-testid="visit-late">${late ? t('visit.waiting.late', { minutes: late }) : ''}</p>
      ${error ? html`<p class="alert" role="alert">${error}</p>` : null}
      <p class="hint">${t(visit?.channel === 'chat' ? 'chatvisit.keepOpen' : 'visit.waiting.keepOpen')}</p>
    </section>`;
  } else if (phase === 'call') {
    body = html`<section class="visit-step visit-call" aria-labelledby="visit-call-title" data-testid="visit-call">
      <h2 id="visit-call-title" tabindex="-1" ref=${heading}>${t('visit.call.title')}</h2>
      <${VisitCall} socket=${socket} visitId=${visitId} callId=${callId} media=${media} poorNetwork=${poorNetwork}
          key=${callKey} onEnded=${callEnded} />
    </section>`;
  } else if (phase === 'chat') {
    body = html`<${VisitChat} socket=${socket} conversationId=${chatId} headingRef=${heading} />`;
  } else if (phase === 'left') {
    body = html`<section class="visit-step" aria-labelledby="visit-left-title" data-testid="visit-left">
      <h2 id="visit-left-title" tabindex="-1" ref=${heading}>${t('visit.left.title')}</h2>
      <p>${t('visit.left.text')}</p>
      <div class="actions"><button type="button" class="primary" data-testid="visit-rejoin"
          onClick=${() => { setCallKey((n) => n + 1); setPhase('call'); }}>${t('visit.left.rejoin')}</button></div>
    </section>`;
  } else {
    const key = phase === 'cancelled' ? 'cancelled' : phase === 'ended' ? 'ended' : 'sessionEnded';
    body = html`<section class="visit-step" aria-labelledby="visit-end-title" data-testid=${`visit-${phase}`}>
      <h2 id="visit-end-title" tabindex="-1" ref=${heading}>${t(`visit.${key}.title`)}</h2>
      <p>${t(phase === 'ended' && feedback && !(feedbackSettled || feedbackDone(visitId)) ? 'visitfb.ended.text' : `visit.${key}.text`)}</p>
      <${VisitFacts} visit=${visit} />
      ${phase === 'ended' && feedback ? html`<${FeedbackForm} about=${{ visitId }} statements=${feedback}
        request=${(frame) => socket.request(frame)} onSettled=${setFeedbackSettled} />` : null}</section>`;
  }
  return html`${body}`;
}
