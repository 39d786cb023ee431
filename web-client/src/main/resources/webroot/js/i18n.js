// Message bundles: every text on a page comes from i18n/<lang>.json. Elements carry
// data-i18n="key" (with optional data-i18n-args='{"name":"value"}') and get their text from the
// bundle; data-i18n-attr="aria-label:key;placeholder:key2" translates attributes, and
// data-i18n-map='{"fi":"...","sv":"..."}' holds a server-provided text in several languages.
// Nothing is inserted as HTML. After a language change the document gets a
// 'kanava:language' event so views can re-render what they formatted themselves.
export const LANGUAGES = [
  { code: 'fi', name: 'Suomi' },
  { code: 'sv', name: 'Svenska' },
  { code: 'en', name: 'English' },
  { code: 'se', name: 'Davvisámegiella' },
];

const STORAGE_KEY = 'kanava.lang';
let messages = {};
let current = 'fi';

export function preferredLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && LANGUAGES.some((l) => l.code === stored)) return stored;
  const browser = (navigator.language || 'fi').slice(0, 2);
  return LANGUAGES.some((l) => l.code === browser) ? browser : 'fi';
}

export async function setLanguage(code) {
  const response = await fetch(`/i18n/${code}.json`);
  if (!response.ok) throw new Error(`missing bundle ${code}`);
  messages = await response.json();
  current = code;
  localStorage.setItem(STORAGE_KEY, code);
  document.documentElement.lang = code;
  translate(document);
  document.dispatchEvent(new CustomEvent('kanava:language', { detail: { language: code } }));
}

export function t(key, params = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

export function language() {
  return current;
}

/** A server-provided text map ({"fi": ..., "sv": ...}) in the page language, falling back to Finnish. */
export function localized(map, lang = current) {
  if (!map || typeof map !== 'object') return '';
  return map[lang] ?? map.fi ?? Object.values(map)[0] ?? '';
}

export function translate(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => {
    const args = el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : {};
    el.textContent = t(el.dataset.i18n, args);
  });
  root.querySelectorAll('[data-i18n-map]').forEach((el) => {
    el.textContent = localized(JSON.parse(el.dataset.i18nMap));
  });
  root.querySelectorAll('[data-i18n-attr]').forEach((el) => translateAttributes(el, el.dataset.i18nAttr));
}

/** Sets attributes from a spec "aria-label:key;title:key2" (empty parts are skipped). */
export function translateAttributes(el, spec) {
  for (const pair of spec.split(';')) {
    const [attr, key] = pair.split(':');
    if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
  }
}

// A <select> that switches the page language; its label comes from the bundle too.
export function languagePicker(select) {
  select.replaceChildren(...LANGUAGES.map((l) => new Option(l.name, l.code)));
  select.value = current;
  select.addEventListener('change', () => setLanguage(select.value));
}
