// The connection indicator (role=status): online, connecting, reconnecting or offline, as text
// (with a symbol), never by colour alone.
import { setText } from './dom.js';

export function bindConnectionIndicator(socket, element) {
  const render = () => {
    if (socket.stopped) {
      element.hidden = true;
      return;
    }
    let state = socket.state;
    if (state === 'connecting' && socket.everOnline) state = 'reconnecting';
    if (state === 'offline' && !navigator.onLine) state = 'offline';
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
