// The live figures per queue: figures.watch on every (re)connect, then figures.live as the server
// pushes changes. The table updates without a reload; a screen reader hears a short summary of
// a change politely, at most once a minute (the latest one), never per push. The oldest wait keeps
// counting from the server's `at` and `oldestSince` between pushes.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { formatMinutes } from '../format.js';
import { useTick } from '../console/hooks.js';

/** At most one polite announcement of changed figures in this long. */
const ANNOUNCE_EVERY_MS = 60000;

/** NPS in points with one decimal, signed ("+80,0"), or a dash without answers. */
export function formatNps(nps) {
  if (nps === null || nps === undefined) return '–';
  const text = new Intl.NumberFormat(document.documentElement.lang || 'fi', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    .format(Math.abs(nps));
  return `${nps > 0 ? '+' : nps < 0 ? '−' : ''}${text}`;
}

function oldestWait(q, snapshot) {
  if (!q.oldestSince) return null;
  const waited = (new Date(snapshot.at).getTime() - new Date(q.oldestSince).getTime()) / 1000;
  return Math.max(0, waited + (Date.now() - snapshot.receivedAt) / 1000);
}

function summary(snapshot) {
  const sum = (field) => snapshot.queues.reduce((n, q) => n + (q[field] || 0), 0);
  return t('supervisor.live.changed', { waiting: sum('waiting'), available: sum('available'), active: sum('active'), responses: sum('responses') });
}

export function LiveFigures({ socket, onError }) {
  const [snapshot, setSnapshot] = useState(null);
  const [announcement, setAnnouncement] = useState('');
  const announcer = useRef({ last: 0, timer: null, pending: null });
  useTick(15000);

  useEffect(() => {
    let active = true;
    const announce = (next) => {
      const a = announcer.current;
      a.pending = next;
      if (a.timer) return;
      const due = Math.max(0, a.last + ANNOUNCE_EVERY_MS - Date.now());
      a.timer = setTimeout(() => {
        a.timer = null;
        a.last = Date.now();
        if (active && a.pending) setAnnouncement(summary(a.pending));
      }, due);
    };
    const watch = () => socket.request({ type: 'figures.watch' })
      .then((frame) => active && setSnapshot({ ...frame, receivedAt: Date.now() }))
      .catch((error) => active && onError(error));
    const off = socket.on('figures.live', (frame) => {
      if (frame.ref) return; // the reply to figures.watch, handled above
      const next = { ...frame, receivedAt: Date.now() };
      setSnapshot(next);
      announce(next);
    });
    socket.onReady(() => active && watch());
    if (socket.ready) watch();
    return () => {
      active = false;
      off();
      clearTimeout(announcer.current.timer);
      if (socket.ready) socket.send({ type: 'figures.unwatch' });
    };
  }, [socket]);

  const queues = snapshot ? snapshot.queues : [];
  return html`
    <section id="live" class="supervisor-section" aria-labelledby="live-title">
      <h2 id="live-title" tabindex="-1">${t('supervisor.live.title')}</h2>
      <p class="hint">${t('supervisor.live.intro')}</p>
      <p class="visually-hidden" role="status" aria-live="polite" data-testid="live-announcer">${announcement}</p>
      ${snapshot === null ? html`<p class="hint">${t('common.loading')}</p>`
        : queues.length === 0 ? html`<p class="hint">${t('supervisor.live.noQueues')}</p>` : html`
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="live-title">
          <table class="figures" data-testid="live-table">
            <caption class="visually-hidden">${t('supervisor.live.caption')}</caption>
            <thead><tr>
              <th scope="col">${t('supervisor.live.queue')}</th>
              <th scope="col">${t('supervisor.live.waiting')}</th>
              <th scope="col">${t('supervisor.live.oldest')}</th>
              <th scope="col">${t('supervisor.live.available')}</th>
              <th scope="col">${t('supervisor.live.active')}</th>
              <th scope="col">${t('supervisor.live.npsToday')}</th>
              <th scope="col">${t('supervisor.live.responses')}</th>
            </tr></thead>
            <tbody>
              ${queues.map((q) => {
                const wait = oldestWait(q, snapshot);
                return html`<tr key=${q.queueId} data-queue=${q.queueId}>
                  <th scope="row">${q.name}</th>
                  <td data-testid="live-waiting">${q.waiting}</td>
                  <td data-testid="live-oldest">${wait === null ? '–' : formatMinutes(wait)}</td>
                  <td data-testid="live-available" class=${q.available === 0 && q.waiting > 0 ? 'figure-warning' : ''}>${q.available}</td>
                  <td data-testid="live-active">${q.active}</td>
                  <td data-testid="live-nps">${formatNps(q.nps)}</td>
                  <td data-testid="live-responses">${q.responses}</td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>`}
    </section>`;
}
