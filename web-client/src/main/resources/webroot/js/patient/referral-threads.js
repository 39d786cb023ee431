// The client's referral threads (docs/protocol.md, "Partner referrals"): a referral to a partner
// organisation opens a conversation of its own, where the partner's staff (an exercise counsellor,
// say) write to the client days after the nurse's chat has ended. Each open thread shows as
// "Messages from <organisation>" with the normal chat view, on whichever screen the patient is, and
// a message from the partner is signalled like one from the nurse (title, sound, notification)
// while the patient looks elsewhere. The list is asked for when the session starts, when the chat
// says the client was referred, and when a conversation closes.
import { t } from '../i18n.js';
import { h, setText } from '../dom.js';
import { ChatView, followAsPatient } from '../chat-view.js';
import { Attention } from '../attention.js';

const $ = (id) => document.getElementById(id);

export class ReferralThreads {
  /**
   * @param socket the KanavaSocket
   * @param api the Api
   */
  constructor({ socket, api }) {
    this.socket = socket;
    this.api = api;
    this.section = $('referral-threads');
    this.list = $('referral-thread-list');
    this.threads = new Map(); // conversation id -> { view, chat, article, status }
    this.attention = new Attention({ storageKey: 'kanava.patient.sound', baseTitle: () => t('patient.title') });
    this.#wire();
  }

  /** Asks the server which threads are open and shows the ones not shown yet; one question at a time. */
  refresh() {
    this.asking = (this.asking || Promise.resolve()).then(() => this.#ask());
    return this.asking;
  }

  async #ask() {
    let open;
    try {
      open = (await this.api.get('/api/patient/conversations?state=open')) || [];
    } catch (e) {
      return; // asked again at the next occasion (a close, a referral, a new session)
    }
    for (const view of open) {
      if (!this.threads.has(view.id)) this.#add(view);
    }
    this.section.hidden = this.threads.size === 0;
  }

  /** Forgets every thread (the session ended). */
  clear() {
    for (const id of this.threads.keys()) this.socket.unwatch(id);
    this.threads.clear();
    this.list.replaceChildren();
    this.section.hidden = true;
  }

  #add(view) {
    const name = view.partner?.name || '';
    const titleId = `referral-thread-title-${view.id}`;
    const status = h('p', { class: 'hint', testid: 'referral-thread-status', i18n: 'referral.threadIntro', args: { organisation: name } });
    let article = null;
    const chat = new ChatView({
      socket: this.socket,
      side: 'patient',
      isAttentive: () => document.visibilityState === 'visible' && article !== null && !this.section.hidden,
      onIncoming: (frame) => {
        if (frame.sender?.kind === 'professional') {
          this.attention.signal({ titleKey: 'referral.attentionTitle', bodyKey: 'referral.attentionBody', tag: 'kanava-referral',
            onlyWhenAway: true });
        }
      },
    });
    article = h('article', { class: 'referral-thread', 'aria-labelledby': titleId, testid: 'referral-thread' }, [
      h('h3', { id: titleId, i18n: 'referral.threadTitle', args: { organisation: name } }),
      status,
      chat.element,
    ]);
    chat.setConversation(view.id);
    chat.setEnabled(view.state !== 'closed');
    this.threads.set(view.id, { view, chat, article, status, name });
    this.list.append(article);
    this.socket.watch(view.id, { afterSeq: 0 });
  }

  #ended(id) {
    const thread = this.threads.get(id);
    if (!thread || thread.view.state === 'closed') return;
    thread.view.state = 'closed';
    thread.chat.setEnabled(false);
    setText(thread.status, 'referral.threadEnded', { organisation: thread.name });
  }

  #wire() {
    const thread = (frame) => this.threads.get(frame.conversationId);
    this.socket.on('message', (frame) => {
      const mine = thread(frame);
      if (mine) mine.chat.addMessage(frame);
      // the nurse's chat says the client was referred: the thread exists now
      else if (frame.code === 'referred_to_partner') this.refresh();
    });
    followAsPatient(this.socket, (frame) => thread(frame)?.chat);
    const onState = (frame) => {
      const view = frame.conversation;
      if (!view) return;
      if (this.threads.has(view.id)) {
        if (view.state === 'closed') this.#ended(view.id);
      } else if (view.state === 'closed') {
        // the nurse's chat ended: its referrals' threads are where the partner will write
        this.refresh();
      }
    };
    this.socket.on('conversation', onState);
    this.socket.on('conversation.state', onState);
    this.socket.on('conversation.closed', (frame) => {
      if (this.threads.has(frame.conversationId)) this.#ended(frame.conversationId);
      else this.refresh();
    });
    const seen = () => this.threads.forEach(({ chat }) => chat.markSeen());
    document.addEventListener('visibilitychange', seen);
    window.addEventListener('focus', seen);
  }
}
