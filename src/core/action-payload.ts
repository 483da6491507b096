/**
 * Reads a Socket Mode `interactive` payload (Slack's block_actions) into an action input. Pure and
 * total: anything that is not a podbell button comes back as a problem to log once and count.
 */
import { ACTION_NAMES, type ActionName } from './action-types.js';
import type { ActionInput } from './actions.js';
import { obj } from './json.js';
import { ACTION_PREFIX } from './render.js';

export type ParsedPayload =
  | { readonly ok: true; readonly input: ActionInput; readonly channel?: string }
  | { readonly ok: false; readonly result: 'malformed' | 'foreign'; readonly why: string };

const THREAD = /^t\d{1,12}$/;

/** block_actions -> ActionInput for envelope `envelope`; `foreign` when it is not a podbell button. */
export function parseInteractive(payload: unknown, envelope: string): ParsedPayload {
  const bad = (why: string): ParsedPayload => ({ ok: false, result: 'malformed', why });
  const p = obj(payload);
  if (!p) return bad('payload is not an object');
  if (p.type !== 'block_actions') return { ok: false, result: 'foreign', why: `payload type ${JSON.stringify(p.type ?? null)} is not block_actions` };
  const actions = Array.isArray(p.actions) ? p.actions : undefined;
  const a = obj(actions?.[0]);
  if (!a) return bad('block_actions without actions');
  const actionId = typeof a.action_id === 'string' ? a.action_id : '';
  if (!actionId.startsWith(ACTION_PREFIX)) return { ok: false, result: 'foreign', why: `action_id ${JSON.stringify(actionId.slice(0, 80))} is not podbell's` };
  const name = actionId.slice(ACTION_PREFIX.length);
  if (!(ACTION_NAMES as readonly string[]).includes(name)) return bad(`unknown podbell action ${JSON.stringify(name.slice(0, 40))}`);
  const user = obj(p.user)?.id;
  if (typeof user !== 'string') return bad('no user.id');
  const raw = typeof a.value === 'string' ? a.value : obj(a.selected_option)?.value;
  if (typeof raw !== 'string') return bad('no value or selected_option');
  const [thread, value, extra] = raw.split('|');
  if (thread === undefined || !THREAD.test(thread) || extra !== undefined) return bad(`value ${JSON.stringify(raw.slice(0, 40))} does not name a podbell thread`);
  const ts = typeof a.action_ts === 'string' ? Number(a.action_ts) : NaN;
  const channel = obj(p.channel)?.id ?? obj(p.container)?.channel_id;
  const input: ActionInput = {
    type: 'action',
    envelope,
    user,
    action: name as ActionName,
    thread,
    ...(value !== undefined && { value }),
    ...(Number.isFinite(ts) && { clickedAt: Math.round(ts * 1000) }),
  };
  return { ok: true, input, ...(typeof channel === 'string' && { channel }) };
}
