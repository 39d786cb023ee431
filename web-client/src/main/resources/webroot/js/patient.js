// The patient page: the API client and the socket (services the page shares), the language and the
// connection indicator, then the page itself, PatientApp (js/patient/app.js), which holds its state.
import { html, render } from './ui.js';
import { Api } from './api.js';
import { KanavaSocket } from './socket.js';
import { startPage } from './connection.js';
import { PatientApp } from './patient/app.js';

const api = new Api('patient');
const socket = new KanavaSocket(api);

await startPage(socket, document.getElementById('language'), document.getElementById('connection'));
render(html`<${PatientApp} api=${api} socket=${socket} />`, document.getElementById('queue-list'));
