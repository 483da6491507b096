/**
 * What a Slack workspace would hold after a series of Web API calls: channels -> top-level
 * messages -> thread replies, each message in its latest edited form. Built from recorded calls
 * (`podbell replay`, the demo); pure and deterministic (insertion order everywhere).
 */

/** The fields of a chat.postMessage / chat.update call the model needs (a SlackCall fits). */
export interface ConversationCall {
  readonly at: string;
  readonly method: string;
  readonly channel: string;
  readonly ts: string;
  readonly thread_ts?: string | null;
  readonly text: string;
  readonly blocks?: readonly unknown[] | null;
}

export interface Message {
  readonly ts: string;
  /** When it was posted (RFC 3339). */
  readonly postedAt: string;
  /** The latest version. */
  text: string;
  blocks: readonly unknown[] | null;
  /** How many chat.update calls changed it, and the last one's time. */
  edits: number;
  editedAt?: string;
  /** Thread replies in posting order (only on top-level messages). */
  readonly replies: Message[];
}

export interface Channel {
  readonly name: string;
  readonly messages: Message[];
}

export interface Conversation {
  /** In order of first appearance. */
  readonly channels: Channel[];
  /** Calls that could not be placed (a reply or edit to an unknown ts, an unknown method). */
  readonly notes: string[];
}

export function emptyConversation(): Conversation {
  return { channels: [], notes: [] };
}

function channelOf(conv: Conversation, name: string): Channel {
  let ch = conv.channels.find((c) => c.name === name);
  if (!ch) {
    ch = { name, messages: [] };
    conv.channels.push(ch);
  }
  return ch;
}

function findMessage(ch: Channel, ts: string): Message | undefined {
  for (const m of ch.messages) {
    if (m.ts === ts) return m;
    const r = m.replies.find((x) => x.ts === ts);
    if (r) return r;
  }
  return undefined;
}

/** Applies one call to the conversation (mutating it; see buildConversation for the pure form). */
export function applyCall(conv: Conversation, call: ConversationCall): void {
  const ch = channelOf(conv, call.channel);
  const blocks = call.blocks ?? null;
  if (call.method === 'chat.postMessage') {
    const msg: Message = { ts: call.ts, postedAt: call.at, text: call.text, blocks, edits: 0, replies: [] };
    if (call.thread_ts) {
      const parent = ch.messages.find((m) => m.ts === call.thread_ts);
      if (parent) {
        parent.replies.push(msg);
        return;
      }
      conv.notes.push(`${call.at} reply ${call.ts} in ${call.channel} to unknown thread ${call.thread_ts}; shown at top level`);
    }
    ch.messages.push(msg);
    return;
  }
  if (call.method === 'chat.update') {
    const msg = findMessage(ch, call.ts);
    if (!msg) {
      conv.notes.push(`${call.at} update of unknown message ${call.ts} in ${call.channel}; ignored`);
      return;
    }
    msg.text = call.text;
    msg.blocks = blocks;
    msg.edits += 1;
    msg.editedAt = call.at;
    return;
  }
  conv.notes.push(`${call.at} ${call.method} in ${call.channel} is not a message call; ignored`);
}

/** The conversation a series of calls leaves behind. */
export function buildConversation(calls: Iterable<ConversationCall>): Conversation {
  const conv = emptyConversation();
  for (const call of calls) applyCall(conv, call);
  return conv;
}
