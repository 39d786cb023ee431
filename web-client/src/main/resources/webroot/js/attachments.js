// Photos in messages (docs/protocol.md, "Attachments"). The access token always goes in the
// Authorization header, never in a URL: an upload is an XMLHttpRequest (for its progress), and a
// photo is fetched as a blob and shown through an object URL, which is revoked when it goes away.
import { h, setText } from './dom.js';
import { t } from './i18n.js';

const FRESH_MS = 30000;

/** Uploads the file as the raw body; onProgress(fraction 0..1). Resolves to the upload's answer, rejects with {code}. */
export async function uploadPhoto(api, conversationId, file, onProgress = () => {}) {
  const token = await api.ensureFresh(FRESH_MS);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/conversations/${encodeURIComponent(conversationId)}/attachments`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('x-kanava-session', api.page);
    // only a hint: the server reads the type from the content
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = null;
      }
      if (xhr.status === 201 && body) resolve(body);
      else reject({ code: body && typeof body.code === 'string' ? body.code : `http_${xhr.status}` });
    });
    xhr.addEventListener('error', () => reject({ code: 'network' }));
    xhr.send(file);
  });
}

/** The photo (or its thumbnail) as an object URL; the caller revokes it. */
export async function photoUrl(api, attachmentId, thumbnail) {
  const token = await api.ensureFresh(FRESH_MS);
  const response = await fetch(`/api/attachments/${encodeURIComponent(attachmentId)}${thumbnail ? '/thumbnail' : ''}`, {
    headers: { authorization: `Bearer ${token}`, 'x-kanava-session': api.page },
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!response.ok) throw new Error(`photo ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

/**
 * A message's photo: its thumbnail as a button (named by the alt text) that opens the full image
 * in a modal dialog; both are fetched with the token in the header.
 */
export function photoThumbnail(api, attachment, altKey, altArgs) {
  const img = h('img', {
    class: 'msg-photo-img', width: String(attachment.thumbnailWidth), height: String(attachment.thumbnailHeight),
    alt: t(altKey, altArgs),
  });
  const button = h('button', {
    type: 'button', class: 'msg-photo', testid: 'message-photo', 'aria-busy': 'true',
    i18nAttr: 'title:attachment.open',
  }, [img]);
  const status = h('span', { class: 'msg-photo-status', i18n: 'attachment.loading' });
  const wrap = h('div', { class: 'msg-photo-wrap' }, [button, status]);
  photoUrl(api, attachment.id, true)
    .then((url) => {
      img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
      img.src = url;
      button.removeAttribute('aria-busy');
      status.remove();
    })
    .catch(() => {
      button.remove();
      setText(status, 'attachment.unavailable');
    });
  button.addEventListener('click', () => openFull(api, attachment, img.alt, button));
  return wrap;
}

async function openFull(api, attachment, alt, opener) {
  const full = h('img', { class: 'photo-dialog-img', alt, width: String(attachment.width), height: String(attachment.height) });
  const close = h('button', { type: 'button', class: 'secondary', i18n: 'attachment.close', testid: 'photo-close' });
  const dialog = h('dialog', { class: 'photo-dialog', i18nAttr: 'aria-label:attachment.full', testid: 'photo-dialog' },
    [h('div', { class: 'photo-dialog-actions' }, [close]), full]);
  let url = null;
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    if (url) URL.revokeObjectURL(url);
    dialog.remove();
    opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  try {
    url = await photoUrl(api, attachment.id, false);
    full.src = url;
  } catch (e) {
    full.replaceWith(h('p', { i18n: 'attachment.unavailable' }));
  }
}
