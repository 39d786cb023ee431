// Signals an event to someone who may be looking at another tab or app: the document title
// ("(1) Uusi yhteydenotto – Kanava", restored when the page is looked at again), a short sound made
// with the Web Audio API (can be turned off; the choice is kept in localStorage), and a desktop
// notification once permission has been given. Permission is asked only from a user gesture
// (enableNotifications, called from a button's click), never on load.
//
// Plain module, no DOM structure: a page (or a component) creates one Attention and calls signal();
// attention-controls.js builds the two controls from this API. Texts are bundle keys, so what a
// notification says is fixed by the bundles and never carries message text.
import { t } from './i18n.js';

export class Attention extends EventTarget {
  /**
   * @param storageKey where the sound choice is remembered (per page: the console and the patient page differ)
   * @param baseTitle () => string, the page's own title (for the console: with its unread count)
   */
  constructor({ storageKey, baseTitle }) {
    super();
    this.storageKey = storageKey;
    this.baseTitle = baseTitle;
    this.pending = 0;
    this.titleKey = null;
    this.audio = null;
    const seen = () => { if (this.attended()) this.clear(); };
    document.addEventListener('visibilitychange', seen);
    window.addEventListener('focus', seen);
    document.addEventListener('kanava:language', () => this.refreshTitle());
    // Browsers let a page make sound only after the person has interacted with it: prepare the
    // audio context on the first gesture, so a later signal can play.
    const unlock = () => this.#audioContext();
    window.addEventListener('pointerdown', unlock, { once: true, capture: true });
    window.addEventListener('keydown', unlock, { once: true, capture: true });
  }

  /** Whether the person is looking at this page: visible and focused. */
  attended() {
    return document.visibilityState === 'visible' && document.hasFocus();
  }

  get soundEnabled() {
    return localStorage.getItem(this.storageKey) !== 'off';
  }

  set soundEnabled(on) {
    localStorage.setItem(this.storageKey, on ? 'on' : 'off');
    if (on) this.#audioContext();
    this.dispatchEvent(new Event('change'));
  }

  /** 'unsupported' | 'default' (not asked yet) | 'granted' | 'denied'. */
  get notificationPermission() {
    return 'Notification' in window ? Notification.permission : 'unsupported';
  }

  /** Asks for permission: call it only from a user gesture (a button's click). */
  async enableNotifications() {
    if (this.notificationPermission !== 'default') return this.notificationPermission;
    try {
      await Notification.requestPermission();
    } finally {
      this.dispatchEvent(new Event('change'));
    }
    return this.notificationPermission;
  }

  /**
   * Signals one event.
   * @param titleKey bundle key of the short text (title prefix and notification title)
   * @param bodyKey bundle key of the notification's body (optional)
   * @param tag notifications with the same tag replace each other
   * The sound plays unless turned off; the title and the notification only while the page is not
   * looked at (hidden, or another window has the focus).
   * @param onlyWhenAway no sound either while the page is looked at
   */
  signal({ titleKey, bodyKey = null, tag = titleKey, onlyWhenAway = false }) {
    const away = !this.attended();
    if (onlyWhenAway && !away) return;
    if (this.soundEnabled) this.#beep();
    // The title and a notification are for someone looking elsewhere: for what is already in front
    // of the person they would only be noise (and a title would stay with no focus event to restore it).
    if (away) {
      this.pending += 1;
      this.titleKey = titleKey;
      this.refreshTitle();
      if (this.notificationPermission === 'granted') this.#notify(titleKey, bodyKey, tag);
    }
    this.dispatchEvent(new CustomEvent('signal', { detail: { titleKey, sound: this.soundEnabled } }));
  }

  /** Forgets the pending signals and restores the title (the page is looked at, or the event was handled). */
  clear() {
    if (this.pending === 0) return;
    this.pending = 0;
    this.titleKey = null;
    this.refreshTitle();
  }

  /** Writes the title: the base title, prefixed while signals are pending. Pages call it when their base title changes. */
  refreshTitle() {
    const base = this.baseTitle();
    document.title = this.pending > 0 ? `(${this.pending}) ${t(this.titleKey)} – ${base}` : base;
  }

  #notify(titleKey, bodyKey, tag) {
    try {
      const notification = new Notification(t(titleKey), { body: bodyKey ? t(bodyKey) : '', tag, lang: document.documentElement.lang });
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
    } catch (e) {
      // Some mobile browsers allow notifications only from a service worker: the title and sound remain.
    }
  }

  #audioContext() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!this.audio) this.audio = new Context();
    if (this.audio.state === 'suspended') this.audio.resume().catch(() => {});
    return this.audio;
  }

  /** Two short soft tones, falling: noticeable, not alarming. */
  #beep() {
    const audio = this.#audioContext();
    if (!audio) return;
    const start = audio.currentTime + 0.01;
    [[880, 0], [660, 0.18]].forEach(([frequency, offset]) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.17);
    });
  }
}
