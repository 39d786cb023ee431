// The call screen of a visit, for the patient's page and the console's Visits view alike. CallSession
// and CallScreen are the call module's (js/call/, docs/video.md); they are loaded when a call is
// joined, and until that module is on the server a plain notice stands in their place.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';

let loading = null;

/** The call module ({CallSession, CallScreen}), or null when the server does not have it. */
export function loadCallModule() {
  if (!loading) {
    loading = Promise.all([import('../call/call-session.js'), import('../call/call-screen.js')])
      .then(([session, screen]) => ({ CallSession: session.CallSession, CallScreen: screen.CallScreen }))
      .catch(() => null);
  }
  return loading;
}

/**
 * Joins the visit's call and shows it. `media` is what the device check chose ({audio, video,
 * audioDeviceId, videoDeviceId}); `poorNetwork` (the network check lost 10% or more) makes the call
 * offer audio only from its start; `onEnded` runs when the call ends or is left.
 */
export function VisitCall({ socket, visitId, callId, media, poorNetwork, onEnded }) {
  const [module, setModule] = useState(undefined); // undefined while loading, null when missing
  const [, setTick] = useState(0);
  const session = useRef(null);
  // The visit's callId often arrives after joining by the visit (the console reads the visit again when
  // someone is invited or admitted): that is the call already joined, so the session goes on instead of
  // hanging up and joining again. A new visit, or a different call once this one ended, joins anew.
  const joined = useRef(null);
  const open = session.current;
  const sameCall = open && joined.current?.visitId === visitId && open.state.phase !== 'ended'
    && (!callId || !open.callId || open.callId === callId);
  if (!sameCall) joined.current = { visitId, key: `${visitId}:${callId || ''}` };
  useEffect(() => {
    let live = true;
    loadCallModule().then((m) => {
      if (!live) return;
      setModule(m);
      if (!m) return;
      // the network check lost many pings: the call offers audio only at once, as live stats would after a few seconds
      const options = { socket, poorNetwork: Boolean(poorNetwork && media?.video !== false), onChange: () => setTick((n) => n + 1) };
      if (callId) options.callId = callId;
      else options.visitId = visitId;
      session.current = new m.CallSession(options);
      session.current.start({ audio: true, video: media?.video !== false, ...media });
    });
    return () => {
      live = false;
      const s = session.current;
      if (s && s.state?.phase !== 'ended') s.hangUp();
    };
  }, [joined.current.key]);

  if (module === undefined) return html`<p class="hint" role="status">${t('visit.call.joining')}</p>`;
  if (module === null) {
    return html`<div class="notice" data-testid="call-unavailable">
      <p>${t('visit.call.unavailable')}</p>
      <div class="actions"><button type="button" onClick=${() => onEnded?.()}>${t('visit.call.leave')}</button></div>
    </div>`;
  }
  return session.current ? html`<${module.CallScreen} session=${session.current} t=${t} onEnded=${onEnded} />` : null;
}
