// Video from a chat (docs/protocol.md, "Calls"): the console's "Start video call" in an open
// conversation (rtc.invite, then "Calling…" until the patient answers, then the call screen) and the
// patient's incoming-call prompt (an alertdialog: Accept video call / Decline) with the call screen over
// the chat. Ending, declining or a call that ends elsewhere returns to the chat. In a call, the console
// can bring in a colleague who may see the chat (rtc.invite-colleague; InviteColleague below).
import { html, useEffect, useRef, useState } from '../ui.js';
import { CallSession } from './call-session.js';
import { CallScreen } from './call-screen.js';
import { ExpertSearch } from '../console/expert-search.js';
import { uid } from '../dom.js';

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
 * @param api the console's Api, for the colleague picker (GET /api/professionals); without it no invitations
 */
export function ConsoleChatCall({ socket, conversationId, t, live, patientName, api = null }) {
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
  if (call) {
    return html`<div class="chat-call">
      <${CallScreen} session=${call.session} t=${t} headingLevel=${3} heading=${t('call.titleWith', { name: patientName })}
          nameFor=${(peer) => (peer.role === 'patient' ? patientName : null)} />
      ${api ? html`<${InviteColleague} socket=${socket} api=${api} t=${t} callId=${call.session.callId} />` : null}
    </div>`;
  }
  return html`<div class="call-start">
    ${live ? html`<button type="button" ref=${startRef} data-testid="call-start" disabled=${busy} onClick=${start}>
      <span aria-hidden="true">▶ </span>${t('call.start')}</button>` : null}
    <p class="hint small" role="status" data-testid="call-notice">${notice}</p>
  </div>`;
}

/** Codes of a refused invitation that the console says in words (rtcmore.error.<code>); others say it failed. */
const INVITE_ERRORS = new Set(['forbidden', 'call_full', 'already_member', 'call_ended', 'unknown_professional']);

/**
 * "Invite a colleague" in a running chat call: a disclosure with the expert search (a group of radio
 * buttons, js/console/expert-search.js) and Invite / Cancel; the result is said in a status line. Only
 * a colleague who may see the chat (a consultant of it, say) can be invited; the server decides
 * (rtc.invite-colleague) and the refusal is said in words. Escape or Cancel closes it and puts the
 * focus back on the button.
 */
function InviteColleague({ socket, api, t, callId }) {
  const ids = useRef(null);
  if (!ids.current) ids.current = { panel: uid('invite-colleague') };
  const [open, setOpen] = useState(false);
  const [colleague, setColleague] = useState(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const toggleRef = useRef(null);
  const panelRef = useRef(null);

  useEffect(() => {
    if (open) panelRef.current?.querySelector('input')?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    setColleague(null);
    toggleRef.current?.focus();
  };
  const invite = async () => {
    if (!colleague || !callId) return;
    setBusy(true);
    try {
      const reply = await socket.request({ type: 'rtc.invite-colleague', callId, accountId: colleague.id });
      setNotice(t('rtcmore.invited', { name: reply.colleague?.name || colleague.name }));
      close();
    } catch (error) {
      setNotice(t(INVITE_ERRORS.has(error?.code) ? `rtcmore.error.${error.code}` : 'rtcmore.error.generic'));
    } finally {
      setBusy(false);
    }
  };

  return html`<div class="invite-colleague" data-testid="invite-colleague">
    <button type="button" ref=${toggleRef} data-testid="invite-colleague-open" aria-expanded=${open ? 'true' : 'false'}
        aria-controls=${ids.current.panel} onClick=${() => (open ? close() : setOpen(true))}>${t('rtcmore.invite')}</button>
    <div id=${ids.current.panel} ref=${panelRef} hidden=${!open}
        onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } }}>
      ${open ? html`<${ExpertSearch} api=${api} t=${t} label=${t('rtcmore.colleague')} selectedId=${colleague?.id || null}
          onSelect=${(p) => { setColleague(p); setNotice(''); }} />` : null}
      <p class="hint small">${t('rtcmore.hint')}</p>
      <div class="actions">
        <button type="button" class="primary" data-testid="invite-colleague-send" disabled=${!colleague || busy}
            onClick=${invite}>${t('rtcmore.send')}</button>
        <button type="button" data-testid="invite-colleague-cancel" onClick=${close}>${t('rtcmore.cancel')}</button>
      </div>
    </div>
    <p class="hint small" role="status" data-testid="invite-colleague-notice">${notice}</p>
  </div>`;
}

/**
 * The patient's part, beside the chat: the incoming-call prompt and, once accepted, the call screen
 * over the chat.
 * @param conversationId the chat whose calls ring here; null: any (a colleague invited into calls)
 * @param attention the page's Attention (sound and title cue), optional
 * @param onClosed () => void, back to the chat (to put the focus in it)
 * @param declines whether Decline ends the call (the patient's rtc.decline); otherwise it only dismisses the prompt
 * @param noticeId the test id of the status line (a page with two of these tells them apart)
 */
export function PatientChatCall({ socket, conversationId, t, attention = null, onClosed = () => {}, declines = true,
  noticeId = 'call-notice' }) {
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
      if (conversationId && frame.conversationId !== conversationId) return;
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
    if (declines) socket.send({ type: 'rtc.decline', callId: incoming.callId });
    setIncoming(null);
    attention?.clear();
    setNotice(declines ? t('call.declinedByYou') : '');
    onClosed();
  };

  if (session) {
    return html`<div class="call-overlay" data-testid="call-overlay">
      <${CallScreen} session=${session} t=${t} heading=${t('call.titleWith', { name: caller || t('call.professional') })}
          nameFor=${(peer) => (peer.role === 'patient' ? t('patientKind.anonymous') : null)} />
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
  return html`<p class="hint small call-notice" role="status" data-testid=${noticeId}>${notice}</p>`;
}

/**
 * The console's ring for a colleague invited into a chat call (rtc.invite-colleague): the same prompt
 * and call screen as the patient's; "Decline" only dismisses the prompt, the call goes on without them.
 */
export function ColleagueChatCall({ socket, t, attention = null }) {
  return html`<${PatientChatCall} socket=${socket} conversationId=${null} t=${t} attention=${attention} declines=${false}
      noticeId="colleague-call-notice" />`;
}
