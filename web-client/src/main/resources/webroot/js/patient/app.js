// The patient page as one Preact component, PatientApp: language, session (anonymous or demo
// identification), queue choice, questionnaire, then waiting and chat (patient-conversation.js,
// loaded only once it is needed: on a slow line the first question must not wait for the chat's
// modules). The page's state lives here (useState, useRef), not in module variables: which view is
// shown, the queues, the chosen queue, the questionnaire and the conversation once its modules have
// arrived. The views themselves are the sections in index.html, so the start screen is readable
// before any script runs; the component shows one of them at a time and renders the queue list
// (its own output, in #queue-list) and the demo persons into their slots.
import { html, render, useEffect, useLayoutEffect, useReducer, useRef, useState } from '../ui.js';
import { language, localized, t } from '../i18n.js';
import { h, setText, showOnly, focusHeading, showAlert, errorText } from '../dom.js';
import { formatDateTime } from '../format.js';
import { HANDLED_BY_SOCKET } from '../socket.js';
import { QuestionnaireForm } from '../questionnaire.js';
import { QueueList, DevPersons } from './queue-list.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['view-start', 'view-queues', 'view-questionnaire', 'view-emergency', 'view-conversation', 'loading'];
const RESUME_RETRY_MS = 5000;
const KIND_KEY = 'kanava.patient.kind'; // 'anonymous' or 'identified', for this tab's session

/** An anonymous patient cannot use a queue that needs identification (shown while it is open). */
function needsIdentification(queue) {
  return queue.open && (queue.anonymousAllowed === false || queue.strongIdRequired)
    && sessionStorage.getItem(KIND_KEY) === 'anonymous';
}

/** Renders into #queue-list; the other views are index.html's sections, shown one at a time. */
export function PatientApp({ api, socket }) {
  // The shown view; `focus` moves focus to its heading, `n` makes showing the same view again count.
  const [screen, setScreen] = useState(() => ({ id: api.hasSession ? 'loading' : 'view-start', focus: false, n: 0 }));
  const [queues, setQueues] = useState([]);
  const [persons, setPersons] = useState([]);
  const [, languageChanged] = useReducer((n) => n + 1, 0);
  const state = useRef(null);
  state.current ??= {
    queues: [], // the latest queues, for the conversation's callbacks between renders
    chosenQueue: null,
    conversation: null, // the PatientConversation, once its modules have loaded
    threads: null, // the ReferralThreads, once a session exists (patient/referral-threads.js)
    conversationModules: null, // the promise of those modules
    questionnaire: null,
    retry: null,
  };
  const actions = useRef(null);
  actions.current ??= patientActions({ api, socket, state: state.current, setScreen, setQueues, setPersons });
  const page = actions.current;

  // One view at a time, before the browser paints, so focus and visibility change together.
  useLayoutEffect(() => {
    showOnly($(screen.id), VIEWS.map($));
    if (screen.focus && screen.id !== 'loading') focusHeading($(screen.id));
  }, [screen]);

  useLayoutEffect(() => {
    $('queues-empty').hidden = queues.length > 0;
  }, [queues]);

  useEffect(() => {
    const slot = $('dev-persons');
    render(persons.length ? html`<${DevPersons} persons=${persons}
      onChoose=${(person) => page.startSession('/api/patient/session/dev', { person: person.id })} />` : null, slot);
    $('dev-identification').hidden = persons.length === 0;
  }, [persons]);

  useEffect(() => {
    const s = state.current;
    const questionnaire = new QuestionnaireForm($('questions'), {
      // An answer that means an immediate need shows the emergency numbers at once, before submitting.
      onChange: () => { $('questionnaire-urgent').hidden = !questionnaire.immediate(); },
    });
    s.questionnaire = questionnaire;
    const start = $('start-anonymous');
    const startAnonymous = () => page.startSession('/api/patient/session');
    const municipality = $('municipality');
    const municipalityChosen = () => {
      if (!municipality.value) return;
      $('municipality-error').hidden = true;
      municipality.removeAttribute('aria-invalid');
    };
    const queuesAgain = () => page.showQueues();
    const onLanguage = () => {
      languageChanged();
      s.conversation?.render();
    };
    const onSignedOut = (event) => {
      sessionStorage.removeItem(KIND_KEY);
      s.conversation?.close();
      s.threads?.clear();
      if (event.detail.reason === 'expired') showAlert($('alert'), t('error.sessionExpired'));
      page.show('view-start');
    };
    const listeners = [
      [start, 'click', startAnonymous],
      [$('questionnaire-form'), 'submit', page.submitQuestionnaire],
      [municipality, 'change', municipalityChosen],
      [$('questionnaire-back'), 'click', queuesAgain],
      [$('questionnaire-identify'), 'click', page.identifyInstead],
      [$('emergency-back'), 'click', queuesAgain],
      [document, 'kanava:language', onLanguage],
      [api, 'signedout', onSignedOut],
    ];
    listeners.forEach(([target, type, listener]) => target.addEventListener(type, listener));
    // The start screen's text is in the HTML (readable before any script on a slow line); its button
    // stays disabled there until this handler exists, so an early click does nothing rather than get lost.
    start.disabled = false;
    const unsubscribe = socket.on('error', (frame) => {
      if (!frame.ref && !HANDLED_BY_SOCKET.has(frame.code)) page.alertError(frame);
    });

    page.loadIdentityMethods();
    if (api.hasSession) page.resume();
    return () => {
      start.disabled = true;
      listeners.forEach(([target, type, listener]) => target.removeEventListener(type, listener));
      unsubscribe();
      clearTimeout(s.retry);
    };
  }, [api, socket]);

  return html`<${QueueList} queues=${queues} needsIdentification=${needsIdentification}
    onChoose=${page.showQuestionnaire} onIdentify=${page.identifyInstead} />`;
}

/**
 * What the page does, as functions over the component's state (the `state` ref and the setters,
 * which stay the same for the component's life). Made once per PatientApp.
 */
function patientActions({ api, socket, state, setScreen, setQueues, setPersons }) {
  const show = (id, { focus = true } = {}) => setScreen((previous) => ({ id, focus, n: previous.n + 1 }));

  function alertError(error, args) {
    showAlert($('alert'), error ? errorText(error, args) : '');
  }

  const queueOf = (queueId) => state.queues.find((q) => q.id === queueId);
  const queueName = (queueId) => {
    const queue = queueOf(queueId);
    return queue ? localized(queue.names) : null;
  };
  /** The feedback statements the queue asks; none when the queue is unknown (the score alone is always valid). */
  const queueStatements = (queueId) => (queueOf(queueId)?.feedbackStatements) || [];
  const queueAllowsWriting = (queueId) => Boolean(queueOf(queueId)?.patientMayWriteWhileQueued);

  // --- a. Start -------------------------------------------------------------------------

  async function loadIdentityMethods() {
    try {
      const methods = await api.request('GET', '/api/patient/identity-methods', { auth: false });
      const dev = (methods || []).find((m) => m.method === 'dev');
      if (dev && Array.isArray(dev.persons)) setPersons(dev.persons);
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
        state.retry = setTimeout(resume, RESUME_RETRY_MS);
      } else {
        show('view-start');
      }
    }
  }

  // --- b. After a session exists ------------------------------------------------------------

  async function afterSession({ resumed = false } = {}) {
    socket.start();
    referralThreads().catch(() => {});
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
    state.conversation.open(view, options);
    show('view-conversation');
  }

  /**
   * The chat's modules (the conversation view, attention, the end screen and transcript), imported on
   * first use and once only; the questionnaire starts loading them in the background once its first
   * question shows.
   */
  function chat() {
    state.conversationModules ??= import('../patient-conversation.js').then((modules) => {
      state.conversation = new modules.PatientConversation({
        socket, api, queueName, queueAllowsWriting, queueStatements, onNewContact: newContact,
      });
      return modules;
    }).catch((error) => {
      state.conversationModules = null; // a module that failed to arrive is asked for again next time
      throw error;
    });
    return state.conversationModules;
  }

  /** The client's referral threads: a partner writes there whatever became of the nurse's chat. */
  async function referralThreads() {
    if (!state.threads) {
      const { ReferralThreads } = await import('./referral-threads.js');
      state.threads ??= new ReferralThreads({ socket, api });
    }
    await state.threads.refresh();
  }

  // --- c. Queue choice ----------------------------------------------------------------------

  async function loadQueues() {
    state.queues = (await api.get('/api/queues')) || [];
    setQueues(state.queues);
  }

  async function showQueues() {
    show('loading', { focus: false });
    try {
      await loadQueues();
    } catch (error) {
      alertError(error);
    }
    show('view-queues');
  }

  /** Ends the anonymous session and goes back to the start, where the patient can identify. */
  async function identifyInstead() {
    state.conversation?.close();
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
    state.chosenQueue = queue;
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
    state.questionnaire.load(definition);
    $('questionnaire-urgent').hidden = true;
    show('view-questionnaire');
    // while the patient reads and answers, the chat's modules arrive
    chat().catch(() => {});
  }

  async function submitQuestionnaire(event) {
    event.preventDefault();
    showAlert($('questionnaire-error'), '');
    const municipality = $('municipality');
    const collected = state.questionnaire.collect();
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
      // The chat's modules are in place before the entry: the server watches the conversation for this
      // socket from its reply on, and frames that came before the page listened would not be shown.
      await chat();
      const reply = await socket.request({
        type: 'queue.enter', queueId: state.chosenQueue.id, language: $('conversation-language').value,
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
        && state.questionnaire.markError(error.questionId, `error.${error.code}`)) {
      return;
    }
    if (error.code === 'already_in_queue' && error.conversationId) {
      showConversation({ id: error.conversationId, queueId: state.chosenQueue.id, state: 'queued' });
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
    state.conversation?.close();
    showQueues();
  }

  return {
    show, alertError, loadIdentityMethods, startSession, resume, showQueues, identifyInstead,
    showQuestionnaire, submitQuestionnaire,
  };
}
