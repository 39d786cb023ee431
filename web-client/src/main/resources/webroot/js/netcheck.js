// The network check before a visit (docs/protocol.md, "Network check"): a peer connection to the
// server's own WebRTC peer with one data channel, ~20 pings that the server echoes, and the server's
// verdict. Plain module, no UI: the caller shows progress and the result.
//
//   const { result, rttMs, lossPercent } = await runNetworkCheck(socket, { visitId, onProgress });
//
// result is 'connected' | 'relayed' | 'failed' | 'unavailable'. The server measures (connected,
// relayed, round trip, loss) from its own stats; this module only sends pings and collects the
// answer. If the server cannot answer the end of the check (the socket dropped), the browser's own
// view is the fallback: its selected candidate pair's type and the pings echoed.

const PINGS = 20;
const PING_EVERY_MS = 100;
const CONNECT_TIMEOUT_MS = 15000;
const ECHO_GRACE_MS = 1000;

/**
 * Runs one check over the KanavaSocket `socket`. `iceServers` overrides the ones the server offers;
 * `onProgress({phase, sent, echoed})` is told of each step (phase: 'starting' | 'connecting' |
 * 'measuring' | 'finishing'). Never throws for a network that fails: that is a result.
 */
export async function runNetworkCheck(socket, { visitId = null, iceServers = null, onProgress = () => {} } = {}) {
  onProgress({ phase: 'starting', sent: 0, echoed: 0 });
  let ready;
  try {
    ready = await socket.request(visitId ? { type: 'netcheck.start', visitId } : { type: 'netcheck.start' });
  } catch (e) {
    if (e && e.code === 'check_unavailable') return { result: 'unavailable', rttMs: null, lossPercent: null };
    throw e;
  }
  const { checkId } = ready;
  const pc = new RTCPeerConnection({ iceServers: iceServers || ready.iceServers || [] });
  const channel = pc.createDataChannel('netcheck', { ordered: false, maxRetransmits: 0 });
  const sentAt = new Map();
  const rtts = [];
  let echoed = 0;
  // the server's candidates may overtake its answer: held until the answer is applied
  let early = [];
  const unsubscribe = socket.on('netcheck.candidate', (frame) => {
    if (frame.checkId !== checkId || !frame.candidate) return;
    if (early) early.push(frame.candidate);
    else pc.addIceCandidate(frame.candidate).catch(() => {});
  });
  const serverResult = new Promise((resolve) => {
    // pushed without a ref when the server's timeout ends the check first
    const off = socket.on('netcheck.result', (frame) => {
      if (frame.checkId === checkId && !frame.ref) {
        off();
        resolve(frame);
      }
    });
  });
  pc.onicecandidate = ({ candidate }) => {
    if (candidate && candidate.candidate) socket.send({ type: 'netcheck.candidate', checkId, candidate: candidate.toJSON() });
  };
  channel.onmessage = ({ data }) => {
    let seq;
    try {
      ({ seq } = JSON.parse(data));
    } catch (e) {
      return;
    }
    const at = sentAt.get(seq);
    if (at === undefined) return;
    sentAt.delete(seq);
    echoed += 1;
    rtts.push(performance.now() - at);
    onProgress({ phase: 'measuring', sent: seq + 1, echoed });
  };

  try {
    onProgress({ phase: 'connecting', sent: 0, echoed: 0 });
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await socket.request({ type: 'netcheck.offer', checkId, sdp: pc.localDescription.sdp });
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    const held = early;
    early = null;
    held.forEach((candidate) => pc.addIceCandidate(candidate).catch(() => {}));
    const opened = await Promise.race([whenOpen(channel), delay(CONNECT_TIMEOUT_MS).then(() => false), serverResult.then(() => false)]);
    let sent = 0;
    if (opened) {
      for (; sent < PINGS && channel.readyState === 'open'; sent += 1) {
        sentAt.set(sent, performance.now());
        channel.send(JSON.stringify({ seq: sent }));
        onProgress({ phase: 'measuring', sent: sent + 1, echoed });
        await delay(PING_EVERY_MS);
      }
      await delay(ECHO_GRACE_MS);
    }
    onProgress({ phase: 'finishing', sent, echoed });
    const rttMs = rtts.length ? Math.round(median(rtts)) : undefined;
    const fallback = await ownView(pc, opened, sent, echoed, rttMs);
    let verdict;
    try {
      verdict = await Promise.race([
        socket.request({ type: 'netcheck.done', checkId, sent, ...(rttMs === undefined ? {} : { rttMs }) }),
        serverResult,
      ]);
    } catch (e) {
      // check_not_found: the server's timeout ended it first and its pushed result is on the way
      verdict = e && e.code === 'check_not_found' ? await Promise.race([serverResult, delay(ECHO_GRACE_MS).then(() => fallback)]) : fallback;
    }
    return { result: verdict.result, rttMs: verdict.rttMs ?? null, lossPercent: verdict.lossPercent ?? null };
  } finally {
    unsubscribe();
    channel.close();
    pc.close();
  }
}

/** The browser's own view, used only when the server's answer cannot be had: its selected pair and its echoes. */
async function ownView(pc, opened, sent, echoed, rttMs) {
  if (!opened) return { result: 'failed', rttMs: null, lossPercent: null };
  let relayed = false;
  let pairRtt = null;
  try {
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (pair) {
      const local = stats.get(pair.localCandidateId);
      const remote = stats.get(pair.remoteCandidateId);
      relayed = [local, remote].some((c) => c && c.candidateType === 'relay');
      if (typeof pair.currentRoundTripTime === 'number') pairRtt = Math.round(pair.currentRoundTripTime * 1000);
    }
  } catch (e) {
    // no stats: the echoes alone
  }
  const lossPercent = sent ? Math.round((10000 * (sent - echoed)) / sent) / 100 : null;
  return { result: relayed ? 'relayed' : 'connected', rttMs: pairRtt ?? rttMs ?? null, lossPercent };
}

function whenOpen(channel) {
  if (channel.readyState === 'open') return Promise.resolve(true);
  return new Promise((resolve) => {
    channel.addEventListener('open', () => resolve(true), { once: true });
    channel.addEventListener('close', () => resolve(false), { once: true });
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
