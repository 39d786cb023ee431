// Canned phrases with a search field: typing filters the list, the arrow keys move through it and
// Enter inserts the highlighted phrase at the composer's cursor (a combobox with a listbox, so the
// focus stays in the search field). A click on a phrase inserts it too. The list opens while the
// field has the focus or a search text, so it takes no room from the messages otherwise.
import { html, useState, useRef } from '../ui.js';
import { t } from '../i18n.js';
import { uid } from '../dom.js';
import { useLanguage } from './hooks.js';

export function PhrasePicker({ phrases, onInsert }) {
  useLanguage();
  const ids = useRef(null);
  if (!ids.current) ids.current = { input: uid('phrase-search'), list: uid('phrase-list'), hint: uid('phrase-hint') };
  const { input, list, hint } = ids.current;
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [focused, setFocused] = useState(false);
  const wanted = query.trim().toLocaleLowerCase();
  const shown = phrases.filter((p) => p.toLocaleLowerCase().includes(wanted));
  const current = Math.min(active, Math.max(0, shown.length - 1));
  const open = focused || query !== '';
  const insert = (text) => {
    onInsert(text);
    setQuery('');
    setActive(0);
  };
  const keys = (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (shown.length) setActive((current + (event.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (shown[current]) insert(shown[current]);
    } else if (event.key === 'Escape' && query) {
      event.preventDefault();
      setQuery('');
    }
  };
  return html`<div class="phrases">
    <div class="phrase-search">
    <label for=${input}>${t('panel.phrases')}</label>
    <input id=${input} type="text" role="combobox" aria-expanded=${open && shown.length > 0 ? 'true' : 'false'}
        aria-controls=${list} aria-autocomplete="list" autocomplete="off" data-testid="phrase-search"
        aria-activedescendant=${open && shown.length ? `${list}-${current}` : undefined} aria-describedby=${hint}
        value=${query} onInput=${(e) => { setQuery(e.target.value); setActive(0); }} onKeyDown=${keys}
        onFocus=${() => setFocused(true)} onBlur=${() => setFocused(false)}
        placeholder=${t('panel.phrasesPlaceholder')} />
    </div>
    <p id=${hint} class="visually-hidden">${t('panel.phrasesHint')}</p>
    <ul role="listbox" id=${list} class="phrase-list" hidden=${!open} aria-label=${t('panel.phrases')} data-testid="phrase-list">
      ${shown.map((text, i) => html`<li role="option" id=${`${list}-${i}`} aria-selected=${i === current ? 'true' : 'false'}
          class=${i === current ? 'is-active' : ''} onMouseDown=${(e) => e.preventDefault()} onClick=${() => insert(text)}>${text}</li>`)}
    </ul>
    ${open && shown.length === 0 ? html`<p class="hint small" role="status">${t('panel.noPhrases')}</p>` : null}
  </div>`;
}
