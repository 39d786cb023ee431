// The console's Visits view: the signed-in professional's visits of a day (GET /api/visits?date=), a
// form to book one (also for the patient of a chat closed with "appointment booked"), and the chosen
// visit's detail (visits-detail.js). visit.updated and visit.waiting-room pushes update it without a
// reload: who is waiting, with the result of their network check in words, shows on the list at once.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { errorText } from '../dom.js';
import { useLanguage } from './hooks.js';
import { BookForm } from './visits-book.js';
import { VisitDetail } from './visits-detail.js';
import { today, localDate, timeRange, stateText, waitingMembers, checkText } from './visits-format.js';
import { instant } from '../visit/session.js';

const afterRender = (fn) => setTimeout(fn);
const byStart = (a, b) => instant(a.startsAt) - instant(b.startsAt);

/** The waiting room's members set on a visit: who waits now, with what the server knows of them. */
function withWaiting(visit, waiting) {
  const ids = new Set(waiting.map((m) => m.id));
  const members = (visit.members || []).map((m) => {
    const now = waiting.find((w) => w.id === m.id);
    return now ? { ...m, ...now, waiting: true } : { ...m, waiting: ids.has(m.id) };
  });
  for (const w of waiting) if (!members.some((m) => m.id === w.id)) members.push({ ...w, waiting: true });
  return { ...visit, members };
}

/**
 * @param bookFrom a chat closed with "appointment booked" to book for ({conversationId, who, language}), or null
 * @param onBookFromDone () => void: that booking is done (or given up)
 */
export function VisitsView({ api, socket, announce, showError, bookFrom, onBookFromDone, served }) {
  useLanguage();
  const [date, setDate] = useState(today());
  const [visits, setVisits] = useState(null); // null while loading
  const [selected, setSelected] = useState(null);
  const [booking, setBooking] = useState(Boolean(bookFrom));
  const [links] = useState(() => new Map());
  const [inCall, setInCall] = useState(null); // the visit id whose call is open here
  const [, setLinksChanged] = useState(0);
  const heading = useRef(null);
  const detailHeading = useRef(null);
  const formHeading = useRef(null);
  const st = useRef({});
  st.current.date = date;

  async function load(day = date) {
    try {
      const reply = await api.get(`/api/visits?date=${encodeURIComponent(day)}`);
      if (st.current.date === day) setVisits([...(reply?.visits || [])].sort(byStart));
    } catch (e) {
      setVisits([]);
      showError(errorText(e));
    }
  }

  /** A visit as the server now says it is: replaced, added if it falls on the day shown, removed if moved away. */
  function changed(visit) {
    if (!visit?.id) return;
    setVisits((list) => {
      const others = (list || []).filter((v) => v.id !== visit.id);
      const onDay = localDate(new Date(instant(visit.startsAt))) === st.current.date;
      return onDay ? [...others, visit].sort(byStart) : others;
    });
  }

  useEffect(() => {
    load(date);
  }, [date]);

  useEffect(() => {
    const offs = [
      socket.on('visit.updated', (frame) => changed(frame.visit)),
      socket.on('visit.waiting-room', (frame) => {
        setVisits((list) => {
          const visit = (list || []).find((v) => v.id === frame.visitId);
          if (!visit) {
            load(st.current.date); // a visit of ours not on the list yet
            return list;
          }
          const before = new Set(waitingMembers(visit).map((m) => m.id));
          const next = withWaiting(visit, frame.waiting || []);
          const arrived = waitingMembers(next).filter((m) => !before.has(m.id));
          if (arrived.length) announce(arrived.map((m) => t('visit.arrived', { name: m.name || t(`visit.kind.${m.kind}`), check: checkText(m) })).join(' '));
          return list.map((v) => (v.id === visit.id ? next : v));
        });
      }),
    ];
    // after a reconnect the list may be behind: ask again
    socket.onReady(() => load(st.current.date));
    return () => offs.forEach((off) => off());
  }, [socket]);

  useEffect(() => {
    if (bookFrom) {
      setBooking(true);
      afterRender(() => formHeading.current?.focus());
    }
  }, [bookFrom]);

  async function act(success, fn) {
    try {
      await fn();
      if (success) announce(success);
    } catch (e) {
      showError(errorText(e));
    }
  }

  function booked(visit) {
    if (visit.joinLink) links.set(visit.id, visit.joinLink);
    setBooking(false);
    if (bookFrom) onBookFromDone();
    const day = localDate(new Date(instant(visit.startsAt)));
    if (day !== date) setDate(day);
    else changed(visit);
    setSelected(visit.id);
    announce(t('visit.book.done', { who: visit.patient?.name || '', time: timeRange(visit) }));
    afterRender(() => detailHeading.current?.focus());
  }

  const visit = (visits || []).find((v) => v.id === selected) || null;
  return html`<div class="visits-view" data-testid="visits-view">
    <section aria-labelledby="visits-title">
      <h2 id="visits-title" tabindex="-1" ref=${heading}>${t('visit.list.title')}</h2>
      <div class="visits-toolbar">
        <div class="field"><label for="visits-date">${t('visit.list.date')}</label>
          <input id="visits-date" type="date" value=${date} data-testid="visits-date" onChange=${(e) => e.target.value && setDate(e.target.value)} /></div>
        <button type="button" data-testid="visits-today" onClick=${() => setDate(today())}>${t('visit.list.today')}</button>
        <button type="button" class="primary" data-testid="visit-book-open" aria-expanded=${booking}
            onClick=${() => { setBooking(!booking); if (!booking) afterRender(() => formHeading.current?.focus()); }}>${t('visit.book.open')}</button>
      </div>
      ${visits === null ? html`<p class="hint">${t('common.loading')}</p>`
        : visits.length === 0 ? html`<p class="hint" data-testid="visits-none">${t('visit.list.none')}</p>`
        : html`<ul class="visit-list" data-testid="visit-list">${visits.map((v) => {
          const waiting = waitingMembers(v);
          return html`<li><button type="button" class="visit-row" data-testid=${`visit-row-${v.id}`} aria-current=${v.id === selected ? 'true' : undefined}
              onClick=${() => { setSelected(v.id); afterRender(() => detailHeading.current?.focus()); }}>
            <span class="visit-when">${timeRange(v)} · ${v.patient?.name || t('visit.kind.patient')}</span>
            <span>${stateText(v)} · ${t('visit.memberCount', { n: (v.members || []).length })}</span>
            ${waiting.map((m) => html`<span class="visit-waiting-mark" data-testid="visit-row-waiting">${t('visit.waitingWho', { name: m.name || t(`visit.kind.${m.kind}`), check: checkText(m) })}</span>`)}
          </button></li>`;
        })}</ul>`}
    </section>
    <div>
      ${booking ? html`<${BookForm} api=${api} date=${date} from=${bookFrom} served=${served} headingRef=${formHeading} onBooked=${booked}
          onCancel=${() => { setBooking(false); if (bookFrom) onBookFromDone(); afterRender(() => heading.current?.focus()); }} />` : null}
      ${visit ? html`<${VisitDetail} key=${visit.id} api=${api} socket=${socket} visit=${visit} links=${links} headingRef=${detailHeading}
          setLink=${(key, link) => { links.set(key, link); setLinksChanged((n) => n + 1); }} changed=${changed} act=${act}
          inCall=${inCall === visit.id} setInCall=${(on) => setInCall(on ? visit.id : null)} />`
        : !booking ? html`<p class="hint">${t('visit.detail.none')}</p>` : null}
    </div>
  </div>`;
}
