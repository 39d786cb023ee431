// Professional feedback about the tool (docs/protocol.md, "Professional feedback"): when the server
// sends profeedback.ask, a small notice above the workspace asks one question (0–10), two optional
// statements and optional text; Send, or Skip in one click. The answer goes as profeedback.submit
// or profeedback.skip; a thank-you line is announced and the notice closes.
import { html, useEffect, useRef, useState } from '../ui.js';
import { t } from '../i18n.js';
import { errorText } from '../dom.js';

const TEXT_MAX = 2000;

export function ProFeedback({ socket, announce }) {
  const [asked, setAsked] = useState(null); // the statements asked, or null while nothing is asked
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useRef(null);

  useEffect(() => socket.on('profeedback.ask', (frame) => setAsked(frame.statements || [])), [socket]);

  async function send(frame) {
    setBusy(true);
    setError('');
    try {
      const reply = await socket.request(frame);
      setAsked(null);
      announce(t(reply.skipped ? 'profeedback.skipped' : 'profeedback.thanks'));
    } catch (e) {
      if (e.code === 'profeedback_not_asked') setAsked(null);
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  function submit(event) {
    event.preventDefault();
    const data = new FormData(form.current);
    const score = data.get('score');
    if (score === null || score === '') {
      setError(t('profeedback.scoreMissing'));
      form.current.querySelector('#profeedback-score').focus();
      return;
    }
    const statements = {};
    for (const id of asked) {
      const value = data.get(`statement-${id}`);
      if (value) statements[id] = Number(value);
    }
    const text = String(data.get('text') || '').trim();
    send({ type: 'profeedback.submit', score: Number(score), statements, ...(text ? { text } : {}) });
  }

  if (asked === null) return null;
  return html`
    <section class="notice profeedback" aria-labelledby="profeedback-title" data-testid="profeedback">
      <h2 id="profeedback-title">${t('profeedback.title')}</h2>
      <form ref=${form} novalidate onSubmit=${submit}>
        <div class="field">
          <label for="profeedback-score">${t('profeedback.score')}</label>
          <select id="profeedback-score" name="score" data-testid="profeedback-score"
              aria-describedby=${error ? 'profeedback-error' : undefined}>
            <option value="">${t('profeedback.choose')}</option>
            ${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => html`<option value=${n}>${n}</option>`)}
          </select>
          <p class="hint">${t('profeedback.scale')}</p>
        </div>
        ${asked.map((id) => html`
          <div class="field">
            <label for=${`profeedback-${id}`}>${t(`profeedback.statement.${id}`)}</label>
            <select id=${`profeedback-${id}`} name=${`statement-${id}`}>
              <option value="">${t('profeedback.optional')}</option>
              ${[1, 2, 3, 4, 5].map((n) => html`<option value=${n}>${n} – ${t(`feedback.agree${n}`)}</option>`)}
            </select>
          </div>`)}
        <div class="field">
          <label for="profeedback-text">${t('profeedback.text')}</label>
          <textarea id="profeedback-text" name="text" rows="2" maxlength=${TEXT_MAX}></textarea>
        </div>
        <p id="profeedback-error" class="error" role="alert" data-testid="profeedback-error">${error}</p>
        <div class="actions">
          <button type="submit" class="primary" disabled=${busy} data-testid="profeedback-send">${t('profeedback.send')}</button>
          <button type="button" disabled=${busy} data-testid="profeedback-skip"
              onClick=${() => send({ type: 'profeedback.skip' })}>${t('profeedback.skip')}</button>
        </div>
      </form>
    </section>`;
}
