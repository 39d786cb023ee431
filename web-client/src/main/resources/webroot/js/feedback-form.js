// The patient's feedback form (docs/protocol.md, "Feedback"), after a chat (the end screen,
// patient/end-screen.js) and after a remote visit (visit/app.js): THL's recommendation question
// (0–10, the only required answer), the queue's core statements (1–5 each) and optional free text,
// with Send and a one-click Skip (at the top too, so that nobody has to scroll past the questions to
// decline). Once answered or skipped a thank-you line replaces the form, announced by its live
// region; the answer is remembered per event in this tab's sessionStorage so that a reload does not
// ask again, and a feedback_duplicate reply (answered in another tab) counts as answered.
import { html, useState, useRef, useEffect } from './ui.js';
import { t } from './i18n.js';
import { errorText, uid } from './dom.js';

// The form's styles come with it, for each page that shows it.
if (!document.querySelector('link[href="/css/feedback.css"]')) {
  document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/css/feedback.css' }));
}

const STORAGE_PREFIX = 'kanava.patient.feedback.';
export const TEXT_MAX = 2000;
const SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const LEVELS = [1, 2, 3, 4, 5];

/** 'sent', 'skipped' or 'none' (nothing to ask) once this tab has settled the event's feedback; null otherwise. */
export function feedbackDone(eventId) {
  try {
    return sessionStorage.getItem(STORAGE_PREFIX + eventId);
  } catch {
    return null;
  }
}

function remember(eventId, how) {
  try {
    sessionStorage.setItem(STORAGE_PREFIX + eventId, how);
  } catch {
    // storage full or refused: the server still refuses a second answer (feedback_duplicate)
  }
}

/** One 0–10 or 1–5 radio box: the number shows, `extra` is read out after it. */
function Box({ name, value, checked, onChange, extra, testid }) {
  return html`
    <label class="scale-box">
      <input type="radio" name=${name} value=${value} checked=${checked} data-testid=${testid}
        onChange=${() => onChange(value)} />
      <span aria-hidden=${extra ? 'true' : undefined}>${value}</span>
      ${extra ? html`<span class="visually-hidden">${value} ${extra}</span>` : null}
    </label>`;
}

/**
 * @param about the event the frames name: {conversationId} (a closed conversation) or {visitId} (a completed visit)
 * @param statements the queue's statement ids (feedbackStatements), in order
 * @param request async (frame) => reply frame; rejects with an ApiError for an error frame
 * @param onSettled optional (how) => void once the answer is sent or skipped ('sent', 'skipped', 'none')
 */
export function FeedbackForm({ about, statements = [], request, onSettled }) {
  const eventId = about.conversationId || about.visitId;
  const [ids] = useState(() => ({ score: uid('fb-score'), anchors: uid('fb-anchors'), error: uid('fb-error'),
    text: uid('fb-text'), counter: uid('fb-counter'), title: uid('fb-title') }));
  const [done, setDone] = useState(() => feedbackDone(eventId));
  const [score, setScore] = useState(null);
  const [answers, setAnswers] = useState({});
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const firstScore = useRef(null);
  const thanks = useRef(null);
  const focusThanks = useRef(false);

  // another event shown in the same place starts afresh
  useEffect(() => {
    setDone(feedbackDone(eventId));
    setScore(null);
    setAnswers({});
    setText('');
    setMissing(false);
    setError(null);
  }, [eventId]);

  useEffect(() => {
    if (focusThanks.current && thanks.current) {
      thanks.current.focus();
      focusThanks.current = false;
    }
  });

  const settle = (how) => {
    remember(eventId, how);
    focusThanks.current = how !== 'none';
    setDone(how);
    if (onSettled) onSettled(how);
  };

  const send = async (frame, how) => {
    setBusy(true);
    setError(null);
    try {
      await request(frame);
      settle(how);
    } catch (e) {
      if (e && e.code === 'feedback_duplicate') settle('sent');
      else if (e && e.code === 'feedback_not_asked') settle('none');
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event) => {
    event.preventDefault();
    if (busy) return;
    if (score === null) {
      setMissing(true);
      if (firstScore.current) firstScore.current.querySelector('input').focus();
      return;
    }
    const chosen = Object.fromEntries(statements.filter((id) => answers[id]).map((id) => [id, answers[id]]));
    const frame = { type: 'feedback.submit', ...about, score, statements: chosen };
    if (text.trim()) frame.text = text.trim();
    send(frame, 'sent');
  };

  const skip = () => {
    if (!busy) send({ type: 'feedback.skip', ...about }, 'skipped');
  };

  if (done === 'none') return null;
  return html`
    <section class="feedback" aria-labelledby=${ids.title} data-testid="feedback">
      <div role="status" class="feedback-status">
        ${done ? html`<p class="feedback-thanks" tabindex="-1" ref=${thanks} data-testid="feedback-thanks">
          ${t(done === 'skipped' ? 'feedback.skippedThanks' : 'feedback.thanks')}</p>` : null}
      </div>
      ${done ? null : html`
      <div class="feedback-head">
        <div>
          <h3 id=${ids.title}>${t('feedback.title')}</h3>
          <p class="hint">${t('feedback.intro')}</p>
        </div>
        <button type="button" disabled=${busy} data-testid="feedback-skip-top" onClick=${skip}>${t('feedback.skip')}</button>
      </div>
      <form noValidate onSubmit=${submit} data-testid="feedback-form">
        <fieldset class=${`question scale feedback-score${missing && score === null ? ' invalid' : ''}`}
          aria-describedby=${missing && score === null ? `${ids.anchors} ${ids.error}` : ids.anchors} data-testid="feedback-score">
          <legend>${t('feedback.score')}</legend>
          <div class="scale-boxes scale-11" ref=${firstScore}>
            ${SCORES.map((n) => html`<${Box} key=${n} name=${ids.score} value=${n} checked=${score === n}
              testid=${`feedback-score-${n}`} onChange=${(v) => { setScore(v); setMissing(false); }} />`)}
          </div>
          <p class="scale-anchors" id=${ids.anchors}><span>${t('feedback.scoreLow')}</span> <span>${t('feedback.scoreHigh')}</span></p>
          ${missing && score === null ? html`<p class="field-error" id=${ids.error} data-testid="feedback-score-error">${t('feedback.scoreMissing')}</p>` : null}
        </fieldset>
        ${statements.length ? html`
          <p class="feedback-statements-lead">${t('feedback.statements')}</p>
          ${statements.map((id) => html`
            <fieldset key=${id} class="question scale" data-testid=${`feedback-statement-${id}`}>
              <legend>${t(`feedback.statement.${id}`)}</legend>
              <div class="scale-boxes scale-5">
                ${LEVELS.map((n) => html`<${Box} key=${n} name=${`${ids.score}-${id}`} value=${n} checked=${answers[id] === n}
                  extra=${t(`feedback.agree${n}`)} testid=${`feedback-${id}-${n}`}
                  onChange=${(v) => setAnswers((now) => ({ ...now, [id]: v }))} />`)}
              </div>
              <p class="scale-anchors" aria-hidden="true"><span>${t('feedback.agree1')}</span> <span>${t('feedback.agree5')}</span></p>
            </fieldset>`)}` : null}
        <div class="field">
          <label for=${ids.text}>${t('feedback.text')}</label>
          <textarea id=${ids.text} maxLength=${TEXT_MAX} rows="4" value=${text} data-testid="feedback-text"
            aria-describedby=${`${ids.text}-hint ${ids.counter}`} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
          <p class="hint" id=${`${ids.text}-hint`}>${t('feedback.textHint')}</p>
          <p class="hint feedback-counter" id=${ids.counter} data-testid="feedback-counter">
            ${t('feedback.counter', { n: text.length, max: TEXT_MAX })}</p>
        </div>
        ${error ? html`<p class="field-error" role="alert" data-testid="feedback-error">${error}</p>` : null}
        <div class="actions">
          <button type="submit" class="primary" disabled=${busy} data-testid="feedback-send">${t('feedback.send')}</button>
          <button type="button" disabled=${busy} data-testid="feedback-skip" onClick=${skip}>${t('feedback.skip')}</button>
        </div>
      </form>`}
    </section>`;
}
