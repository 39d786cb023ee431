// The monthly figures (GET /api/reports/monthly) of last month or a chosen one, as bars that can be
// read at a glance with the numbers written next to them (the bars are decoration; the table holds
// the figures), and the same report as a CSV download. The download is fetched with the
// Authorization header and saved from a blob: a token never goes into a URL.
import { html, useEffect, useState } from '../ui.js';
import { t } from '../i18n.js';
import { formatNps } from './live.js';

function lastMonth(now = new Date()) {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

const number = (value, digits = 0) => (value === null || value === undefined ? '–'
  : new Intl.NumberFormat(document.documentElement.lang || 'fi', { maximumFractionDigits: digits }).format(value));
const percent = (share) => (share === null || share === undefined ? '–' : `${number(share * 100, 0)} %`);
const minutes = (seconds) => (seconds === null || seconds === undefined ? '–' : t('supervisor.month.minutes', { n: number(seconds / 60, 1) }));

/** One figure as a bar (aria-hidden) with its value as text beside it. */
function Bar({ value, max, text, kind = '' }) {
  const width = max > 0 && value ? Math.max(1, Math.round((Math.abs(value) / max) * 100)) : 0;
  return html`<span class="bar-cell">
    <span class=${`bar ${kind}`} aria-hidden="true"><span style=${`width: ${width}%`}></span></span>
    <span class="bar-value">${text}</span>
  </span>`;
}

/** The NPS bar runs from the middle: left for negative, right for positive. */
function NpsBar({ nps }) {
  const width = nps === null || nps === undefined ? 0 : Math.round(Math.abs(nps) / 2);
  const side = nps < 0 ? `right: 50%; width: ${width}%` : `left: 50%; width: ${width}%`;
  return html`<span class="bar-cell">
    <span class="bar bar-nps" aria-hidden="true"><span style=${side}></span></span>
    <span class="bar-value">${formatNps(nps)}</span>
  </span>`;
}

/** The report's query: the month, and the rows by queue or by unit. */
const query = (month, by) => `month=${encodeURIComponent(month)}&by=${encodeURIComponent(by)}`;

async function downloadCsv(api, month, by) {
  if (!api.accessToken) await api.refresh();
  const response = await fetch(`/api/reports/monthly.csv?${query(month, by)}`, {
    headers: { authorization: `Bearer ${api.accessToken}`, 'x-kanava-session': api.page, accept: 'text/csv' },
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!response.ok) {
    let code = `http_${response.status}`;
    try {
      code = (await response.json()).code || code;
    } catch (e) {
      // no JSON body
    }
    throw Object.assign(new Error(code), { code });
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = by === 'unit' ? `kanava-${month}-by-unit.csv` : `kanava-${month}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The professionals' answers about the tool: apart from the patients' figures above, by role. */
function ProfessionalFigures({ figures }) {
  const roles = Object.entries(figures.byRole || {});
  return html`
    <h3 id="pro-title">${t('supervisor.pro.title')}</h3>
    <p class="hint" data-testid="pro-summary">${t('supervisor.pro.summary', { nps: formatNps(figures.nps), n: number(figures.responses),
      skipped: number(figures.skipped) })}</p>
    ${roles.length === 0 ? null : html`
      <table class="figures" data-testid="pro-table">
        <caption class="visually-hidden">${t('supervisor.pro.title')}</caption>
        <thead><tr>
          <th scope="col">${t('supervisor.pro.role')}</th>
          <th scope="col">${t('supervisor.month.nps')}</th>
          <th scope="col">${t('supervisor.pro.responses')}</th>
        </tr></thead>
        <tbody>${roles.map(([role, r]) => html`<tr key=${role}>
          <th scope="row">${t(`role.${role}`)}</th>
          <td><${NpsBar} nps=${r.nps} /></td>
          <td>${number(r.responses)}</td>
        </tr>`)}</tbody>
      </table>`}`;
}

/** Consultations asked, and how many passed their due time unanswered. */
const consultations = (r) => t('reports.consultationsText', { n: number(r.consultations.opened), breached: number(r.consultations.breached) });

export function MonthlyFigures({ api, onError }) {
  const [month, setMonth] = useState(lastMonth);
  const [by, setBy] = useState('queue');
  const [report, setReport] = useState(null);
  const [busy, setBusy] = useState(false);

  async function load(which) {
    setBusy(true);
    try {
      setReport(await api.get(`/api/reports/monthly?${query(which, by)}`));
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    load(month);
  }, []);

  async function csv() {
    try {
      await downloadCsv(api, month, by);
    } catch (error) {
      onError(error);
    }
  }

  const byUnit = report !== null && report.by === 'unit';
  const rows = report ? (byUnit ? report.units : report.queues) : [];
  // a row's name: the queue's or unit's, or (by unit) the events no unit served
  const rowName = (r) => (byUnit ? (r.unitId === null ? t('reports.noUnit') : r.unitName || r.unitId) : r.queueName || r.queueId);
  const maxContacts = Math.max(0, ...rows.map((r) => r.contacts || 0));
  const maxConsults = Math.max(0, ...rows.map((r) => (r.consultations ? r.consultations.opened : 0)));
  const maxWait = Math.max(0, ...rows.map((r) => r.waitP90Seconds || 0));
  return html`
    <section id="monthly" class="supervisor-section" aria-labelledby="monthly-title">
      <h2 id="monthly-title">${t('supervisor.month.title')}</h2>
      <form class="month-form" onSubmit=${(event) => { event.preventDefault(); load(month); }}>
        <div class="field">
          <label for="month-input">${t('supervisor.month.choose')}</label>
          <input id="month-input" type="month" required value=${month} data-testid="month-input"
              onInput=${(event) => setMonth(event.target.value)} />
        </div>
        <div class="field">
          <label for="month-by">${t('reports.by')}</label>
          <select id="month-by" value=${by} data-testid="month-by" onChange=${(event) => setBy(event.target.value)}>
            <option value="queue">${t('reports.byQueue')}</option>
            <option value="unit">${t('reports.byUnit')}</option>
          </select>
        </div>
        <div class="actions">
          <button type="submit" disabled=${busy} data-testid="month-show">${t('supervisor.month.show')}</button>
          <button type="button" onClick=${csv} data-testid="month-csv">${t('supervisor.month.csv')}</button>
        </div>
      </form>
      ${report === null ? html`<p class="hint">${t('common.loading')}</p>` : html`
        <p class="hint" data-testid="month-shown">${t('supervisor.month.shown', { month: report.month })}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="monthly-title">
          <table class="figures month-figures" data-testid="month-table">
            <caption class="visually-hidden">${t('supervisor.month.caption', { month: report.month })}</caption>
            <thead><tr>
              <th scope="col">${byUnit ? t('reports.unit') : t('supervisor.live.queue')}</th>
              <th scope="col">${t('supervisor.month.contacts')}</th>
              <th scope="col">${t('supervisor.month.resolved')}</th>
              <th scope="col">${t('supervisor.month.waits')}</th>
              <th scope="col">${t('supervisor.month.nps')}</th>
              <th scope="col">${t('supervisor.month.responseRate')}</th>
              <th scope="col">${t('reports.consultations')}</th>
            </tr></thead>
            <tbody>
              ${[...rows, { ...report.total, total: true }].map((r) => html`
                <tr key=${r.total ? 'total' : (r.queueId || r.unitId || 'none')} class=${r.total ? 'total' : ''}>
                  <th scope="row">${r.total ? t('supervisor.month.total') : rowName(r)}</th>
                  <td>${r.total ? number(r.contacts) : html`<${Bar} value=${r.contacts} max=${maxContacts} text=${number(r.contacts)} />`}</td>
                  <td>${percent(r.resolvedWithoutReferralShare)}</td>
                  <td>${r.total ? `${minutes(r.waitP50Seconds)} / ${minutes(r.waitP90Seconds)}`
                    : html`<${Bar} value=${r.waitP90Seconds} max=${maxWait} kind="bar-wait"
                        text=${`${minutes(r.waitP50Seconds)} / ${minutes(r.waitP90Seconds)}`} />`}</td>
                  <td><${NpsBar} nps=${r.nps} /> <span class="hint">${t('supervisor.month.answers', { n: number(r.npsResponses) })}</span></td>
                  <td>${percent(r.responseRate)}</td>
                  <td data-testid="month-consultations">${r.total ? consultations(r)
                    : html`<${Bar} value=${r.consultations.opened} max=${maxConsults} kind="bar-consult" text=${consultations(r)} />`}</td>
                </tr>`)}
            </tbody>
          </table>
        </div>
        <p class="hint">${t('supervisor.month.legend')} ${t('reports.legend')}</p>
        ${report.professionalFeedback ? html`<${ProfessionalFigures} figures=${report.professionalFeedback} />` : null}`}
    </section>`;
}
