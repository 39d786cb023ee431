// What the professionals' pages (the console and the supervisor page) share: the sign-in form, the alert
// they show errors in, and the language picker of their settings menu.
import { html, useEffect, useRef, useState } from './ui.js';
import { t, LANGUAGES, language, setLanguage } from './i18n.js';
import { showAlert, errorText } from './dom.js';

/** An alert region that announces `message.text` each time a new message object is given. */
export function Alert({ id, testid, message }) {
  const ref = useRef(null);
  useEffect(() => showAlert(ref.current, message.text), [message]);
  return html`<div id=${id} ref=${ref} class="alert" role="alert" data-testid=${testid} hidden></div>`;
}

/**
 * The sign-in form. The page keeps the error (`error`, a `{ text }` it may also set itself, say
 * when a session expired) and the username field's ref (to focus it when it shows the form);
 * `onSignedIn` runs once the tokens are set. The password never outlives a try.
 */
export function SignInForm({ api, hidden, error, setError, usernameRef, onSignedIn }) {
  const password = useRef(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const username = usernameRef.current.value;
    const secret = password.current;
    setError('');
    if (!username.trim() || !secret.value) {
      setError(t('login.missing'));
      (username.trim() ? secret : usernameRef.current).focus();
      return;
    }
    setBusy(true);
    try {
      const pair = await api.request('POST', '/api/auth/login', { body: { username, password: secret.value }, auth: false });
      secret.value = '';
      api.setTokens(pair);
      await onSignedIn();
    } catch (e) {
      secret.value = '';
      setError(e.code === 'too_many_attempts' && e.retryAfter
        ? t('error.too_many_attempts_wait', { minutes: Math.max(1, Math.ceil(e.retryAfter / 60)) })
        : errorText(e));
      secret.focus();
    } finally {
      setBusy(false);
    }
  }

  return html`
    <section id="login-view" class="login" aria-labelledby="login-title" hidden=${hidden}>
      <h2 id="login-title">${t('login.title')}</h2>
      <form id="login-form" novalidate onSubmit=${submit}>
        <div class="field">
          <label for="login-username">${t('login.username')}</label>
          <input id="login-username" name="username" autocomplete="username" required maxlength="100"
              autocapitalize="none" spellcheck="false" data-testid="login-username" ref=${usernameRef} />
        </div>
        <div class="field">
          <label for="login-password">${t('login.password')}</label>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required
              maxlength="256" data-testid="login-password" ref=${password} />
        </div>
        <${Alert} id="login-error" testid="login-error" message=${error} />
        <div class="actions">
          <button type="submit" class="primary" data-testid="login-submit" disabled=${busy}>${t('login.submit')}</button>
        </div>
      </form>
    </section>`;
}

/** The page language, chosen in the settings menu. */
export function LanguagePicker() {
  return html`<label class="language-picker"><span>${t('app.language')}</span>
    <select id="language" value=${language()} onChange=${(event) => setLanguage(event.target.value)}>
      ${LANGUAGES.map((l) => html`<option value=${l.code}>${l.name}</option>`)}
    </select>
  </label>`;
}
