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
