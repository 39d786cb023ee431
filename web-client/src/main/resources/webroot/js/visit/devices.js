// The device check of the visit page: the camera's preview, the microphone's level and pickers for
// both. Without a camera (or when it is refused) the visit goes on with sound only; without a
// microphone the patient is told, and may still go on (the professional can then call by phone).
// The level is a <meter> with a label, and "sound heard" is said in words once, not by colour.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';

const LEVEL_INTERVAL_MS = 100;
const HEARD_LEVEL = 0.02;

/** Asks for the devices chosen (ids, or any); falls back to the microphone alone when the camera is missing or refused. */
async function openMedia(audioId, videoId) {
  const audio = audioId ? { deviceId: { exact: audioId } } : true;
  const video = videoId ? { deviceId: { exact: videoId } } : true;
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio, video }), error: null };
  } catch (first) {
    try {
      return { stream: await navigator.mediaDevices.getUserMedia({ audio }), error: first };
    } catch (second) {
      return { stream: null, error: second };
    }
  }
}

export function DeviceCheck({ onDone, headingRef }) {
  const [stream, setStream] = useState(null);
  const [problem, setProblem] = useState(''); // a visit.devices.* key
  const [devices, setDevices] = useState({ audio: [], video: [] });
  const [chosen, setChosen] = useState({ audio: '', video: '' });
  const [level, setLevel] = useState(0);
  const [heard, setHeard] = useState(false);
  const [busy, setBusy] = useState(true);
  const preview = useRef(null);

  async function start(audioId, videoId) {
    setBusy(true);
    if (!navigator.mediaDevices?.getUserMedia) {
      setProblem('visit.devices.unsupported');
      setBusy(false);
      return;
    }
    const { stream: opened, error } = await openMedia(audioId, videoId);
    setStream((old) => {
      old?.getTracks().forEach((track) => track.stop());
      return opened;
    });
    const hasVideo = Boolean(opened?.getVideoTracks().length);
    if (!opened) setProblem(error?.name === 'NotAllowedError' ? 'visit.devices.denied' : 'visit.devices.noMicrophone');
    else if (!hasVideo) setProblem('visit.devices.noCamera');
    else setProblem('');
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      setDevices({ audio: all.filter((d) => d.kind === 'audioinput'), video: all.filter((d) => d.kind === 'videoinput') });
    } catch (e) {
      setDevices({ audio: [], video: [] });
    }
    if (opened) {
      setChosen({
        audio: opened.getAudioTracks()[0]?.getSettings().deviceId || audioId || '',
        video: opened.getVideoTracks()[0]?.getSettings().deviceId || videoId || '',
      });
    }
    setBusy(false);
  }

  useEffect(() => {
    start('', '');
    return () => setStream((old) => {
      old?.getTracks().forEach((track) => track.stop());
      return null;
    });
  }, []);

  // the preview and the level follow the stream
  useEffect(() => {
    if (preview.current) preview.current.srcObject = stream && stream.getVideoTracks().length ? stream : null;
    if (!stream || !stream.getAudioTracks().length) return undefined;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return undefined;
    const context = new Context();
    const source = context.createMediaStreamSource(stream);
    const analyser = context.createAnalyser();
    // the last ~0.7 s of sound at each reading, so that a short sound between two readings is not missed
    analyser.fftSize = 32768;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    // a context made before the page was used may start suspended: the first key press or touch wakes it
    const wake = () => context.resume().catch(() => {});
    document.addEventListener('pointerdown', wake);
    document.addEventListener('keydown', wake);
    const timer = setInterval(() => {
      if (context.state === 'suspended') wake();
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      let peak = 0;
      for (const v of samples) {
        sum += v * v;
        peak = Math.max(peak, Math.abs(v));
      }
      const rms = Math.sqrt(sum / samples.length);
      setLevel(Math.round(Math.min(1, peak) * 100) / 100);
      if (rms > HEARD_LEVEL / 4 || peak > HEARD_LEVEL * 5) setHeard(true);
    }, LEVEL_INTERVAL_MS);
    return () => {
      clearInterval(timer);
      document.removeEventListener('pointerdown', wake);
      document.removeEventListener('keydown', wake);
      context.close().catch(() => {});
    };
  }, [stream]);

  const hasVideo = Boolean(stream?.getVideoTracks().length);
  const hasAudio = Boolean(stream?.getAudioTracks().length);
  const done = () => {
    const media = { audio: hasAudio, video: hasVideo, audioDeviceId: chosen.audio || undefined, videoDeviceId: chosen.video || undefined };
    stream?.getTracks().forEach((track) => track.stop());
    setStream(null);
    onDone(media);
  };
  const label = (device, i, kind) => device.label || t(kind === 'audio' ? 'visit.devices.microphoneN' : 'visit.devices.cameraN', { n: i + 1 });

  return html`<section class="visit-step" aria-labelledby="visit-devices-title" data-testid="visit-devices">
    <h2 id="visit-devices-title" tabindex="-1" ref=${headingRef}>${t('visit.devices.title')}</h2>
    <p>${t('visit.devices.intro')}</p>
    <div class="visit-preview">
      <video ref=${preview} autoplay playsinline muted aria-label=${t('visit.devices.preview')} data-testid="visit-preview"
          hidden=${!hasVideo}></video>
      ${!hasVideo && !busy ? html`<p class="hint">${t('visit.devices.noPreview')}</p>` : null}
    </div>
    ${problem ? html`<p class="notice" role="status" data-testid="visit-devices-problem">${t(problem)}</p>` : null}
    <div class="field">
      <label for="visit-level">${t('visit.devices.level')}</label>
      <meter id="visit-level" min="0" max="1" low="0.05" high="0.9" optimum="0.5" value=${level} data-testid="visit-level">${Math.round(level * 100)} %</meter>
      <p class="hint small" role="status" data-testid="visit-heard">${hasAudio ? t(heard ? 'visit.devices.heard' : 'visit.devices.speak') : ''}</p>
    </div>
    ${devices.audio.length > 1 ? html`<div class="field">
      <label for="visit-microphone">${t('visit.devices.microphone')}</label>
      <select id="visit-microphone" value=${chosen.audio} data-testid="visit-microphone"
          onChange=${(e) => start(e.target.value, chosen.video)}>
        ${devices.audio.map((d, i) => html`<option value=${d.deviceId}>${label(d, i, 'audio')}</option>`)}
      </select></div>` : null}
    ${devices.video.length > 1 ? html`<div class="field">
      <label for="visit-camera">${t('visit.devices.camera')}</label>
      <select id="visit-camera" value=${chosen.video} data-testid="visit-camera"
          onChange=${(e) => start(chosen.audio, e.target.value)}>
        ${devices.video.map((d, i) => html`<option value=${d.deviceId}>${label(d, i, 'video')}</option>`)}
      </select></div>` : null}
    <div class="actions">
      <button type="button" class="primary" data-testid="visit-devices-done" disabled=${busy} onClick=${done}>
        ${t(hasVideo ? 'visit.devices.continue' : hasAudio ? 'visit.devices.continueAudio' : 'visit.devices.continueWithout')}</button>
      ${problem === 'visit.devices.denied' ? html`<button type="button" onClick=${() => start(chosen.audio, chosen.video)}>${t('visit.devices.retry')}</button>` : null}
    </div>
  </section>`;
}
