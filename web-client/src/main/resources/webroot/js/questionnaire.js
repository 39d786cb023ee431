// The pre-questionnaire form. Questions appear one after another along the path that the
// answers choose (mirroring the server's walk): after a question comes the chosen option's
// `next`, or `nextYes`/`nextNo`, or the question's `next`, else the following question; "end"
// ends. Only answers to questions on the path are submitted.
import { h, setText, uid } from './dom.js';

const END = 'end';

export class QuestionnaireForm {
  /** @param onChange () => void, after every answer (the path may have changed) */
  constructor(container, { onChange = () => {} } = {}) {
    this.container = container;
    this.onChange = onChange;
    this.questions = [];
    this.index = new Map();
    this.answers = new Map(); // question id -> raw value (option id, boolean, or input text)
    this.nodes = new Map(); // question id -> element
  }

  load(definition) {
    this.questions = (definition && Array.isArray(definition.questions)) ? definition.questions : [];
    this.index = new Map(this.questions.map((q, i) => [q.id, i]));
    this.answers.clear();
    this.nodes.clear();
    this.container.replaceChildren();
    this.sync();
  }

  /** The questions on the current path, stopping at the first required question without an answer. */
  path() {
    const path = [];
    let position = 0;
    let blocking = null;
    while (position < this.questions.length) {
      const question = this.questions[position];
      path.push(question);
      const raw = this.answers.get(question.id);
      let next = question.next ?? null;
      if (isGiven(question, raw)) {
        // an immediate need ends the questionnaire, as on the server
        next = triggersImmediate(question, raw) ? END : nextAfterAnswer(question, raw);
      } else if (isRequired(question)) {
        blocking = question;
        break;
      }
      if (next === END) break;
      position = next === null ? position + 1 : (this.index.get(next) ?? this.questions.length);
    }
    return { path, blocking };
  }

  /** Whether an answer on the path already means an immediate need (guidance before submitting). */
  immediate() {
    return this.path().path.some((q) => isGiven(q, this.answers.get(q.id)) && triggersImmediate(q, this.answers.get(q.id)));
  }

  /** Shows the questions on the path (re-using their elements, so focus and input survive). */
  sync() {
    const { path } = this.path();
    const wanted = path.map((q) => this.#node(q));
    wanted.forEach((node, i) => {
      if (this.container.children[i] !== node) this.container.insertBefore(node, this.container.children[i] || null);
    });
    while (this.container.children.length > wanted.length) this.container.lastElementChild.remove();
  }

  /**
   * Checks the answers on the path. Returns {answers} ready for queue.enter, or {error:
   * {questionId, key, args}} for the first problem (which is also marked on the form).
   */
  collect() {
    this.clearErrors();
    const { path, blocking } = this.path();
    const answers = {};
    for (const question of path) {
      const raw = this.answers.get(question.id);
      if (!isGiven(question, raw)) continue;
      if (question.type === 'number') {
        const value = Number(String(raw).trim());
        const outOfRange = (question.min != null && value < question.min) || (question.max != null && value > question.max);
        if (!Number.isInteger(value) || outOfRange) {
          return this.#fail(question.id, 'questionnaire.numberInvalid', rangeArgs(question));
        }
        answers[question.id] = value;
      } else if (question.type === 'text') {
        answers[question.id] = String(raw).trim();
      } else {
        answers[question.id] = raw;
      }
    }
    if (blocking) return this.#fail(blocking.id, 'error.answer_missing');
    return { answers };
  }

  /** Marks a question with an error text (from a bundle key); returns whether it is on the form. */
  markError(questionId, key, args = {}) {
    const node = this.nodes.get(questionId);
    if (!node || !node.isConnected) return false;
    const error = node.querySelector('.field-error');
    setText(error, key, args);
    error.hidden = false;
    node.classList.add('invalid');
    node.querySelectorAll('input, textarea').forEach((input) => input.setAttribute('aria-invalid', 'true'));
    const first = node.querySelector('input:checked, input, textarea');
    if (first) first.focus();
    return true;
  }

  clearErrors() {
    for (const node of this.nodes.values()) {
      node.classList.remove('invalid');
      const error = node.querySelector('.field-error');
      error.hidden = true;
      error.textContent = '';
      node.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
    }
  }

  #fail(questionId, key, args = {}) {
    this.markError(questionId, key, args);
    return { error: { questionId, key, args } };
  }

  #changed(question, value) {
    this.answers.set(question.id, value);
    const node = this.nodes.get(question.id);
    if (node && node.classList.contains('invalid')) {
      node.classList.remove('invalid');
      node.querySelector('.field-error').hidden = true;
      node.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
    }
    this.sync();
    this.onChange();
  }

  #node(question) {
    if (!this.nodes.has(question.id)) this.nodes.set(question.id, this.#build(question));
    return this.nodes.get(question.id);
  }

  #build(question) {
    const errorId = uid('q-error');
    const error = h('p', { class: 'field-error', id: errorId, hidden: true });
    const title = [
      h('span', { map: question.text }),
      ' ',
      h('span', { class: 'required-mark', i18n: isRequired(question) ? 'questionnaire.required' : 'questionnaire.optional' }),
    ];
    if (question.type === 'choice' || question.type === 'yesno') {
      const name = uid('q');
      const choices = question.type === 'yesno'
        ? [{ value: true, label: h('span', { i18n: 'questionnaire.yes' }) }, { value: false, label: h('span', { i18n: 'questionnaire.no' }) }]
        : (question.options || []).map((o) => ({ value: o.id, label: h('span', { map: o.text }) }));
      const radios = choices.map((choice) => {
        const input = h('input', { type: 'radio', name, value: String(choice.value) });
        input.addEventListener('change', () => {
          if (input.checked) this.#changed(question, choice.value);
        });
        return h('label', { class: 'choice' }, [input, choice.label]);
      });
      return h('fieldset', {
        class: 'question', 'data-question': question.id, 'aria-describedby': errorId,
      }, [h('legend', {}, title), h('div', { class: 'choices' }, radios), error]);
    }
    const inputId = uid('q-input');
    const hintId = uid('q-hint');
    let input;
    let hint;
    if (question.type === 'number') {
      input = h('input', {
        id: inputId, type: 'number', inputmode: 'numeric', step: '1',
        min: question.min ?? null, max: question.max ?? null,
      });
      hint = h('p', { class: 'hint', id: hintId, ...numberHint(question) });
    } else {
      const maxLength = question.maxLength || 500;
      input = h('textarea', { id: inputId, rows: '3', maxlength: String(maxLength) });
      hint = h('p', { class: 'hint', id: hintId, i18n: 'questionnaire.maxLength', args: { n: maxLength } });
    }
    input.setAttribute('aria-describedby', `${hintId} ${errorId}`);
    if (isRequired(question)) input.setAttribute('aria-required', 'true');
    input.addEventListener('input', () => this.#changed(question, input.value));
    return h('div', { class: 'question field', 'data-question': question.id }, [
      h('label', { for: inputId }, title), input, hint, error,
    ]);
  }
}

export function isRequired(question) {
  return question.required ?? question.type !== 'text';
}

function isGiven(question, raw) {
  if (raw === undefined || raw === null) return false;
  if (question.type === 'number' || question.type === 'text') return String(raw).trim() !== '';
  return true;
}

function triggersImmediate(question, raw) {
  const IMMEDIATE = 'immediate';
  if (question.type === 'choice') {
    const option = (question.options || []).find((o) => o.id === raw);
    return Boolean(option && option.urgency === IMMEDIATE);
  }
  if (question.type === 'yesno') return (raw ? question.yesUrgency : question.noUrgency) === IMMEDIATE;
  if (question.type === 'number') {
    const value = Number(String(raw).trim());
    return (question.rules || []).some((r) => r.urgency === IMMEDIATE
      && (r.min == null || value >= r.min) && (r.max == null || value <= r.max));
  }
  return false;
}

function nextAfterAnswer(question, raw) {
  if (question.type === 'choice') {
    const option = (question.options || []).find((o) => o.id === raw);
    return (option && option.next) ?? question.next ?? null;
  }
  if (question.type === 'yesno') return (raw ? question.nextYes : question.nextNo) ?? question.next ?? null;
  return question.next ?? null;
}

function rangeArgs(question) {
  return { min: question.min ?? '', max: question.max ?? '' };
}

function numberHint(question) {
  if (question.min != null && question.max != null) return { i18n: 'questionnaire.numberRange', args: rangeArgs(question) };
  if (question.min != null) return { i18n: 'questionnaire.numberMin', args: rangeArgs(question) };
  if (question.max != null) return { i18n: 'questionnaire.numberMax', args: rangeArgs(question) };
  return { i18n: 'questionnaire.number' };
}
