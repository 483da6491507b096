import type { WebClient } from '@slack/web-api';

/** The event_type of the metadata podbell attaches to every parent it posts. */
export const PARENT_EVENT_TYPE = 'podbell_incident';

/** chat.postMessage's `metadata` for the parent of `thread`: how a later lookup recognises it. */
export function parentMetadata(thread: string): { event_type: string; event_payload: { thread: string } } {
  return { event_type: PARENT_EVENT_TYPE, event_payload: { thread } };
}

/** How many recent messages are searched: a lost answer is seconds old, and parents are few per channel. */
const LOOKBACK = 100;

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

/**
 * Looks in a channel's recent history (or, for a parent posted inside a storm thread, that thread's
 * replies) for the parent podbell posted for `thread`, by its message metadata. Used before posting
 * a parent again whose earlier answer was lost (client timeout, reset connection, a restart): the
 * post may have landed. Throws what the client throws; the caller decides.
 */
export async function findPostedParent(client: WebClient, channelId: string, thread: string, inThreadTs?: string): Promise<FoundParent | undefined> {
  const res = (await (inThreadTs === undefined
    ? client.conversations.history({ channel: channelId, limit: LOOKBACK, include_all_metadata: true })
    : client.conversations.replies({ channel: channelId, ts: inThreadTs, limit: LOOKBACK, include_all_metadata: true }))) as { messages?: WireMessage[] };
  for (const m of res.messages ?? []) {
    if (m.metadata?.event_type === PARENT_EVENT_TYPE && m.metadata.event_payload?.thread === thread && typeof m.ts === 'string') {
      return { ts: m.ts, text: m.text ?? '', ...(Array.isArray(m.blocks) && { blocks: m.blocks }) };
    }
  }
  return undefined;
}

/** Pages of conversations.list read at most to find one channel by name. */
const MAX_LIST_PAGES = 20;

/**
 * A channel's ID from its name (`#alerts` or `alerts`), by conversations.list (channels:read and
 * groups:read scopes): conversations.history wants the ID, and a parent whose very first answer was
 * lost never told us the ID of a channel podbell addresses by name. Undefined when not found.
 */
export async function channelIdByName(client: WebClient, name: string): Promise<string | undefined> {
  const bare = name.replace(/^#/, '');
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const res = (await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor && { cursor }) })) as {
      channels?: { id?: string; name?: string }[];
      response_metadata?: { next_cursor?: string };
    };
    const hit = res.channels?.find((c) => c.name === bare && typeof c.id === 'string');
    if (hit) return hit.id;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
