import { applyCall, buildConversation, type Conversation, type ConversationCall, type Message } from './conversation.js';
import { blocksToText, mrkdwnToText, type TextStyle } from './mrkdwn.js';

export interface RenderOptions {
  /** ANSI colours and bold; only when asked (a pipe or a file gets plain text). */
  readonly color: boolean;
}

const ESC = '\u001b[';
const paint = (on: boolean, code: string, s: string) => (on ? `${ESC}${code}m${s}${ESC}0m` : s);

/** What Slack shows for a message: its blocks when they render to anything, else the text fallback. */
export function messageText(m: Pick<Message, 'text' | 'blocks'>, style: TextStyle): string {
  return (blocksToText(m.blocks, style) ?? mrkdwnToText(m.text, style)).replace(/\n+$/, '');
}

/** Every time in the conversation, to choose `HH:MM:SS` (one UTC day) or `MM-DD HH:MM:SS`. */
function sameDay(conv: Conversation): boolean {
  const days = new Set<string>();
  for (const ch of conv.channels) {
    for (const m of ch.messages) {
      days.add(m.postedAt.slice(0, 10));
      for (const r of m.replies) days.add(r.postedAt.slice(0, 10));
    }
  }
  return days.size <= 1;
}

function stamp(at: string, oneDay: boolean): string {
  return oneDay ? at.slice(11, 19) : `${at.slice(5, 10)} ${at.slice(11, 19)}`;
}

function editedMark(m: Message, oneDay: boolean): string {
  if (m.edits === 0) return '';
  const times = m.edits === 1 ? 'edited' : `edited ${m.edits}×`;
  return ` (${times}, last ${stamp(m.editedAt ?? m.postedAt, oneDay)})`;
}

/**
 * Prints a message: first line after `lead` and the time, continuation lines aligned under the
 * first line's text, the edit marker after the first line.
 */
function messageLines(m: Message, lead: string, oneDay: boolean, o: RenderOptions): string[] {
  const time = `[${stamp(m.postedAt, oneDay)}] `;
  const body = messageText(m, o).split('\n');
  const pad = ' '.repeat(lead.length + time.length);
  const [first = '', ...rest] = body;
  return [`${lead}${paint(o.color, '2', time)}${first}${paint(o.color, '2', editedMark(m, oneDay))}`, ...rest.map((l) => `${pad}${l}`)];
}

/** The conversation as terminal text: each channel, its threads, parents in their latest version, replies nested. */
export function renderConversation(conv: Conversation, options: RenderOptions): string {
  if (typeof options?.color !== 'boolean') throw new TypeError('renderConversation: option color must be a boolean');
  const oneDay = sameDay(conv);
  const out: string[] = [];
  for (const ch of conv.channels) {
    if (out.length > 0) out.push('');
    out.push(paint(options.color, '1', `${ch.name}`));
    for (const m of ch.messages) {
      out.push(...messageLines(m, '', oneDay, options));
      for (const r of m.replies) out.push(...messageLines(r, '   └ ', oneDay, options));
    }
  }
  for (const note of conv.notes) out.push(paint(options.color, '33', `note: ${note}`));
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** Recorded calls straight to terminal text. */
export function renderCalls(calls: Iterable<ConversationCall>, options: RenderOptions): string {
  return renderConversation(buildConversation(calls), options);
}

/**
 * For a live view (the demo): applies `call` to `conv` and returns what to print for it now — a new
 * thread, a reply under its thread's title, or an edit (✎) with the new version. Ends with a newline.
 */
export function renderCallLive(conv: Conversation, call: ConversationCall, options: RenderOptions): string {
  if (typeof options?.color !== 'boolean') throw new TypeError('renderCallLive: option color must be a boolean');
  const notes = conv.notes.length;
  applyCall(conv, call);
  if (conv.notes.length > notes) return `${paint(options.color, '33', `note: ${conv.notes.at(-1)}`)}\n`;
  const ch = conv.channels.find((c) => c.name === call.channel)!;
  const head = `${paint(options.color, '2', `[${call.at.slice(11, 19)}]`)} ${paint(options.color, '1', ch.name)}  `;
  const pad = ' '.repeat(`[${call.at.slice(11, 19)}] ${ch.name}  `.length);
  const body = (lead: string, m: Pick<Message, 'text' | 'blocks'>, suffix = '') => {
    const [first = '', ...rest] = messageText(m, options).split('\n');
    return [`${head}${lead}${first}${suffix}`, ...rest.map((l) => `${pad}${' '.repeat(lead.length)}${l}`)].join('\n') + '\n';
  };
  if (call.method === 'chat.update') {
    const m = findAny(ch.messages, call.ts)!;
    return body('✎ ', m, paint(options.color, '2', ` (edit ${m.edits})`));
  }
  if (call.thread_ts) {
    const parent = ch.messages.find((m) => m.ts === call.thread_ts)!;
    const title = messageText(parent, { color: false }).split('\n')[0] ?? '';
    return body('  └ ', parent.replies.at(-1)!, paint(options.color, '2', `   (in ${title.length > 40 ? `${title.slice(0, 39)}…` : title})`));
  }
  return body('', ch.messages.at(-1)!);
}

function findAny(messages: readonly Message[], ts: string): Message | undefined {
  for (const m of messages) {
    if (m.ts === ts) return m;
    const r = m.replies.find((x) => x.ts === ts);
    if (r) return r;
  }
  return undefined;
}
