// The patient page on a slow line: Chromium with CDP network emulation (400 kbps down and up, 400 ms
// latency), a new context each run (cold cache). Measures
//   - readable: when the emergency line ("call 112") is first painted with its text, in ms from the
//     start of navigation (the later of first contentful paint and the first frame with the text);
//   - bytes to the first question: everything received over HTTP (headers and compressed bodies, as
//     CDP's encodedDataLength counts them) from navigation until the questionnaire's first question
//     is visible, after "continue anonymously" and the nurse chat queue; WebSocket frames separately.
// Not part of the test run. Needs a running server with the demo data (the nurse-chat queue) and
// Node with playwright-core; see docs/performance.md, "Slow line".
//   NODE_PATH=/path/to/node_modules node ops/perf/slow-line.js [base-url] [runs]
// DETAIL=1 also lists each response's bytes, largest first.
const { chromium } = require('playwright-core');

const BASE = process.argv[2] || 'http://127.0.0.1:8080';
const RUNS = Number(process.argv[3] || 5);
const KBPS = 400;
const LATENCY_MS = 400;

// Runs in the page before its own scripts: records the first frame in which the emergency line has
// text and takes up space.
const WATCH = () => {
  const check = () => {
    const el = document.querySelector('.emergency-hint');
    if (el && el.textContent.trim() && el.getBoundingClientRect().height > 0) {
      window.__kanavaReadable = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
};

async function once(browser) {
  const context = await browser.newContext({ locale: 'fi-FI', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.addInitScript(WATCH);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: LATENCY_MS,
    downloadThroughput: (KBPS * 1000) / 8, uploadThroughput: (KBPS * 1000) / 8,
  });
  let http = 0; let requests = 0; let ws = 0;
  const urls = new Map(); const sizes = [];
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url.replace(BASE, '')));
  cdp.on('Network.loadingFinished', (e) => {
    http += e.encodedDataLength; requests += 1; sizes.push([urls.get(e.requestId), e.encodedDataLength]);
  });
  cdp.on('Network.webSocketFrameReceived', (e) => { ws += e.response.payloadData.length; });

  await page.goto(BASE + '/', { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__kanavaReadable !== undefined, null, { timeout: 60000 });
  const readable = await page.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return Math.max(window.__kanavaReadable, paint ? paint.startTime : 0);
  });
  const start = page.getByTestId('start-anonymous');
  await start.click({ timeout: 60000 }); // waits until the page's script has enabled it
  await page.getByTestId('queue-option-nurse-chat').click({ timeout: 60000 });
  await page.locator('#questions fieldset').first().waitFor({ state: 'visible', timeout: 60000 });
  const firstQuestion = await page.evaluate(() => performance.now());
  const result = { readable, firstQuestion, http, requests, ws, sizes };
  await context.close();
  return result;
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'] });
  const results = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const r = await once(browser);
      results.push(r);
      console.log(`run ${i + 1}: emergency line readable ${Math.round(r.readable)} ms; first question at `
        + `${Math.round(r.firstQuestion)} ms after ${r.http} B over HTTP in ${r.requests} responses (+ ${r.ws} B of WebSocket frames)`);
      if (process.env.DETAIL) r.sizes.sort((a, b) => b[1] - a[1]).forEach(([url, n]) => console.log(`  ${n} B ${url}`));
    }
  } finally {
    await browser.close();
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  console.log(`median of ${RUNS}: readable ${Math.round(median(results.map((r) => r.readable)))} ms, first question `
    + `${Math.round(median(results.map((r) => r.firstQuestion)))} ms, ${median(results.map((r) => r.http))} B over HTTP`);
})().catch((e) => { console.error(e); process.exit(1); });
