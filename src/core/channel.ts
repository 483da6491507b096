/** A Slack conversation ID: C… (channel), G… (private group) or D… (direct message). The one pattern. */
export const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

/**
 * A Slack channel as users write it: `#name` (lower case letters, digits, - _ .; up to 80) or a
 * conversation ID (C…, G… or D… followed by upper-case letters and digits). Returns the normalised
 * form, or undefined when the text is not a channel.
 */
export function parseChannel(text: string): string | undefined {
  const s = text.trim();
  if (CHANNEL_ID.test(s)) return s;
  const name = s.startsWith('#') ? s.slice(1) : s;
  if (/^[a-z0-9][a-z0-9_.-]{0,79}$/.test(name)) return `#${name}`;
  return undefined;
}
