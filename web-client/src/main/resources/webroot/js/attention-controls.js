// The two controls of an Attention (attention.js): a sound on/off checkbox and a button that asks
// for notification permission (the only place it is asked, so always from a click). Until the pages
// become Preact components this builds plain elements with dom.js; it only reads the Attention's API.
import { h, setText, uid } from './dom.js';

export function attentionControls(attention) {
  const soundId = uid('attention-sound');
  const sound = h('input', { type: 'checkbox', id: soundId, testid: 'attention-sound' });
  sound.checked = attention.soundEnabled;
  sound.addEventListener('change', () => { attention.soundEnabled = sound.checked; });
  const enable = h('button', { type: 'button', testid: 'attention-enable-notifications', i18n: 'attention.enableNotifications' });
  const status = h('span', { class: 'hint small', testid: 'attention-notifications' });
  enable.addEventListener('click', async () => {
    enable.disabled = true;
    try {
      await attention.enableNotifications();
    } finally {
      enable.disabled = false;
    }
  });
  const render = () => {
    sound.checked = attention.soundEnabled;
    const permission = attention.notificationPermission;
    const hadFocus = document.activeElement === enable;
    enable.hidden = permission !== 'default';
    status.hidden = permission !== 'granted' && permission !== 'denied';
    if (!status.hidden) setText(status, permission === 'granted' ? 'attention.notificationsOn' : 'attention.notificationsBlocked');
    if (hadFocus && enable.hidden) {
      status.setAttribute('tabindex', '-1');
      status.focus();
    }
  };
  attention.addEventListener('change', render);
  render();
  return h('div', { class: 'attention-controls' }, [
    h('label', { for: soundId, class: 'attention-sound' }, [sound, ' ', h('span', { i18n: 'attention.sound' })]),
    enable,
    status,
  ]);
}
