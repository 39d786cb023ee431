// Small hooks the console's components share.
import { useEffect, useReducer } from '../ui.js';

/** Renders again on each event of that name on the target (an EventTarget, or document for 'kanava:language'). */
export function useEvent(target, name) {
  const [, changed] = useReducer((n) => n + 1, 0);
  useEffect(() => {
    target.addEventListener(name, changed);
    return () => target.removeEventListener(name, changed);
  }, [target, name]);
}

/** Renders again after a language change, so texts come from the new bundle. */
export function useLanguage() {
  useEvent(document, 'kanava:language');
}

/** Renders again every `ms` milliseconds (relative times such as "waiting 12 min"). */
export function useTick(ms) {
  const [, tick] = useReducer((n) => n + 1, 0);
  useEffect(() => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  }, [ms]);
}
