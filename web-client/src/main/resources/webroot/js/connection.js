// The connection indicator (role=status): online, connecting, reconnecting, offline or open elsewhere, as text
// (with a symbol), never by colour alone.
import { setText } from './dom.js';
import { preferredLanguage, setLanguage, languagePicker } from './i18n.js';

/** What every page does first: its language, the language picker and the connection indicator. */
export async function startPage(socket, picker, indicator) {
  try {
    await setLanguage(preferredLanguage());
  } catch (e) {
    // Without a bundle the keys show; the page still works.
  }
  languagePicker(picker);
  bindConnectionIndicator(socket, indicator);
}

export function bindConnectionIndicator(socket, element) {
  const render = () => {
    if (socket.stopped) {
      element.hidden = true;
      return;
    }
    let state = socket.state;
    if (state === 'connecting' && socket.everOnline) state = 'reconnecting';
    // The browser knows the network is gone before the socket does (a half-open socket takes a
    // missed pong to notice): say so at once; messages written meanwhile wait in the outbox.
    if (!navigator.onLine && state !== 'elsewhere') state = 'offline';
    element.hidden = false;
    element.dataset.state = state;
    setText(element, `connection.${state}`);
  };
  socket.on('state', render);
  window.addEventListener('offline', render);
  window.addEventListener('online', render);
  render();
  return render;
}
