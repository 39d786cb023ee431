// The call screen: a tile per member (their video, or their name when the camera is off, with what is
// off said in text), our own preview (muted), and the controls: Mute, Camera off, Audio only (toggle
// buttons with aria-pressed) and Hang up. A polite live region says who joined or left and when the
// connection is being restored; an alert offers audio only when the line loses too much. At 360 px the
// tiles stack and the controls stay on screen (a sticky bar). Texts come from the page's t (bundle keys
// `call.*`). The CallSession (call-session.js) owns the call; this component only shows it.
import { html, useEffect, useReducer, useRef, useState } from '../ui.js';
import { uid } from '../dom.js';

// The call's styles come with its modules (a page that links css/call.css itself keeps its own link).
if (!document.querySelector('link[href="/css/call.css"]')) {
  document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/css/call.css' }));
}

/**
 * @param session a started (or starting) CallSession
 * @param t the bundle lookup (i18n.js t)
 * @param onEnded (state) => void, once the call has ended (hung up here, by the others, or declined)
 * @param heading optional text of the screen's heading (default: call.title)
 * @param headingLevel 2 (default), or 3 inside a pane that has its own h2
 * @param nameFor optional (peer) => the page's own name for a peer the server names not (an anonymous patient), or null
 */
export function CallScreen({ session, t, onEnded, heading, headingLevel = 2, nameFor = null }) {
  const [, changed] = useReducer((n) => n + 1, 0);
  const [announcement, setAnnouncement] = useState('');
  const headingRef = useRef(null);
  const endedRef = useRef(false);
  const previousPhase = useRef(session.state.phase);
  const headingId = useRef(null);
  headingId.current ??= uid('call-heading');
  const label = (peer) => peer.name || (nameFor && nameFor(peer)) || t('call.someone');

  useEffect(() => {
    const onChange = (event) => {
      const { joined, left } = event.detail || {};
      const state = session.state;
      if (joined) setAnnouncement(t('call.peerJoined', { name: label(joined) }));
      else if (left) setAnnouncement(t('call.peerLeft', { name: label(left) }));
      else if (state.phase !== previousPhase.current) {
        if (state.phase === 'reconnecting') setAnnouncement(t('call.reconnecting'));
        else if (state.phase === 'active' && previousPhase.current === 'reconnecting') setAnnouncement(t('call.reconnected'));
        else if (state.phase === 'active') setAnnouncement(t('call.connected'));
      }
      previousPhase.current = state.phase;
      changed();
      if (state.phase === 'ended' && !endedRef.current) {
        endedRef.current = true;
        onEnded?.(state);
      }
    };
    session.addEventListener('change', onChange);
    onChange({ detail: {} }); // what changed between the first render and this effect
    return () => session.removeEventListener('change', onChange);
  }, [session]);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const s = session.state;
  const hasCamera = Boolean(s.localStream && s.localStream.getVideoTracks().length) || s.audioOnly;
  const hasMicrophone = Boolean(s.localStream && s.localStream.getAudioTracks().length);
  const onKeyDown = (event) => {
    // Escape does not hang up by accident; the hang-up button is one Tab away from every control.
    if (event.key === 'Escape') event.stopPropagation();
  };
  return html`<section class="call-screen" aria-labelledby=${headingId.current} data-testid="call-screen" data-phase=${s.phase} onKeyDown=${onKeyDown}>
    <div class="call-top">
      <${headingLevel === 3 ? 'h3' : 'h2'} id=${headingId.current} tabindex="-1" ref=${headingRef}>${heading || t('call.title')}<//>
      <p class="call-status" data-testid="call-status" data-phase=${s.phase}>${statusText(s, t)}</p>
    </div>
    <p class="visually-hidden" role="status" aria-live="polite" data-testid="call-announcement">${announcement}</p>
    ${s.suggestAudioOnly ? html`<div class="call-suggestion" role="alert" data-testid="call-suggest-audio-only">
      <p>${t('call.suggestAudioOnly')}</p>
      <div class="actions">
        <button type="button" class="primary" onClick=${() => session.audioOnly()}>${t('call.switchToAudioOnly')}</button>
        <button type="button" onClick=${() => session.dismissSuggestion()}>${t('call.keepVideo')}</button>
      </div>
    </div>` : null}
    ${s.error === 'media_denied' || s.error === 'media_unavailable' ? html`<p class="notice" data-testid="call-media-error">${t(`call.${s.error}`)}</p>` : null}
    <ul class=${`call-tiles call-tiles-${Math.min(4, s.peers.length + 1)}`} data-testid="call-tiles">
      ${s.peers.map((peer) => html`<${Tile} key=${peer.peerId} t=${t} name=${label(peer)} role=${peer.role}
          stream=${peer.stream} audio=${peer.audio} video=${peer.video} connection=${peer.connection} testid=${`call-tile-${peer.peerId}`} />`)}
      <${Tile} key="self" t=${t} self=${true} name=${t('call.you')} stream=${s.localStream}
          audio=${s.audio} video=${s.video && !s.audioOnly} testid="call-tile-self" />
    </ul>
    ${s.phase === 'connecting' && s.peers.length === 0 ? html`<p class="hint">${t('call.waitingForOthers')}</p>` : null}
    <div class="call-controls" role="group" aria-label=${t('call.controls')}>
      <button type="button" aria-pressed=${s.audio ? 'false' : 'true'} data-testid="call-mute" disabled=${!hasMicrophone}
          onClick=${() => session.setAudio(!s.audio)}>${t('call.mute')}</button>
      <button type="button" aria-pressed=${s.video ? 'false' : 'true'} data-testid="call-camera" disabled=${!hasCamera}
          onClick=${() => session.setVideo(!s.video)}>${t('call.cameraOff')}</button>
      <button type="button" aria-pressed=${s.audioOnly ? 'true' : 'false'} data-testid="call-audio-only"
          onClick=${() => (s.audioOnly ? session.setVideo(true) : session.audioOnly())}>${t('call.audioOnly')}</button>
      <button type="button" class="danger" data-testid="call-hangup" onClick=${() => session.hangUp()}>${t('call.hangUp')}</button>
    </div>
  </section>`;
}

function statusText(s, t) {
  if (s.phase === 'active') return s.audioOnly ? t('call.connectedAudioOnly') : t('call.connected');
  return t(`call.phase.${s.phase}`);
}

/** A member's role in words: a call role (call.role.*), else an account role (role.*), else nothing. */
function roleName(t, role) {
  if (!role) return '';
  for (const key of [`call.role.${role}`, `role.${role}`]) {
    const text = t(key);
    if (text !== key) return text;
  }
  return '';
}

/** One member's tile: the video (muted for our own), the name, and what is off as text. */
function Tile({ t, name, role, stream, audio, video, self = false, connection, testid }) {
  const videoRef = useRef(null);
  useEffect(() => {
    const el = videoRef.current;
    if (!el || el.srcObject === stream) return;
    el.srcObject = stream || null;
    if (stream) el.play().catch(() => {});
  }, [stream]);
  const off = [];
  if (!audio) off.push(t('call.microphoneOff'));
  if (!video) off.push(t('call.cameraIsOff'));
  if (!self && connection === 'reconnecting') off.push(t('call.peerReconnecting'));
  const roleText = roleName(t, role);
  return html`<li class=${`call-tile${video ? '' : ' call-tile-novideo'}${self ? ' call-tile-self' : ''}`} data-testid=${testid}
      data-audio=${audio ? 'on' : 'off'} data-video=${video ? 'on' : 'off'}>
    <video ref=${videoRef} autoplay playsinline muted=${self} aria-hidden="true" data-testid=${self ? 'call-video-self' : 'call-video-remote'}></video>
    ${video ? null : html`<span class="call-tile-initial" aria-hidden="true">${(name || '?').slice(0, 1)}</span>`}
    <p class="call-tile-name">
      <span>${name}</span>${roleText ? html` <span class="call-tile-role">(${roleText})</span>` : null}
      ${off.length ? html`<span class="call-tile-off" data-testid="call-off"> – ${off.join(', ')}</span>` : null}
    </p>
  </li>`;
}
