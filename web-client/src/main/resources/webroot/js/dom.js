// Small DOM helpers. Text is always set with textContent (or appended as text nodes);
// nothing here ever assigns innerHTML.
import { t, localized, translateAttributes } from './i18n.js';

/**
 * Creates an element. Options: text (plain text), i18n (bundle key) with args, map (a server
 * text map {fi, sv, ...}), i18nAttr ("aria-label:key"), class, testid, on<event> handlers,
 * true/false for boolean attributes; anything else becomes an attribute.
 */
export function h(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'i18n') setText(node, value, options.args);
    else if (key === 'args') continue;
    else if (key === 'map') setLocalized(node, value);
    else if (key === 'i18nAttr') setAttrText(node, value);
    else if (key === 'class') node.className = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** Sets a bundle text (kept translatable on a language change). */
export function setText(node, key, args) {
  node.dataset.i18n = key;
  if (args && Object.keys(args).length) node.dataset.i18nArgs = JSON.stringify(args);
  else delete node.dataset.i18nArgs;
  node.textContent = t(key, args || {});
  return node;
}

/** Sets a server text map (kept translatable on a language change). */
export function setLocalized(node, map) {
  node.dataset.i18nMap = JSON.stringify(map || {});
  node.textContent = localized(map);
  return node;
}

/** Sets translated attributes: "aria-label:key;title:key2". */
export function setAttrText(node, spec) {
  node.dataset.i18nAttr = spec;
  translateAttributes(node, spec);
  return node;
}

/** Shows one element of a group and hides the rest. */
export function showOnly(visible, all) {
  for (const node of all) node.hidden = node !== visible;
}

/** Moves focus to a view's heading so screen readers announce the new view. */
export function focusHeading(container) {
  const heading = container.querySelector('h1, h2, h3');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

let idCounter = 0;
export function uid(prefix = 'k') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A random id that works without a secure context (crypto.randomUUID needs https). */
export function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Text for an error code from the bundles ('error.<code>'), or a generic text. */
export function errorText(error, args = {}) {
  const code = error && error.code ? error.code : 'unknown';
  const key = `error.${code}`;
  const text = t(key, args);
  return text === key ? t('error.generic') : text;
}

/** Writes a message into a role=alert (assertive) region; an empty text clears it. */
export function showAlert(region, text) {
  region.textContent = '';
  if (!text) {
    region.hidden = true;
    return;
  }
  region.hidden = false;
  // A fresh text node after clearing makes screen readers announce a repeated message too.
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}
