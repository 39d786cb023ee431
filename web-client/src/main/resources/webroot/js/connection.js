// The connection indicator (role=status): online, connecting, reconnecting, offline or open elsewhere, as text
// (with a symbol), never by colour alone. A Preact component: its state (the socket's state and the page
// language) lives in the component, which listens to the socket, the browser's online and offline events
// and language changes.
import { html, render, useEffect, useReducer, useState } from './ui.js';
import { preferredLanguage, setLanguage, languagePicker, t } from './i18n.js';

/** What every page does first: its language, the language picker and the connection indicator. */
export async function startPage(socket, picker, indicatorSlot) {
  try {
    await setLanguage(preferredLanguage());
  } catch (e) {
    // Without a bundle the keys show; the page still works.
  }
  languagePicker(picker);
  render(html`<${ConnectionIndicator} socket=${socket} />`, indicatorSlot);
}

/** What to say: null while the socket is stopped (signed out), else a `connection.<state>` key suffix. */
export function connectionState(socket) {
  if (socket.stopped) return null;
  let state = socket.state;
  if (state === 'connecting' && socket.everOnline) state = 'reconnecting';
  // The browser knows the network is gone before the socket does (a half-open socket takes a
  // missed pong to notice): say so at once; messages written meanwhile wait in the outbox.
  if (!navigator.onLine && state !== 'elsewhere') state = 'offline';
  return state;
}

export function ConnectionIndicator({ socket }) {
  const [state, setState] = useState(() => connectionState(socket));
  useEffect(() => {
    const update = () => setState(connectionState(socket));
    const unsubscribe = socket.on('state', update);
    window.addEventListener('offline', update);
    window.addEventListener('online', update);
    update(); // whatever changed between the first render and this effect
    return () => {
      unsubscribe();
      window.removeEventListener('offline', update);
      window.removeEventListener('online', update);
    };
  }, [socket]);
  useLanguage();
  // One <p role=status> that stays in the document (hidden while stopped), so its changes are announced.
  return html`<p class="connection" role="status" data-testid="connection-status"
      data-state=${state ?? undefined} hidden=${state === null}>${state ? t(`connection.${state}`) : ''}</p>`;
}

/** Renders the component again after a language change ('kanava:language'), with texts from the new bundle. */
function useLanguage() {
  const [, languageChanged] = useReducer((n) => n + 1, 0);
  useEffect(() => {
    document.addEventListener('kanava:language', languageChanged);
    return () => document.removeEventListener('kanava:language', languageChanged);
  }, []);
}
