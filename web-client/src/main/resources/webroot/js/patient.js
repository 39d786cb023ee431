// The patient page: language, session (anonymous or demo identification), queue choice,
// questionnaire, then waiting and chat (patient-conversation.js, loaded only once it is needed: on a
// slow line the first question must not wait for the chat's modules).
import { language, localized, t } from './i18n.js';
import { h, setText, showOnly, focusHeading, showAlert, errorText } from './dom.js';
import { formatDateTime } from './format.js';
import { Api } from './api.js';
import { KanavaSocket, HANDLED_BY_SOCKET } from './socket.js';
import { startPage } from './connection.js';
import { QuestionnaireForm } from './questionnaire.js';

const $ = (id) => document.getElementById(id);
const api = new Api('patient');
const socket = new KanavaSocket(api);
const VIEWS = ['view-start', 'view-queues', 'view-questionnaire', 'view-emergency', 'view-conversation', 'loading'];
const RESUME_RETRY_MS = 5000;
const KIND_KEY = 'kanava.patient.kind'; // 'anonymous' or 'identified', for this tab's session

let queues = [];
let chosenQueue = null;
let conversation = null; // the PatientConversation, once its modules have loaded
let conversationModules = null;
const questionnaire = new QuestionnaireForm($('questions'), {
  // An answer that means an immediate need shows the emergency numbers at once, before submitting.
  onChange: () => { $('questionnaire-urgent').hidden = !questionnaire.immediate(); },
});

function show(id, { focus = true } = {}) {
  showOnly($(id), VIEWS.map($));
  if (focus && id !== 'loading') focusHeading($(id));
}

function alertError(error, args) {
  showAlert($('alert'), error ? errorText(error, args) : '');
}

function queueName(queueId) {
  const queue = queues.find((q) => q.id === queueId);
  return queue ? localized(queue.names) : null;
}

/** The feedback statements the queue asks; none when the queue is unknown (the score alone is always valid). */
function queueStatements(queueId) {
  const queue = queues.find((q) => q.id === queueId);
  return (queue && queue.feedbackStatements) || [];
}

function queueAllowsWriting(queueId) {
  const queue = queues.find((q) => q.id === queueId);
  return Boolean(queue && queue.patientMayWriteWhileQueued);
}

// --- a. Start -------------------------------------------------------------------------

async function loadIdentityMethods() {
  try {
    const methods = await api.request('GET', '/api/patient/identity-methods', { auth: false });
    const dev = (methods || []).find((m) => m.method === 'dev');
    if (!dev || !Array.isArray(dev.persons) || dev.persons.length === 0) return;
    $('dev-persons').replaceChildren(...dev.persons.map((person) => h('li', {}, [
      h('button', {
        type: 'button', testid: `dev-person-${person.id}`, text: person.displayName,
        onclick: () => startSession(`/api/patient/session/dev`, { person: person.id }),
      }),
    ])));
    $('dev-identification').hidden = false;
  } catch (e) {
    // Identification is optional; anonymous use still works.
  }
}

async function startSession(path, body) {
  alertError(null);
  try {
    const pair = await api.request('POST', path, { body, auth: false });
    api.setTokens(pair);
    sessionStorage.setItem(KIND_KEY, body ? 'identified' : 'anonymous');
    await afterSession();
  } catch (error) {
    alertError(error);
  }
}

async function resume() {
  show('loading', { focus: false });
  try {
    await api.refresh();
    await afterSession({ resumed: true });
  } catch (error) {
    if (api.hasSession) {
      alertError(error);
      setTimeout(resume, RESUME_RETRY_MS);
    } else {
      show('view-start');
    }
  }
}

// --- b. After a session exists ------------------------------------------------------------

async function afterSession({ resumed = false } = {}) {
  socket.start();
  const current = await api.get('/api/patient/conversations/current');
  alertError(null);
  // After a reload: the conversation this tab showed, if it has closed since, shows its end screen again.
  const shown = resumed && !current ? sessionStorage.getItem((await chat()).SHOWN_KEY) : null;
  const latest = shown ? await api.get('/api/patient/conversations/latest') : null;
  const ended = latest && latest.id === shown && latest.state === 'closed' ? latest : null;
  if (current || ended) {
    await loadQueues().catch(() => {});
    showConversation(current || ended);
  } else {
    await showQueues();
  }
}

async function showConversation(view, options) {
  await chat();
  conversation.open(view, options);
  show('view-conversation');
}

/**
 * The chat's modules (the conversation view, attention, the end screen and transcript), imported on
 * first use and once only; the questionnaire starts loading them in the background once its first
 * question shows.
 */
function chat() {
  conversationModules ??= import('./patient-conversation.js').then((modules) => {
    conversation = new modules.PatientConversation({ socket, api, queueName, queueAllowsWriting, queueStatements, onNewContact: newContact });
    return modules;
  }).catch((error) => {
    conversationModules = null; // a module that failed to arrive is asked for again next time
    throw error;
  });
  return conversationModules;
}

// --- c. Queue choice ----------------------------------------------------------------------

async function loadQueues() {
  queues = (await api.get('/api/queues')) || [];
}

async function showQueues() {
  show('loading', { focus: false });
  try {
    await loadQueues();
  } catch (error) {
    alertError(error);
  }
  renderQueues();
  show('view-queues');
}

function renderQueues() {
  $('queues-empty').hidden = queues.length > 0;
  $('queue-list').replaceChildren(...queues.map((queue) => {
    const titleId = `queue-title-${queue.id}`;
    const status = queue.open
      ? h('p', { class: 'badge badge-open', i18n: 'queues.open' })
      : h('p', { class: 'badge badge-closed' }, [
        h('span', { i18n: 'queues.closed' }),
        queue.opensAt ? h('span', { i18n: 'queues.opensAt', args: { time: formatDateTime(queue.opensAt) } }) : null,
      ]);
    return h('li', { class: `card queue ${queue.open ? 'is-open' : 'is-closed'}` }, [
      h('h3', { id: titleId, map: queue.names }),
      status,
      queue.open ? h('p', { i18n: 'queues.waiting', args: { n: queue.waiting ?? 0 } }) : null,
      queue.anonymousAllowed === false || queue.strongIdRequired
        ? h('p', { class: 'hint', i18n: queue.strongIdRequired ? 'queues.strongIdRequired' : 'queues.idRequired' })
        : null,
      needsIdentification(queue)
        ? h('button', {
          type: 'button', class: 'primary', testid: `queue-identify-${queue.id}`, 'aria-describedby': titleId,
          i18n: 'queues.identify', onclick: identifyInstead,
        })
        : h('button', {
          type: 'button', class: 'primary', testid: `queue-option-${queue.id}`, disabled: !queue.open,
          'aria-describedby': titleId, i18n: queue.open ? 'queues.choose' : 'queues.chooseClosed',
          onclick: () => showQuestionnaire(queue),
        }),
    ]);
  }));
}

/** An anonymous patient cannot use a queue that needs identification (shown while it is open). */
function needsIdentification(queue) {
  return queue.open && (queue.anonymousAllowed === false || queue.strongIdRequired)
    && sessionStorage.getItem(KIND_KEY) === 'anonymous';
}

/** Ends the anonymous session and goes back to the start, where the patient can identify. */
async function identifyInstead() {
  conversation?.close();
  try {
    await api.logout();
  } catch (e) {
    // The tokens are forgotten locally either way.
  }
  show('view-start');
}

// --- d. Questionnaire ---------------------------------------------------------------------

async function showQuestionnaire(queue) {
  alertError(null);
  chosenQueue = queue;
  let definition;
  try {
    definition = await api.get(`/api/queues/${encodeURIComponent(queue.id)}/questionnaire`);
  } catch (error) {
    alertError(error);
    return;
  }
  $('questionnaire-queue').replaceChildren(h('span', { map: queue.names }));
  const languages = (queue.languages && queue.languages.length) ? queue.languages : ['fi'];
  const languageSelect = $('conversation-language');
  languageSelect.replaceChildren(...languages.map((code) => h('option', { value: code, i18n: `lang.${code}` })));
  languageSelect.value = languages.includes(language()) ? language() : languages[0];
  const municipalities = queue.municipalities || [];
  const municipality = $('municipality');
  municipality.replaceChildren(
    h('option', { value: '', i18n: 'questionnaire.municipalityChoose' }),
    ...municipalities.map((name) => h('option', { value: name, text: name })),
  );
  municipality.value = municipalities.length === 1 ? municipalities[0] : '';
  $('municipality-error').hidden = true;
  municipality.removeAttribute('aria-invalid');
  showAlert($('questionnaire-error'), '');
  $('questionnaire-identify').hidden = true;
  questionnaire.load(definition);
  $('questionnaire-urgent').hidden = true;
  show('view-questionnaire');
  // while the patient reads and answers, the chat's modules arrive
  chat().catch(() => {});
}

async function submitQuestionnaire(event) {
  event.preventDefault();
  showAlert($('questionnaire-error'), '');
  const municipality = $('municipality');
  const collected = questionnaire.collect();
  if (!municipality.value) {
    setText($('municipality-error'), 'questionnaire.municipalityMissing');
    $('municipality-error').hidden = false;
    municipality.setAttribute('aria-invalid', 'true');
    municipality.focus();
    return;
  }
  $('municipality-error').hidden = true;
  municipality.removeAttribute('aria-invalid');
  if (collected.error) return;
  const submit = event.submitter || $('questionnaire-form').querySelector('[type=submit]');
  submit.disabled = true;
  try {
    const reply = await socket.request({
      type: 'queue.enter', queueId: chosenQueue.id, language: $('conversation-language').value,
      municipality: municipality.value, answers: collected.answers,
    });
    if (reply.type === 'emergency') show('view-emergency');
    else if (reply.type === 'queue.entered') showConversation(reply.conversation, { alreadyOpen: true });
  } catch (error) {
    await enterFailed(error);
  } finally {
    submit.disabled = false;
    // Disabling the button dropped the focus: put it back where the patient was.
    if (!$('view-questionnaire').hidden && (document.activeElement === document.body || !document.activeElement)) submit.focus();
  }
}

async function enterFailed(error) {
  const region = $('questionnaire-error');
  if (error.code && error.code.startsWith('answer_') && error.questionId
      && questionnaire.markError(error.questionId, `error.${error.code}`)) {
    return;
  }
  if (error.code === 'already_in_queue' && error.conversationId) {
    showConversation({ id: error.conversationId, queueId: chosenQueue.id, state: 'queued' });
    return;
  }
  if (['connection_lost', 'timeout', 'offline'].includes(error.code)) {
    // The frame may have arrived before the connection broke: ask what is open now.
    try {
      const current = await api.get('/api/patient/conversations/current');
      if (current) {
        showConversation(current);
        return;
      }
    } catch (e) {
      // fall through to the message
    }
  }
  if (error.code === 'identification_required') {
    showAlert(region, errorText(error));
    $('questionnaire-identify').hidden = false;
    return;
  }
  if (error.code === 'queue_closed') {
    showAlert(region, error.opensAt ? t('error.queue_closed', { time: formatDateTime(error.opensAt) }) : t('error.queue_closed_unknown'));
    return;
  }
  showAlert(region, errorText(error));
}

// --- Start again --------------------------------------------------------------------------

function newContact() {
  conversation?.close();
  showQueues();
}

// --- Wiring ---------------------------------------------------------------------------------

async function boot() {
  await startPage(socket, $('language'), $('connection'));

  $('start-anonymous').addEventListener('click', () => startSession('/api/patient/session'));
  // The start screen's text is in the HTML (readable before any script on a slow line); its button
  // stays disabled there until this handler exists, so an early click does nothing rather than get lost.
  $('start-anonymous').disabled = false;
  $('questionnaire-form').addEventListener('submit', submitQuestionnaire);
  $('municipality').addEventListener('change', () => {
    if (!$('municipality').value) return;
    $('municipality-error').hidden = true;
    $('municipality').removeAttribute('aria-invalid');
  });
  $('questionnaire-back').addEventListener('click', () => showQueues());
  $('questionnaire-identify').addEventListener('click', identifyInstead);
  $('emergency-back').addEventListener('click', () => showQueues());
  document.addEventListener('kanava:language', () => {
    if (!$('view-queues').hidden) renderQueues();
    conversation?.render();
  });
  socket.on('error', (frame) => {
    if (!frame.ref && !HANDLED_BY_SOCKET.has(frame.code)) alertError(frame);
  });
  api.addEventListener('signedout', (event) => {
    sessionStorage.removeItem(KIND_KEY);
    conversation?.close();
    if (event.detail.reason === 'expired') showAlert($('alert'), t('error.sessionExpired'));
    show('view-start');
  });

  loadIdentityMethods();
  if (api.hasSession) resume();
  else show('view-start', { focus: false });
}

boot();
