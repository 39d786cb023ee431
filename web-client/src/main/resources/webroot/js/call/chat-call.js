// Video from a chat (docs/protocol.md, "Calls"): the console's "Start video call" in an open
// conversation (rtc.invite, then "Calling…" until the patient answers, then the call screen) and the
// patient's incoming-call prompt (an alertdialog: Accept video call / Decline) with the call screen over
// the chat. Ending, declining or a call that ends elsewhere returns to the chat.
import { html, useEffect, useRef, useState } from '../ui.js';
import { CallSession } from './call-session.js';
import { CallScreen } from './call-screen.js';

/** Reasons a call ended that the chat says in words (call.endedReason.<reason>); others say "ended". */
const REASONS = new Set(['declined', 'hangup', 'missed', 'timeout', 'call_ended', 'not_in_call', 'call_full']);

function endedText(t, reason) {
  const known = reason === 'hung_up' ? 'hangup' : reason; // the server's word for a hang-up
  return t(`call.endedReason.${REASONS.has(known) ? known : 'ended'}`);
}

/**
 * The console's part, inside a conversation pane: the start button, "Calling…", then the call screen.
 * @param live whether the conversation is ours to act in (assigned to us and active)
 * @param patientName how the patient is called in the texts
 */
export function ConsoleChatCall({ socket, conversationId, t, live, patientName }) {
  const [call, setCall] = useState(null); // {session, phase: 'calling'|'in-call'}
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const startRef = useRef(null);
  const cancelRef = useRef(null);
  const wasInCall = useRef(false);
  const current = useRef(null);
  current.current = call;

  useEffect(() => {
    if (!call) return undefined;
    const session = call.session;
    const onChange = () => {
      const s = session.state;
      if (s.phase === 'ended') {
        setCall(null);
        setNotice(s.endedByUs ? t('call.endedReason.hangup') : endedText(t, s.endedReason));
        return;
      }
      if (call.phase === 'calling' && s.peers.length > 0) setCall({ session, phase: 'in-call' });
    };
    session.addEventListener('change', onChange);
    onChange(); // what changed before this effect ran (a join refused at once)
    return () => session.removeEventListener('change', onChange);
  }, [call]);

  // back to the chat: the focus returns to the start button
  useEffect(() => {
    if (call) wasInCall.current = true;
    else if (wasInCall.current) {
      wasInCall.current = false;
      startRef.current?.focus();
    }
  }, [call]);

  // the conversation closed or was taken from us: the call goes with it
  useEffect(() => {
    if (!live && call) call.session.hangUp();
  }, [live]);
  useEffect(() => () => current.current?.session.hangUp(), []);
  useEffect(() => {
    if (call?.phase === 'calling') cancelRef.current?.focus();
  }, [call?.phase]);

  const start = async () => {
    setBusy(true);
    setNotice('');
    try {
      const reply = await socket.request({ type: 'rtc.invite', conversationId });
      const session = new CallSession({ socket, callId: reply.callId });
      setCall({ session, phase: 'calling' });
      await session.start({ audio: true, video: true });
    } catch (error) {
      setNotice(t(`call.error.${error.code}`) === `call.error.${error.code}` ? t('call.error.generic') : t(`call.error.${error.code}`));
    } finally {
      setBusy(false);
    }
  };

  if (call && call.phase === 'calling') {
    return html`<div class="call-calling" data-testid="call-calling">
      <p role="status" class="lead">${t('call.calling', { name: patientName })}</p>
      <div class="actions">
        <button type="button" class="danger" data-testid="call-cancel" ref=${cancelRef}
            onClick=${() => call.session.hangUp()}>${t('call.cancel')}</button>
      </div>
    </div>`;
  }
  if (call) return html`<${CallScreen} session=${call.session} t=${t} headingLevel=${3} heading=${t('call.titleWith', { name: patientName })} />`;
  return html`<div class="call-start">
    ${live ? html`<button type="button" ref=${startRef} data-testid="call-start" disabled=${busy} onClick=${start}>
      <span aria-hidden="true">▶ </span>${t('call.start')}</button>` : null}
    <p class="hint small" role="status" data-testid="call-notice">${notice}</p>
  </div>`;
}

/**
 * The patient's part, beside the chat: the incoming-call prompt and, once accepted, the call screen
 * over the chat.
 * @param attention the page's Attention (sound and title cue), optional
 * @param onClosed () => void, back to the chat (to put the focus in it)
 */
export function PatientChatCall({ socket, conversationId, t, attention = null, onClosed = () => {} }) {
  const [incoming, setIncoming] = useState(null); // rtc.incoming frame
  const [session, setSession] = useState(null);
  const [caller, setCaller] = useState('');
  const [notice, setNotice] = useState('');
  const dialogRef = useRef(null);
  const current = useRef(null);
  current.current = session;
  const ringing = useRef(null);
  ringing.current = incoming;

  useEffect(() => {
    const offIncoming = socket.on('rtc.incoming', (frame) => {
      if (frame.conversationId !== conversationId) return;
      setNotice('');
      setIncoming(frame);
      attention?.signal({ titleKey: 'call.incomingTitle', bodyKey: 'call.incomingBody', tag: 'kanava-call' });
    });
    const offEnded = socket.on('rtc.ended', (frame) => {
      // the professional gave up before we answered: the prompt goes, and the chat says so
      if (!ringing.current || ringing.current.callId !== frame.callId) return;
      setIncoming(null);
      setNotice(endedText(t, ['hangup', 'hung_up'].includes(frame.reason) ? 'missed' : frame.reason));
      onClosed();
    });
    return () => {
      offIncoming();
      offEnded();
    };
  }, [socket, conversationId]);

  useEffect(() => {
    if (incoming) dialogRef.current?.focus();
  }, [incoming]);

  useEffect(() => {
    if (!session) return undefined;
    const onChange = () => {
      if (session.state.phase !== 'ended') return;
      setSession(null);
      setNotice(session.state.endedByUs ? t('call.endedReason.hangup') : endedText(t, session.state.endedReason));
      onClosed();
    };
    session.addEventListener('change', onChange);
    onChange();
    return () => session.removeEventListener('change', onChange);
  }, [session]);
  useEffect(() => () => current.current?.hangUp(), []);

  const accept = async () => {
    const callId = incoming.callId;
    setCaller(incoming.from?.name || '');
    setIncoming(null);
    attention?.clear();
    const s = new CallSession({ socket, callId });
    setSession(s);
    try {
      await s.start({ audio: true, video: true });
    } catch (error) {
      // the session ended itself; its change event brings the chat back with the reason
    }
  };
  const decline = () => {
    socket.send({ type: 'rtc.decline', callId: incoming.callId });
    setIncoming(null);
    attention?.clear();
    setNotice(t('call.declinedByYou'));
    onClosed();
  };

  if (session) {
    return html`<div class="call-overlay" data-testid="call-overlay">
      <${CallScreen} session=${session} t=${t} heading=${t('call.titleWith', { name: caller || t('call.professional') })} />
    </div>`;
  }
  if (incoming) {
    const from = incoming.from || {};
    const who = from.name || t('call.professional');
    return html`<div class="call-incoming" role="alertdialog" aria-modal="false" aria-labelledby="call-incoming-title"
        aria-describedby="call-incoming-text" tabindex="-1" ref=${dialogRef} data-testid="call-incoming"
        onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); decline(); } }}>
      <h2 id="call-incoming-title">${t('call.incomingTitle')}</h2>
      <p id="call-incoming-text">${t('call.incomingText', { name: who })}</p>
      <div class="actions">
        <button type="button" class="primary" data-testid="call-accept" onClick=${accept}>${t('call.accept')}</button>
        <button type="button" data-testid="call-decline" onClick=${decline}>${t('call.decline')}</button>
      </div>
    </div>`;
  }
  return html`<p class="hint small" role="status" data-testid="call-notice">${notice}</p>`;
}
