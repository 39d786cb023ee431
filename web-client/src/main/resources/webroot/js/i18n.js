// Message bundles: every text on a page comes from i18n/<lang>.json. Elements carry
// data-i18n="key" and get their text from the bundle; nothing is inserted as HTML.
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
}

export function t(key, params = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

export function language() {
  return current;
}

export function translate(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => {
    el.textContent = t(el.dataset.i18n);
  });
}

// A <select> that switches the page language; its label comes from the bundle too.
export function languagePicker(select) {
  select.replaceChildren(...LANGUAGES.map((l) => new Option(l.name, l.code)));
  select.value = current;
  select.addEventListener('change', () => setLanguage(select.value));
}
