/**
 * Finding a parent podbell may already have posted: every parent carries podbell's message metadata
 * (event_type podbell_incident, the thread id), and a parent whose answer was lost (client timeout,
 * reset connection, a restart) is looked up by it before it is posted again.
 */
import type { CallResult, SlackTransport } from './transport.js';

/** The event_type of the metadata podbell attaches to every parent it posts. */
export const PARENT_EVENT_TYPE = 'podbell_incident';

/** chat.postMessage's `metadata` for the parent of `thread`: how a later lookup recognises it. */
export function parentMetadata(thread: string): { event_type: string; event_payload: { thread: string } } {
  return { event_type: PARENT_EVENT_TYPE, event_payload: { thread } };
}

/** How many recent messages are searched: a lost answer is seconds old, and parents are few per channel. */
const LOOKBACK = 100;
/** Pages of conversations.list read at most to find one channel by name. */
const MAX_LIST_PAGES = 20;

interface WireMessage {
  readonly ts?: string;
  readonly text?: string;
  readonly blocks?: unknown[];
  readonly metadata?: { readonly event_type?: string; readonly event_payload?: { readonly thread?: unknown } };
}

export interface FoundParent {
  readonly ts: string;
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

/** Looks in a channel's recent history for the parent of `thread` (channels:history / groups:history scopes). */
export async function findPostedParent(t: SlackTransport, channelId: string, thread: string): Promise<CallResult<FoundParent | undefined>> {
  const r = await t.call<{ messages?: WireMessage[] }>('conversations.history', { channel: channelId, limit: LOOKBACK, include_all_metadata: true }, 'parent');
  if (!r.ok) return r;
  for (const m of r.res.messages ?? []) {
    if (m.metadata?.event_type === PARENT_EVENT_TYPE && m.metadata.event_payload?.thread === thread && typeof m.ts === 'string') {
      return { ok: true, res: { ts: m.ts, text: m.text ?? '', ...(Array.isArray(m.blocks) && { blocks: m.blocks }) } };
    }
  }
  return { ok: true, res: undefined };
}

/**
 * A channel's ID from its name (`#alerts` or `alerts`), by conversations.list (channels:read and
 * groups:read scopes): conversations.history wants the ID, and a parent whose very first answer was
 * lost never told us the ID of a channel podbell addresses by name.
 */
export async function channelIdByName(t: SlackTransport, name: string): Promise<CallResult<string | undefined>> {
  const bare = name.replace(/^#/, '');
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const r = await t.call<{ channels?: { id?: string; name?: string }[]; response_metadata?: { next_cursor?: string } }>(
      'conversations.list',
      { types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor && { cursor }) },
      'parent',
    );
    if (!r.ok) return r;
    const hit = r.res.channels?.find((c) => c.name === bare && typeof c.id === 'string');
    if (hit) return { ok: true, res: hit.id };
    cursor = r.res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return { ok: true, res: undefined };
}
