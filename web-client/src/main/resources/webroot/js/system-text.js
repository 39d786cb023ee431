// What a system message says, as a bundle key and its parameters, for the chat and the transcript alike.
const SYSTEM_CODES = new Set(['professional_joined', 'returned_to_queue', 'idle_warning', 'closed',
  'transferred_to_queue', 'transferred_to_professional', 'transfer_returned']);
/** System messages that name a professional (a consultant who joined or took over): by name and role. */
const SYSTEM_CODES_ABOUT = new Set(['consultant_joined', 'consultant_took_over']);

/**
 * `{ key, params }` to translate, or `{ text }` when the server sent words of its own. `roleName`
 * turns a role code into words in the page language.
 */
export function systemMessage(frame, roleName) {
  const about = frame.sender || {};
  if (frame.code === 'referred_to_partner') return { key: 'referral.systemReferred', params: { organisation: frame.argument || '' } };
  if (frame.code && SYSTEM_CODES_ABOUT.has(frame.code) && about.name) {
    return { key: `system.${frame.code}`, params: { name: about.name, role: about.role ? roleName(about.role) : '' } };
  }
  if (frame.code && SYSTEM_CODES.has(frame.code)) return { key: `system.${frame.code}` };
  if (frame.text) return { text: frame.text };
  return { key: 'system.other' };
}
