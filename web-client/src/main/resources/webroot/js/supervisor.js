// The supervisor page: the page's language first, then the SupervisorApp component
// (supervisor/app.js), which holds the page's state. It signs in as the console does (the console's
// session cookie: a supervisor is a professional account), so the API client and the socket are
// made for the console page.
import { preferredLanguage, setLanguage } from './i18n.js';
import { Api } from './api.js';
import { KanavaSocket } from './socket.js';
import { html, render } from './ui.js';
import { SupervisorApp } from './supervisor/app.js';

const api = new Api('console');
const socket = new KanavaSocket(api);

async function boot() {
  try {
    await setLanguage(preferredLanguage());
  } catch (e) {
    // Without a bundle the keys show; the page still works.
  }
  const root = document.getElementById('supervisor-app');
  root.replaceChildren();
  render(html`<${SupervisorApp} api=${api} socket=${socket} />`, root);
}

boot();
