// The expert registry in the console: find a colleague of one's own organisation by name, specialty,
// skill or profession, and by language, with their availability and load now, and pick one
// (GET /api/professionals, docs/protocol.md "Expert registry"). The transfer form uses it to transfer
// to a named colleague; the consultation dialog uses it to consult one.
//
// Accessibility: a search field and a language filter, then the results as a group of radio buttons
// (one tab stop; arrows move between colleagues and select, as radios do; Space selects), each
// labelled with everything the row shows, availability in words, never by colour alone. The number
// of results is announced through a polite live region after each search. The caller is listed but
// disabled ("you"), so nobody transfers to themselves.
import { html, useEffect, useRef, useState } from '../ui.js';
import { uid } from '../dom.js';

/** How long typing pauses before the search runs, so that every key press is not a request. */
const SEARCH_DELAY_MS = 250;
const LANGUAGES = ['fi', 'sv', 'en', 'se', 'smn', 'sms'];

/**
 * ExpertSearch({ api, t, onSelect, selectedId, label })
 *
 * @param api        the console's Api (js/api.js): its get(path) calls GET /api/professionals
 * @param t          the translation function (js/i18n.js t): texts come from the bundles, keys `experts.*`
 * @param onSelect   (professional) => void: a colleague was chosen; `professional` is the registry's object
 *                   {id, name, role, profession, specialties, skills, languages, status, available,
 *                   load: {active, waitingTransfers, maxConcurrent}, self}
 * @param selectedId the id of the chosen colleague (controlled by the caller), or null/'' for none
 * @param label      the visible name of the group of results ("Colleague to transfer to"); also
 *                   names the search field ("Search: <label>")
 */
export function ExpertSearch({ api, t, onSelect, selectedId, label }) {
  const ids = useRef(null);
  if (!ids.current) {
    ids.current = { query: uid('expert-q'), language: uid('expert-lang'), available: uid('expert-available'), group: uid('expert-group'),
      legend: uid('expert-legend'), status: uid('expert-status'), hint: uid('expert-hint') };
  }
  const id = ids.current;
  const [query, setQuery] = useState('');
  const [language, setLanguage] = useState('');
  const [availableOnly, setAvailableOnly] = useState(false);
  const [results, setResults] = useState(null); // null until the first answer
  const [error, setError] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const latest = useRef(0);

  useEffect(() => {
    const run = ++latest.current;
    const timer = setTimeout(async () => {
      const params = new URLSearchParams();
      if (query.trim()) params.set('q', query.trim());
      if (language) params.set('language', language);
      if (availableOnly) params.set('available', 'true');
      const qs = params.toString();
      try {
        const found = await api.get(`/api/professionals${qs ? `?${qs}` : ''}`);
        if (run !== latest.current) return; // a newer search is under way
        setResults(found);
        setError('');
        setAnnouncement(found.length === 0 ? t('experts.none') : t('experts.count', { n: found.length }));
      } catch (e) {
        if (run !== latest.current) return;
        const text = e && e.code === 'query_too_long' ? t('experts.queryTooLong') : t('experts.failed');
        setResults([]);
        setError(text);
        setAnnouncement(text);
      }
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, language, availableOnly]);

  const list = results || [];
  return html`<div class="expert-search" data-testid="expert-search">
    <div class="expert-filters">
      <div class="field">
        <label for=${id.query}>${t('experts.search')}</label>
        <input id=${id.query} type="search" maxlength="100" autocomplete="off" value=${query} data-testid="expert-query"
            aria-describedby=${id.hint} onInput=${(e) => setQuery(e.target.value)} />
        <p class="hint small" id=${id.hint}>${t('experts.searchHint')}</p>
      </div>
      <div class="field">
        <label for=${id.language}>${t('experts.language')}</label>
        <select id=${id.language} value=${language} data-testid="expert-language" onChange=${(e) => setLanguage(e.target.value)}>
          <option value="">${t('experts.anyLanguage')}</option>
          ${LANGUAGES.map((code) => html`<option value=${code}>${t(`lang.${code}`)}</option>`)}
        </select>
      </div>
      <div class="field checkbox">
        <input id=${id.available} type="checkbox" checked=${availableOnly} data-testid="expert-available"
            onChange=${(e) => setAvailableOnly(e.target.checked)} />
        <label for=${id.available}>${t('experts.availableOnly')}</label>
      </div>
    </div>
    <p class="visually-hidden" role="status" aria-live="polite" id=${id.status} data-testid="expert-status">${announcement}</p>
    ${error ? html`<p class="field-error" data-testid="expert-error">${error}</p>` : null}
    <fieldset class="expert-results" id=${id.group} aria-describedby=${id.status} data-testid="expert-results">
      <legend id=${id.legend}>${label}</legend>
      ${results === null ? html`<p class="hint small">${t('experts.loading')}</p>` : null}
      ${results !== null && list.length === 0 && !error ? html`<p class="hint small">${t('experts.none')}</p>` : null}
      ${list.length > 0 ? html`<ul class="expert-list">
        ${list.map((p) => html`<${ExpertRow} key=${p.id} p=${p} t=${t} group=${id.group} checked=${p.id === selectedId}
            onSelect=${onSelect} />`)}
      </ul>` : null}
    </fieldset>
  </div>`;
}

/** One colleague: a radio button whose label holds name, role, specialties, languages, availability and load. */
function ExpertRow({ p, t, group, checked, onSelect }) {
  const rowId = `${group}-${p.id}`;
  const role = [t(`role.${p.role}`), p.profession].filter(Boolean).join(', ');
  const load = p.load || { active: 0, waitingTransfers: 0, maxConcurrent: 0 };
  return html`<li class=${`expert-row${p.self ? ' self' : ''}`}>
    <input type="radio" name=${group} id=${rowId} value=${p.id} checked=${checked} disabled=${p.self}
        data-testid=${`expert-${p.id}`} onChange=${() => onSelect(p)} />
    <label for=${rowId}>
      <span class="expert-name">${p.name}${p.self ? ` (${t('experts.self')})` : ''}</span>
      <span class="expert-role">${role}</span>
      ${p.specialties && p.specialties.length ? html`<span class="expert-terms">${t('experts.specialties')} ${p.specialties.join(', ')}</span>` : null}
      ${p.skills && p.skills.length ? html`<span class="expert-terms">${t('experts.skills')} ${p.skills.join(', ')}</span>` : null}
      <span class="expert-langs">${t('experts.languages')} ${(p.languages || []).map((code) => t(`lang.${code}`)).join(', ')}</span>
      <span class=${`expert-status status-${p.status}`}>${t(`presence.${p.status}`)}</span>
      <span class="expert-load">${t('experts.load', { active: load.active, max: load.maxConcurrent })}${load.waitingTransfers
        ? ` ${t('experts.waitingTransfers', { n: load.waitingTransfers })}` : ''}</span>
    </label>
  </li>`;
}
