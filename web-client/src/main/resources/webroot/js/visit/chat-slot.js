// A chat visit's conversation on the visit page (docs/protocol.md, "Visits": a chat visit): the
// shared ChatView (the patient page's and the console's message list, typing and composer) mounted
// for the conversation the admission named, on this page's socket. The socket watches it (and opens
// it again after a reconnect); the conversation's frames reach the view here. The conversation's close
// ends the visit, and the page shows the end screen with the visit's feedback form.
import { html, useEffect, useRef } from '../ui.js';
import { t } from '../i18n.js';
import { ChatView, followAsPatient } from '../chat-view.js';

// the chat's own look (message bubbles, composer) comes with the patient page's chat styles
if (!document.querySelector('link[href="/css/patient-chat.css"]')) {
  document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/css/patient-chat.css' }));
}

export function VisitChat({ socket, conversationId, headingRef }) {
  const slot = useRef(null);
  useEffect(() => {
    const chat = new ChatView({ socket, side: 'patient', isAttentive: () => document.visibilityState === 'visible' });
    slot.current.replaceChildren(chat.element);
    chat.setConversation(conversationId);
    const mine = (frame) => frame.conversationId === conversationId;
    const offs = [
      ...followAsPatient(socket, (frame) => (mine(frame) ? chat : null)),
      socket.on('message', (frame) => chat.addMessage(frame)),
      socket.on('conversation.closed', (frame) => mine(frame) && chat.setEnabled(false)),
    ];
    socket.watch(conversationId, { afterSeq: 0 });
    return () => {
      offs.forEach((off) => off());
      socket.unwatch(conversationId);
    };
  }, [conversationId]);
  return html`<section class="visit-step visit-chat" aria-labelledby="visit-chat-title" data-testid="visit-chat">
    <h2 id="visit-chat-title" tabindex="-1" ref=${headingRef}>${t('chatvisit.title')}</h2>
    <p class="hint">${t('chatvisit.text')}</p>
    <div ref=${slot}></div>
  </section>`;
}
