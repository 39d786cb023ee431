// The network check of the visit page: a short test call to the server (js/netcheck.js, docs/video.md
// "Network check") whose result the professional sees beside the patient in the waiting room. Its
// result is said in words; a check that cannot run (the module or the server's peer is missing) says
// "unavailable" and the visit goes on.
import { html, useEffect, useState } from '../ui.js';
import { t } from '../i18n.js';

export const NETWORK_RESULTS = ['connected', 'relayed', 'failed', 'unavailable'];

async function runCheck(socket, visitId, onProgress) {
  let module;
  try {
    module = await import('../netcheck.js');
  } catch (e) {
    return { result: 'unavailable', rttMs: null, lossPercent: null };
  }
  try {
    const result = await module.runNetworkCheck(socket, { visitId, onProgress });
    return NETWORK_RESULTS.includes(result?.result) ? result : { result: 'failed', rttMs: null, lossPercent: null };
  } catch (e) {
    return { result: e && e.code === 'check_unavailable' ? 'unavailable' : 'failed', rttMs: null, lossPercent: null };
  }
}

/** The result in words: what it means for the call, with the round trip and loss when measured. */
export function networkCheckText(check) {
  if (!check || !NETWORK_RESULTS.includes(check.result)) return t('visit.net.none');
  const parts = [t(`visit.net.${check.result}`)];
  if (typeof check.rttMs === 'number') parts.push(t('visit.net.rtt', { ms: Math.round(check.rttMs) }));
  if (typeof check.lossPercent === 'number') parts.push(t('visit.net.loss', { percent: Math.round(check.lossPercent) }));
  return parts.join(', ');
}

export function NetworkCheck({ socket, visitId, onDone, headingRef }) {
  const [check, setCheck] = useState(null);
  const [progress, setProgress] = useState(0);
  const [run, setRun] = useState(0);
  useEffect(() => {
    let live = true;
    setCheck(null);
    setProgress(0);
    runCheck(socket, visitId, (p) => {
      if (!live) return;
      // netcheck.js tells of each step ({phase, sent, echoed}); about 20 pings make a check
      const value = typeof p === 'number' ? p : typeof p?.sent === 'number' ? Math.min(1, p.sent / 20) : p?.fraction ?? p?.progress;
      if (typeof value === 'number') setProgress(Math.max(0, Math.min(1, value > 1 ? value / 100 : value)));
    }).then((result) => {
      if (live) setCheck(result);
    });
    return () => {
      live = false;
    };
  }, [run]);

  return html`<section class="visit-step" aria-labelledby="visit-net-title" data-testid="visit-network">
    <h2 id="visit-net-title" tabindex="-1" ref=${headingRef}>${t('visit.net.title')}</h2>
    <p>${t('visit.net.intro')}</p>
    ${check ? null : html`<div class="field">
      <label for="visit-net-progress">${t('visit.net.running')}</label>
      <progress id="visit-net-progress" max="1" value=${progress || undefined}></progress></div>`}
    <p role="status" class=${check ? `visit-net-result net-${check.result}` : 'visually-hidden'} data-testid="visit-net-result"
        data-result=${check?.result}>${check ? networkCheckText(check) : ''}</p>
    ${check && check.result === 'failed' ? html`<p class="hint">${t('visit.net.failedHint')}</p>` : null}
    <div class="actions">
      <button type="button" class="primary" data-testid="visit-net-done" disabled=${!check} onClick=${() => onDone(check)}>${t('visit.net.continue')}</button>
      ${check && check.result !== 'unavailable' ? html`<button type="button" data-testid="visit-net-again" onClick=${() => setRun((n) => n + 1)}>${t('visit.net.again')}</button>` : null}
    </div>
  </section>`;
}
