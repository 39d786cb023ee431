// The professional console page: the page's language first, then the ConsoleApp component
// (console/app.js), which holds all of the page's state (no module-level state here or in js/console/).
// The API client and the socket are services, made once per page and passed to it as props.
import { preferredLanguage, setLanguage } from './i18n.js';
import { Api } from './api.js';
import { KanavaSocket } from './socket.js';
import { html, render } from './ui.js';
import { ConsoleApp } from './console/app.js';

const api = new Api('console');
const socket = new KanavaSocket(api);

async function boot() {
  try {
    await setLanguage(preferredLanguage());
  } catch (e) {
    // Without a bundle the keys show; the page still works.
  }
  render(html`<${ConsoleApp} api=${api} socket=${socket} />`, document.getElementById('console-app'));
}

boot();
