// The supervisor page as one Preact component, SupervisorApp: sign-in (as in the console), the user
// bar, the live figures per queue (pushed on the socket: figures.watch, then figures.live) and the
// monthly figures with their CSV download. The socket and API are services passed in as props.
import { html, useEffect, useReducer, useRef } from '../ui.js';
import { t } from '../i18n.js';
import { errorText } from '../dom.js';
import { Alert, LanguagePicker, SignInForm } from '../pro-page.js';
import { ConnectionIndicator } from '../connection.js';
import { useLanguage } from '../console/hooks.js';
import { LiveFigures } from './live.js';
import { MonthlyFigures } from './monthly.js';

/** Roles that may read figures (the server decides whose). */
const FIGURE_READERS = new Set(['supervisor', 'admin', 'platform_admin']);

export function SupervisorApp({ api, socket }) {
  useLanguage();
  const [, rerender] = useReducer((n) => n + 1, 0);
  const st = useRef(null);
  if (!st.current) {
    st.current = {
      phase: api.hasSession ? 'loading' : 'login', // 'loading', 'login', 'workspace' or 'refused'
      you: null,
      alert: { text: '' },
      loginError: { text: '' },
    };
  }
  const s = st.current;
  const set = (changes) => {
    Object.assign(s, changes);
    rerender();
  };
  const refs = { username: useRef(null) };

  function showLogin() {
    set({ phase: 'login' });
    setTimeout(() => refs.username.current?.focus());
  }

  async function resume() {
    set({ phase: 'loading' });
    try {
      await api.refresh();
      start();
    } catch (error) {
      if (api.hasSession) set({ alert: { text: errorText(error) } });
      else showLogin();
    }
  }

  function start() {
    set({ phase: 'loading', alert: { text: '' } });
    socket.start();
  }

  async function signOut() {
    socket.stop();
    try {
      await api.logout();
    } catch (e) {
      // signed out here either way
    }
    set({ you: null });
    showLogin();
  }

  useEffect(() => {
    const offReady = socket.on('ready', (frame) => {
      const you = frame.you || {};
      if (!FIGURE_READERS.has(you.role)) {
        set({ you, phase: 'refused' });
        return;
      }
      const first = s.phase !== 'workspace';
      set({ you, phase: 'workspace' });
      if (first) setTimeout(() => document.getElementById('live-title')?.focus());
    });
    const signedOut = (event) => {
      showLogin();
      if (event.detail.reason === 'expired') set({ loginError: { text: t('error.sessionExpired') } });
    };
    api.addEventListener('signedout', signedOut);
    if (api.hasSession) resume();
    else showLogin();
    return () => {
      offReady();
      api.removeEventListener('signedout', signedOut);
    };
  }, [api, socket]);

  const you = s.you || {};
  const userName = [you.name, you.role ? t(`role.${you.role}`) : ''].filter(Boolean).join(', ');
  return html`
    <header class="app-header">
      <h1><span>${t('app.name')}</span> <span class="subtitle">${t('supervisor.heading')}</span></h1>
      <div id="connection"><${ConnectionIndicator} socket=${socket} /></div>
      <div id="user-bar" class="user-bar" hidden=${s.phase !== 'workspace' && s.phase !== 'refused'}>
        <span id="user-name" class="user-name">${userName}</span>
        <button type="button" id="sign-out" data-testid="sign-out" onClick=${signOut}>${t('console.signOut')}</button>
      </div>
      <details class="header-menu">
        <summary>${t('console.settings')}</summary>
        <div class="header-menu-body">
          <${LanguagePicker} />
        </div>
      </details>
    </header>

    <main id="main" tabindex="-1">
      <${Alert} id="alert" message=${s.alert} />

      <${SignInForm} api=${api} hidden=${s.phase !== 'login'} error=${s.loginError}
          setError=${(text) => set({ loginError: { text } })} usernameRef=${refs.username} onSignedIn=${start} />

      <p id="loading" class="hint" hidden=${s.phase !== 'loading'}>${t('common.loading')}</p>
      <p class="notice" data-testid="supervisor-refused" hidden=${s.phase !== 'refused'}>
        ${t('supervisor.refused')} <a href="/console.html">${t('supervisor.toConsole')}</a>
      </p>

      ${s.phase === 'workspace' ? html`
        <div class="supervisor-workspace">
          <${LiveFigures} socket=${socket} onError=${(error) => set({ alert: { text: errorText(error) } })} />
          <${MonthlyFigures} api=${api} onError=${(error) => set({ alert: { text: errorText(error) } })} />
        </div>` : null}
    </main>`;
}
