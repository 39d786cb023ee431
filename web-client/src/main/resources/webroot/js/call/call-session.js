// One video call seen from this browser: a mesh of RTCPeerConnections (one per other member, at most
// four members) signalled over the page's KanavaSocket with the rtc.* frames (docs/protocol.md,
// "Calls"). The media never passes through the server.
//
// Mesh rule: whoever joins makes the offers to everyone already in the call, so two peers never offer
// to each other at once; an ICE restart later may come from either side, and a collision is settled
// the "perfect negotiation" way (the peer that joined earlier is the polite one and gives way).
//
// Video starts modestly (START_VIDEO_BPS) and is raised while the line is clean; loss above
// HEAVY_LOSS for HEAVY_LOSS_SAMPLES samples in a row sets state.suggestAudioOnly, which the call
// screen offers as "continue with audio only". The ICE state is reported with rtc.status; a failed
// or long-disconnected connection, the browser coming back online and a change of network all
// restart ICE, and after the socket reconnects the session joins again (a new peerId: the others
// get rtc.peer-left and rtc.peer-joined, and this side makes new offers).
//
// Plain module (no UI): the call screen listens to 'change' events (or the onChange callback) and
// reads `state`.

const START_VIDEO_BPS = 300_000;
const MIN_VIDEO_BPS = 150_000;
const MAX_VIDEO_BPS = 1_200_000;
const STATS_INTERVAL_MS = 2000;
const HEAVY_LOSS = 0.10;
const HEAVY_LOSS_SAMPLES = 3; // three samples two seconds apart: "a few seconds"
const RAISE_BELOW_LOSS = 0.02;
const LOWER_ABOVE_LOSS = 0.05;
const DISCONNECTED_RESTART_MS = 3000;
const VIDEO_CONSTRAINTS = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15, max: 24 } };

export class CallSession extends EventTarget {
  /**
   * @param socket the page's KanavaSocket
   * @param callId a chat call to join (after rtc.call or rtc.incoming), or
   * @param visitId a visit whose call to join
   * @param onChange (state) => void, after every change (the 'change' event says the same)
   */
  // poorNetwork: a network check before the call lost many pings, so audio only is offered from the
  // start and stays offered until taken or declined
  constructor({ socket, callId = null, visitId = null, poorNetwork = false, onChange = () => {} }) {
    super();
    this.poorNetwork = poorNetwork;
    this.socket = socket;
    this.callId = callId;
    this.visitId = visitId;
    this.onChange = onChange;
    this.peerId = null;
    this.iceServers = [];
    this.connections = new Map(); // peerId -> {pc, polite, makingOffer, restartTimer, pending: [candidates], status}
    this.unsubscribe = [];
    this.statsTimer = null;
    this.lossSamples = 0;
    this.lastReported = null;
    this.joinedOnce = false;
    this.state = {
      phase: 'joining', // joining | connecting | active | reconnecting | ended
      peers: [], // {peerId, name, role, stream, audio, video, connection}
      localStream: null,
      audio: true,
      video: true,
      audioOnly: false,
      suggestAudioOnly: poorNetwork,
      relayed: false,
      endedReason: null,
      error: null,
    };
  }

  /**
   * Takes the camera and microphone (as far as they can be had) and joins the call. audioDeviceId and
   * videoDeviceId: the devices a device check chose (else the browser's defaults).
   */
  async start({ audio = true, video = true, audioDeviceId = null, videoDeviceId = null } = {}) {
    this.#listen();
    this.devices = { audioDeviceId, videoDeviceId };
    this.state.localStream = await this.#localMedia(audio, video);
    const stream = this.state.localStream;
    this.state.audio = Boolean(stream && stream.getAudioTracks().length && audio);
    this.state.video = Boolean(stream && stream.getVideoTracks().length && video);
    this.#changed();
    try {
      await this.#join();
    } catch (error) {
      this.state.error = error.code || 'unknown';
      this.#end(error.code || 'join_failed', false);
      throw error;
    }
  }

  /** Microphone on or off (mute); the others are told with rtc.media. */
  setAudio(on) {
    for (const track of this.#localTracks('audio')) track.enabled = on;
    this.state.audio = on && this.#localTracks('audio').length > 0;
    this.#sendMedia();
    this.#changed();
  }

  /** Camera on or off. Turning it on leaves audio-only mode (the camera is taken again if it was let go). */
  async setVideo(on) {
    if (on && (this.state.audioOnly || this.#localTracks('video').length === 0)) {
      await this.#cameraBack();
      return;
    }
    for (const track of this.#localTracks('video')) track.enabled = on;
    this.state.video = on && this.#localTracks('video').length > 0;
    this.#sendMedia();
    this.#changed();
  }

  /** Audio only: stops sending video altogether and lets the camera go; the others are told. */
  audioOnly() {
    for (const { pc } of this.connections.values()) {
      for (const sender of pc.getSenders()) if (sender.track && sender.track.kind === 'video') sender.replaceTrack(null).catch(() => {});
    }
    const stream = this.state.localStream;
    for (const track of this.#localTracks('video')) {
      track.stop();
      stream.removeTrack(track);
    }
    this.state.audioOnly = true;
    this.state.video = false;
    this.state.suggestAudioOnly = false;
    this.lossSamples = 0;
    this.#sendMedia();
    this.#report(true);
    this.#changed();
  }

  /** The suggestion to go audio only was declined: not asked again until the loss comes back. */
  dismissSuggestion() {
    this.poorNetwork = false;
    this.state.suggestAudioOnly = false;
    this.lossSamples = -HEAVY_LOSS_SAMPLES * 5; // about half a minute of quiet before asking again
    this.#changed();
  }

  /** Leaves the call (the call ends for all when nobody, or no professional of a chat call, is left). */
  hangUp() {
    if (this.state.phase === 'ended') return;
    if (this.callId && this.socket.ready) this.socket.send({ type: 'rtc.hangup', callId: this.callId });
    this.#end('hangup', true);
  }

  // --- joining ------------------------------------------------------------------------------

  #listen() {
    const on = (type, handler) => this.unsubscribe.push(this.socket.on(type, (frame) => {
      if (frame.callId && this.callId && frame.callId !== this.callId) return;
      if (this.state.phase === 'ended') return;
      handler(frame);
    }));
    on('rtc.peer-joined', (frame) => this.#peerJoined(frame.peer));
    on('rtc.peer-left', (frame) => this.#peerLeft(frame.peerId));
    on('rtc.offer', (frame) => this.#onOffer(frame.from, frame.sdp));
    on('rtc.answer', (frame) => this.#onAnswer(frame.from, frame.sdp));
    on('rtc.candidate', (frame) => this.#onCandidate(frame.from, frame.candidate));
    on('rtc.media', (frame) => this.#updatePeer(frame.from, { audio: frame.audio !== false, video: frame.video !== false }));
    on('rtc.ended', (frame) => this.#end(frame.reason || 'ended', false));
    // the socket dropped: the media may still flow, but signalling waits; after `ready`, join again
    this.unsubscribe.push(this.socket.on('state', (frame) => {
      if (this.state.phase === 'ended') return;
      if (frame.state !== 'online' && this.joinedOnce) {
        this.state.phase = 'reconnecting';
        this.#changed();
      }
    }));
    this.unsubscribe.push(this.socket.on('ready', () => {
      if (this.state.phase !== 'ended' && this.joinedOnce) this.#rejoin();
    }));
    const restartAll = () => this.#restartAll();
    window.addEventListener('online', restartAll);
    this.unsubscribe.push(() => window.removeEventListener('online', restartAll));
    const connection = navigator.connection;
    if (connection && connection.addEventListener) {
      connection.addEventListener('change', restartAll);
      this.unsubscribe.push(() => connection.removeEventListener('change', restartAll));
    }
  }

  async #localMedia(audio, video) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return new MediaStream();
    const audioConstraints = audio && this.devices.audioDeviceId ? { deviceId: this.devices.audioDeviceId } : audio;
    const attempts = [{ audio: audioConstraints, video: video ? this.#videoConstraints() : false }];
    if (video) attempts.push({ audio: audioConstraints, video: false }); // no camera, or it was refused: audio only
    for (const constraints of attempts) {
      if (!constraints.audio && !constraints.video) break;
      try {
        return await navigator.mediaDevices.getUserMedia(constraints);
      } catch (e) {
        this.state.error = e.name === 'NotAllowedError' ? 'media_denied' : 'media_unavailable';
      }
    }
    return new MediaStream(); // neither: join to see and hear the others
  }

  async #join() {
    const frame = { type: 'rtc.join' };
    if (this.callId) frame.callId = this.callId;
    else frame.visitId = this.visitId;
    const reply = await this.socket.request(frame);
    this.callId = reply.callId;
    this.peerId = reply.peerId;
    this.iceServers = Array.isArray(reply.iceServers) && reply.iceServers.length ? reply.iceServers : await this.#fetchIceServers();
    this.joinedOnce = true;
    this.state.phase = 'connecting';
    this.#sendMedia();
    // the newcomer offers to everyone already there
    for (const peer of reply.peers || []) {
      this.#addPeer(peer, { polite: false });
      this.#offer(peer.peerId);
    }
    this.#startStats();
    this.#changed();
  }

  /** After the socket came back: join again with a new peerId and offer to everyone anew. */
  async #rejoin() {
    for (const peerId of [...this.connections.keys()]) this.#peerLeft(peerId, { quiet: true });
    this.state.phase = 'reconnecting';
    this.#changed();
    try {
      await this.#join();
    } catch (error) {
      // the call ended while we were away, or we may no longer join: end it here too
      this.#end(error.code || 'call_ended', false);
    }
  }

  async #fetchIceServers() {
    try {
      const api = this.socket.api;
      const reply = api ? await api.get('/api/rtc/ice-servers') : null;
      return (reply && reply.iceServers) || [];
    } catch (e) {
      return [];
    }
  }

  // --- peers --------------------------------------------------------------------------------

  #peerJoined(peer) {
    if (!peer || peer.peerId === this.peerId) return;
    if (this.connections.has(peer.peerId)) this.#peerLeft(peer.peerId, { quiet: true });
    this.#addPeer(peer, { polite: true }); // it offers to us
    this.#changed({ joined: peer });
  }

  #peerLeft(peerId, { quiet = false } = {}) {
    const entry = this.connections.get(peerId);
    const peer = this.state.peers.find((p) => p.peerId === peerId);
    if (entry) {
      clearTimeout(entry.restartTimer);
      entry.pc.close();
      this.connections.delete(peerId);
    }
    this.state.peers = this.state.peers.filter((p) => p.peerId !== peerId);
    this.#updatePhase();
    this.#report();
    if (!quiet && peer) this.#changed({ left: peer });
    else this.#changed();
  }

  #updatePeer(peerId, fields) {
    const peer = this.state.peers.find((p) => p.peerId === peerId);
    if (!peer) return;
    Object.assign(peer, fields);
    this.#changed();
  }

  #addPeer(peer, { polite }) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle' });
    const entry = { pc, polite, makingOffer: false, restartTimer: null, pending: [], status: 'new' };
    this.connections.set(peer.peerId, entry);
    const stream = new MediaStream();
    this.state.peers.push({
      peerId: peer.peerId, name: peer.name || '', role: peer.role || '', stream,
      audio: peer.audio !== false, video: peer.video !== false, connection: 'new',
    });
    if (!polite) this.#addLocalTracks(pc);
    pc.addEventListener('track', (event) => {
      if (!stream.getTracks().includes(event.track)) stream.addTrack(event.track);
      this.#changed();
    });
    pc.addEventListener('icecandidate', (event) => {
      if (!event.candidate || !this.socket.ready) return;
      const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
      if (!candidate) return;
      this.socket.send({ type: 'rtc.candidate', callId: this.callId, to: peer.peerId, candidate: { candidate, sdpMid, sdpMLineIndex } });
    });
    pc.addEventListener('iceconnectionstatechange', () => this.#iceChanged(peer.peerId));
    return entry;
  }

  /** Our tracks into a connection; without a camera (or microphone) we still receive the others'. */
  #addLocalTracks(pc) {
    const stream = this.state.localStream || new MediaStream();
    for (const kind of ['audio', 'video']) {
      const track = stream.getTracks().find((t) => t.kind === kind);
      const sender = pc.getSenders().find((s) => s.track && s.track.kind === kind);
      if (sender) continue;
      if (track) {
        const reusable = pc.getTransceivers().find((tr) => tr.receiver.track.kind === kind && !tr.sender.track && !tr.stopped);
        if (reusable) {
          reusable.sender.replaceTrack(track).catch(() => {});
          reusable.direction = 'sendrecv';
          reusable.sender.setStreams?.(stream);
        } else {
          pc.addTrack(track, stream);
        }
      } else if (!pc.getTransceivers().some((tr) => tr.receiver.track.kind === kind)) {
        pc.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
    this.#limitVideo(pc, START_VIDEO_BPS);
  }

  #limitVideo(pc, bps) {
    for (const sender of pc.getSenders()) {
      if (!sender.track || sender.track.kind !== 'video') continue;
      const parameters = sender.getParameters();
      if (!parameters.encodings || parameters.encodings.length === 0) parameters.encodings = [{}];
      parameters.encodings[0].maxBitrate = bps;
      sender.setParameters(parameters).catch(() => {});
    }
  }

  // --- signalling ---------------------------------------------------------------------------

  async #offer(peerId, { iceRestart = false } = {}) {
    const entry = this.connections.get(peerId);
    if (!entry || !this.socket.ready) return;
    try {
      entry.makingOffer = true;
      if (iceRestart) entry.pc.restartIce();
      const offer = await entry.pc.createOffer(iceRestart ? { iceRestart: true } : {});
      if (entry.pc.signalingState !== 'stable') return;
      await entry.pc.setLocalDescription(offer);
      this.socket.send({ type: 'rtc.offer', callId: this.callId, to: peerId, sdp: entry.pc.localDescription.sdp });
    } catch (e) {
      // the connection closed meanwhile, or a collision: the other side's offer wins
    } finally {
      entry.makingOffer = false;
    }
  }

  async #onOffer(from, sdp) {
    const entry = this.connections.get(from);
    if (!entry || typeof sdp !== 'string') return;
    const collision = entry.makingOffer || entry.pc.signalingState !== 'stable';
    if (collision && !entry.polite) return; // ours stands; theirs will be rolled back on their side
    try {
      await entry.pc.setRemoteDescription({ type: 'offer', sdp }); // a polite side rolls its own offer back
      this.#addLocalTracks(entry.pc);
      await this.#flushCandidates(entry);
      await entry.pc.setLocalDescription(await entry.pc.createAnswer());
      this.socket.send({ type: 'rtc.answer', callId: this.callId, to: from, sdp: entry.pc.localDescription.sdp });
    } catch (e) {
      // a broken offer: the ICE state will say failed, and a restart follows
    }
  }

  async #onAnswer(from, sdp) {
    const entry = this.connections.get(from);
    if (!entry || typeof sdp !== 'string' || entry.pc.signalingState !== 'have-local-offer') return;
    try {
      await entry.pc.setRemoteDescription({ type: 'answer', sdp });
      this.#limitVideo(entry.pc, this.videoBps || START_VIDEO_BPS);
      await this.#flushCandidates(entry);
    } catch (e) {
      // as above
    }
  }

  async #onCandidate(from, candidate) {
    const entry = this.connections.get(from);
    if (!entry || !candidate) return;
    if (!entry.pc.remoteDescription) {
      entry.pending.push(candidate);
      return;
    }
    try {
      await entry.pc.addIceCandidate(candidate);
    } catch (e) {
      // a candidate of an older ICE generation
    }
  }

  async #flushCandidates(entry) {
    const pending = entry.pending;
    entry.pending = [];
    for (const candidate of pending) {
      try {
        await entry.pc.addIceCandidate(candidate);
      } catch (e) {
        // as above
      }
    }
  }

  // --- connection state, restarts and reports -------------------------------------------------

  #iceChanged(peerId) {
    const entry = this.connections.get(peerId);
    if (!entry) return;
    const ice = entry.pc.iceConnectionState;
    clearTimeout(entry.restartTimer);
    if (ice === 'failed') {
      this.#offer(peerId, { iceRestart: true });
    } else if (ice === 'disconnected') {
      entry.restartTimer = setTimeout(() => {
        if (entry.pc.iceConnectionState === 'disconnected') this.#offer(peerId, { iceRestart: true });
      }, DISCONNECTED_RESTART_MS);
    }
    const connection = ice === 'connected' || ice === 'completed' ? 'connected'
      : ice === 'disconnected' || ice === 'failed' ? 'reconnecting' : 'connecting';
    const peer = this.state.peers.find((p) => p.peerId === peerId);
    if (peer) peer.connection = connection;
    entry.status = ice;
    this.#updatePhase();
    this.#report();
    this.#changed();
  }

  /** The network changed (online again, another network): restart ICE with every peer. */
  #restartAll() {
    if (this.state.phase === 'ended' || !this.socket.ready) return;
    for (const peerId of this.connections.keys()) this.#offer(peerId, { iceRestart: true });
  }

  #updatePhase() {
    if (this.state.phase === 'ended' || this.state.phase === 'joining') return;
    const connections = [...this.connections.values()];
    const states = connections.map((c) => c.pc.iceConnectionState);
    if (!this.socket.ready && this.joinedOnce) this.state.phase = 'reconnecting';
    else if (states.some((s) => s === 'connected' || s === 'completed')) this.state.phase = 'active';
    else if (states.some((s) => s === 'disconnected' || s === 'failed')) this.state.phase = 'reconnecting';
    else this.state.phase = 'connecting';
  }

  /** rtc.status with the aggregate of our connections, when it changed (or `force`). */
  #report(force = false) {
    if (!this.callId || !this.socket.ready || this.state.phase === 'ended') return;
    const states = [...this.connections.values()].map((c) => c.pc.iceConnectionState);
    let status = null;
    if (states.some((s) => s === 'connected' || s === 'completed')) status = 'connected';
    else if (states.some((s) => s === 'failed') && !states.some((s) => s === 'checking' || s === 'disconnected')) status = 'failed';
    else if (states.some((s) => s === 'disconnected' || s === 'failed')) status = 'reconnecting';
    if (!status) return;
    const key = `${status}|${this.state.relayed}|${this.state.audioOnly}`;
    if (!force && key === this.lastReported) return;
    this.lastReported = key;
    this.socket.send({ type: 'rtc.status', callId: this.callId, status, relayed: this.state.relayed, audioOnly: this.state.audioOnly });
  }

  #sendMedia() {
    if (!this.callId || !this.joinedOnce || !this.socket.ready) return;
    this.socket.send({ type: 'rtc.media', callId: this.callId, audio: this.state.audio, video: this.state.video });
  }

  // --- statistics: bitrate, loss, relayed -------------------------------------------------------

  #startStats() {
    clearInterval(this.statsTimer);
    this.previous = new Map(); // peerId -> {sent, lost, received, lostIn}
    this.videoBps = START_VIDEO_BPS;
    this.statsTimer = setInterval(() => this.#sample().catch(() => {}), STATS_INTERVAL_MS);
  }

  async #sample() {
    let worstLoss = 0;
    let relayed = false;
    let measured = false;
    for (const [peerId, entry] of this.connections) {
      const ice = entry.pc.iceConnectionState;
      if (ice !== 'connected' && ice !== 'completed') continue;
      const report = await entry.pc.getStats();
      const totals = { sent: 0, lostOut: 0, received: 0, lostIn: 0 };
      let pair = null;
      report.forEach((s) => {
        if (s.type === 'outbound-rtp') totals.sent += s.packetsSent || 0;
        if (s.type === 'remote-inbound-rtp') totals.lostOut += Math.max(0, s.packetsLost || 0);
        if (s.type === 'inbound-rtp') {
          totals.received += s.packetsReceived || 0;
          totals.lostIn += Math.max(0, s.packetsLost || 0);
        }
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
        if (!pair && s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
      });
      if (pair) {
        const local = report.get(pair.localCandidateId);
        const remote = report.get(pair.remoteCandidateId);
        if ((local && local.candidateType === 'relay') || (remote && remote.candidateType === 'relay')) relayed = true;
      }
      const before = this.previous.get(peerId);
      this.previous.set(peerId, totals);
      if (!before) continue;
      const loss = (lost, total) => (total > 0 ? Math.max(0, lost) / total : 0);
      const out = loss(totals.lostOut - before.lostOut, totals.sent - before.sent);
      const inn = loss(totals.lostIn - before.lostIn, (totals.received - before.received) + (totals.lostIn - before.lostIn));
      worstLoss = Math.max(worstLoss, out, inn);
      measured = true;
    }
    if (relayed !== this.state.relayed) {
      this.state.relayed = relayed;
      this.#report();
    }
    if (!measured) return;
    this.#adapt(worstLoss);
  }

  #adapt(loss) {
    if (!this.state.audioOnly) {
      let bps = this.videoBps;
      if (loss < RAISE_BELOW_LOSS) bps = Math.min(MAX_VIDEO_BPS, Math.round(bps * 1.25));
      else if (loss > LOWER_ABOVE_LOSS) bps = Math.max(MIN_VIDEO_BPS, Math.round(bps * 0.7));
      if (bps !== this.videoBps) {
        this.videoBps = bps;
        for (const { pc } of this.connections.values()) this.#limitVideo(pc, bps);
      }
    }
    this.lossSamples = loss > HEAVY_LOSS ? this.lossSamples + 1 : Math.min(0, this.lossSamples + 1);
    const suggest = !this.state.audioOnly && (this.poorNetwork || this.lossSamples >= HEAVY_LOSS_SAMPLES);
    if (suggest !== this.state.suggestAudioOnly && (suggest || this.lossSamples <= 0)) {
      this.state.suggestAudioOnly = suggest;
      this.#changed();
    }
  }

  // --- leaving ------------------------------------------------------------------------------------

  async #cameraBack() {
    let track = null;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: this.#videoConstraints() });
      [track] = stream.getVideoTracks();
    } catch (e) {
      this.state.error = 'media_unavailable';
      this.#changed();
      return;
    }
    if (this.state.phase === 'ended') {
      track.stop();
      return;
    }
    this.state.localStream.addTrack(track);
    for (const [peerId, { pc }] of this.connections) {
      const transceiver = pc.getTransceivers().find((tr) => tr.receiver.track.kind === 'video' && !tr.stopped);
      if (transceiver && (transceiver.direction === 'sendrecv' || transceiver.direction === 'sendonly')) {
        transceiver.sender.replaceTrack(track).catch(() => {});
      } else {
        this.#addLocalTracks(pc);
        this.#offer(peerId);
      }
      this.#limitVideo(pc, this.videoBps || START_VIDEO_BPS);
    }
    this.state.audioOnly = false;
    this.state.video = true;
    this.#sendMedia();
    this.#report(true);
    this.#changed();
  }

  #videoConstraints() {
    return this.devices?.videoDeviceId ? { ...VIDEO_CONSTRAINTS, deviceId: this.devices.videoDeviceId } : VIDEO_CONSTRAINTS;
  }

  #localTracks(kind) {
    const stream = this.state.localStream;
    if (!stream) return [];
    return kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
  }

  #end(reason, byUs) {
    if (this.state.phase === 'ended') return;
    this.state.phase = 'ended';
    this.state.endedReason = reason;
    this.state.endedByUs = byUs;
    clearInterval(this.statsTimer);
    for (const entry of this.connections.values()) {
      clearTimeout(entry.restartTimer);
      entry.pc.close();
    }
    this.connections.clear();
    for (const track of this.state.localStream?.getTracks() || []) track.stop();
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.#changed();
  }

  /** Tells the screen; `detail` says who joined or left (for the live region). */
  #changed(detail = {}) {
    this.state = { ...this.state, peers: [...this.state.peers] };
    this.dispatchEvent(new CustomEvent('change', { detail }));
    try {
      this.onChange(this.state, detail);
    } catch (e) {
      console.error('call onChange failed', e);
    }
  }
}
