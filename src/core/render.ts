import { formatDuration } from '../duration.js';
import { MUTE_CHOICES, type ActionName, type ActionsView, type MuteMark } from './action-types.js';
import type { Failure } from './detect.js';
import { CRASH_REASONS } from './reasons.js';
import type { SlackMessage } from './outgoing.js';
import type { WorkloadRef } from './workload.js';

/**
 * Slack's documented limits (Block Kit reference, chat.postMessage). Renders truncate to these with an
 * ellipsis instead of failing, so a huge termination message can never cost an alert.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  contextElementText: 2000,
  text: 4000,
} as const;

/** What a parent message shows: a read-only view of an incident. */
export interface IncidentView {
  readonly status: 'pending' | 'open' | 'resolving' | 'resolved';
  readonly cluster?: string | undefined;
  readonly namespace: string;
  readonly workload: WorkloadRef;
  /** occurrences per reason */
  readonly counts: Readonly<Record<string, number>>;
  readonly podsAffected: number;
  /** pods failing right now; omitted means "not known" and is not shown */
  readonly podsFailing?: number;
  /** the workload's live pods now (the watch cache), the M of "N of M pods failing"; omitted: the pods affected */
  readonly podsLive?: number;
  /** sum of the highest restartCount seen per affected container */
  readonly restarts: number;
  /** pods whose container waits in CrashLoopBackOff now; omitted means "not known" and is not shown */
  readonly podsInBackOff?: number;
  /**
   * The parent's first post. An incident posted after its pods recovered (an OOMKill whose container
   * already runs again) is shown red: the news is that it failed, not that it is recovering.
   */
  readonly firstPost?: boolean;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** when the current failing spell began (firstSeen, or the time of the last reopen) */
  readonly failingSince?: number;
  /** resolving: since when every affected pod has been healthy or gone */
  readonly quietSince?: number;
  readonly resolvedAt?: number;
  readonly reopened?: number;
  /** set when this incident follows an earlier thread for the same workload (the sender links it) */
  readonly previousResolvedAt?: number;
  /** this thread continues an earlier one that grew older than THREAD_MAX_AGE (the sender links it) */
  readonly continuesEarlierThread?: boolean;
  /** set on the last edit of a thread that continues in a new one */
  readonly continuedAt?: number;
  /** its channel changed while it was open: this thread goes on, new incidents go to that channel */
  readonly movedTo?: string;
  readonly latestMessage?: string;
  /** Slack actions: the buttons (when on) and who muted or acknowledged it. */
  readonly actions?: ActionsView;
  /** the latest cause line (core/cause.ts), plain text */
  readonly cause?: string;
  /** the cause lines shown so far (not rendered; parent-edit.ts tells a new cause from a flip back) */
  readonly causesShown?: readonly string[];
  /**
   * Kept for compatibility; the parent does NOT depend on it, so an unchanged incident renders
   * identically and is never re-edited only because time passed.
   */
  readonly now: number;
}

/** What a digest reply summarises: the new (pod, reason) pairs that did not get a reply of their own. */
export interface DigestView {
  /** the workload, named in a storm thread */
  readonly workload?: string;
  readonly items: number;
  readonly pods: number;
  readonly reasons: Readonly<Record<string, number>>;
  readonly sinceMs: number;
}

/**
 * Escapes text from the cluster so it cannot mention, ping or link (Slack's three control characters
 * `&`, `<`, `>`), and breaks runs of three or more backticks with zero-width spaces so it can neither
 * open nor close a code block around podbell's own text.
 */
export function escapeText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`{3,}/g, (run) => run.split('').join('\u200b'));
}

/** Escaping for text placed inside a code block: the same rules (named for the reader at the call site). */
export const escapeCode = escapeText;

/**
 * Cuts `s` to at most `max` UTF-16 units, ending in an ellipsis when cut. Never splits a surrogate
 * pair or an `&amp;`-style entity (a half entity would show as litter, not as the character).
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return max === 1 ? '…' : '';
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  const amp = s.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 6 && !s.slice(amp, cut).includes(';')) cut = amp;
  return s.slice(0, cut) + '…';
}

/**
 * Cuts `s` to at most `max` UTF-16 units keeping its END, starting with an ellipsis when cut: logs and
 * stack traces end with the error that matters. Never splits a surrogate pair or an `&amp;` entity.
 */
export function truncateStart(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return max === 1 ? '…' : '';
  let cut = s.length - (max - 1);
  const code = s.charCodeAt(cut);
  if (code >= 0xdc00 && code <= 0xdfff) cut++;
  const semi = s.indexOf(';', cut);
  const amp = s.lastIndexOf('&', cut - 1);
  if (semi >= 0 && amp >= 0 && cut - amp < 6 && semi - amp < 6 && !s.slice(amp, cut).includes(';')) cut = semi + 1;
  return '…' + s.slice(cut);
}

/**
 * The kubelet's waiting messages of a back-off ("back-off 40s restarting failed container=…",
 * "Back-off pulling image …"): they say nothing the counts and the cause line do not.
 */
const BACK_OFF_NOTICE = /^back-off (\S+ restarting failed container|pulling image)/i;

/** The message worth showing, or undefined when it is only kubelet boilerplate. */
export function usefulMessage(message: string | undefined): string | undefined {
  return message === undefined || message.trim() === '' || BACK_OFF_NOTICE.test(message) ? undefined : message;
}

/**
 * What a count says a failure was: its reason, and for a non-zero exit its code, so "Error (exit 1)"
 * and "Error (exit 137)" are told apart. The incident book counts occurrences under this label.
 */
export function causeLabel(f: Failure): string {
  return f.reason === 'Error' && f.exitCode !== undefined ? `Error (exit ${f.exitCode})` : f.reason;
}

/** `09:12:04 UTC` */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19) + ' UTC';
}

const sameDay = (a: number, b: number) => Math.floor(a / 86_400_000) === Math.floor(b / 86_400_000);

/** `2026-11-21 09:12:04 UTC` */
function dateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const MAX_REASONS_SHOWN = 12;

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('sh') ? 'es' : 's'}`;

/** A count key names a crash: its reason (before any " (exit N)") is one of detect's crash reasons. */
const isCrash = (label: string): boolean => CRASH_REASONS.has(label.replace(/ \(.*$/, ''));

/**
 * `54 crashes: Error (exit 1) ×34 · OOMKilled ×20 · 6 pods in CrashLoopBackOff · ImagePullBackOff ×2`:
 * crashes first with their total (when there are several kinds, so the parts visibly add up), then the
 * pods waiting in back-off (a state, not more crashes), then other reasons; biggest first within each;
 * beyond a dozen reasons, a count of the rest.
 */
export function countsLine(counts: Readonly<Record<string, number>>, sep = ' · ', podsInBackOff?: number): string {
  const entries = Object.entries(counts).sort((a, b) => Number(isCrash(b[0])) - Number(isCrash(a[0])) || b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const crashes = entries.filter(([r]) => isCrash(r));
  const shown = entries.slice(0, MAX_REASONS_SHOWN).map(([r, n]) => `${escapeText(r)} ×${n}`);
  const rest = entries.length - shown.length;
  if (podsInBackOff) shown.splice(Math.min(crashes.length, shown.length), 0, `${plural(podsInBackOff, 'pod')} in CrashLoopBackOff`);
  if (rest > 0) shown.push(`+${rest} more reason${rest === 1 ? '' : 's'}`);
  const line = shown.join(sep);
  if (crashes.length < 2) return line;
  const total = crashes.reduce((sum, [, n]) => sum + n, 0);
  return `${plural(total, 'crash')}: ${line}`;
}


function incidentTitle(workload: WorkloadRef, namespace: string): string {
  return `${escapeText(workload.name)} · ${escapeText(workload.kind)} · ${escapeText(namespace)}`;
}

export function header(text: string) {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

export function section(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

export function context(parts: readonly string[]) {
  const elements = parts.slice(0, SLACK_LIMITS.contextElements).map((p) => ({ type: 'mrkdwn', text: truncate(p, SLACK_LIMITS.contextElementText) }));
  return { type: 'context', elements };
}

/** Escaped text between code fences; a backtick right at either edge would merge with the fence, so it gets a zero-width space. */
export function fence(escaped: string): string {
  return '```' + escaped.replace(/^`/, '\u200b`').replace(/`$/, '`\u200b') + '```';
}

/** A code block holding untrusted text, cut at its start (the end holds the error) so the fences survive. */
function codeBlock(raw: string, max: number): string {
  return fence(truncateStart(escapeCode(raw), max - 8));
}

/** Assembles a message within Slack's limits: at most 50 blocks, a text fallback of at most 4000. */
export function message(text: string, blocks: unknown[]): SlackMessage {
  const capped = blocks.length > SLACK_LIMITS.blocks ? [...blocks.slice(0, SLACK_LIMITS.blocks - 1), context([`… ${blocks.length - SLACK_LIMITS.blocks + 1} more blocks not shown`])] : blocks;
  return { text: truncate(text, SLACK_LIMITS.text), blocks: capped };
}

export const STATUS_EMOJI: Record<IncidentView['status'], string> = { pending: '🔴', open: '🔴', resolving: '🟡', resolved: '✅' };

/** The parent of an incident thread: what is failing, how much, since when, and the latest words. */
export function renderParent(v: IncidentView): SlackMessage {
  const title = incidentTitle(v.workload, v.namespace);
  const resolved = v.status === 'resolved';
  const since = v.failingSince ?? v.firstSeen;
  const failedFor = (v.resolvedAt ?? v.lastSeen) - since;
  // A one-shot failure over at once (an OOMKill, running again) did not "fail for 0s".
  const recovering = v.status === 'resolving' && !v.firstPost;
  const head = resolved
    ? `✅ Resolved · ${title}${failedFor >= 1000 ? ` · failed for ${formatDuration(failedFor)}` : ''}`
    : v.continuedAt !== undefined
      ? `⤵️ ${title} · continued in a new thread`
      : `${recovering ? STATUS_EMOJI.resolving : STATUS_EMOJI.open} ${title}${recovering ? ' · recovering' : ''}`;
  const pods = v.podsFailing !== undefined && !resolved ? `${v.podsFailing} of ${plural(Math.max(v.podsLive ?? v.podsAffected, v.podsFailing), 'pod')} failing` : plural(v.podsAffected, 'pod');
  const cause = v.cause && !resolved ? `\ncause: ${escapeText(v.cause)}` : '';
  const totals = `*${countsLine(v.counts, ' · ', v.podsInBackOff)}*\n${pods}${v.restarts > 0 ? ` · ${plural(v.restarts, 'restart')}` : ''}${cause}`;
  const ctx: string[] = [];
  if (v.cluster) ctx.push(`cluster *${escapeText(v.cluster)}*`);
  ctx.push(`first seen ${clockTime(v.firstSeen)}`);
  if (since !== v.firstSeen) ctx.push(`failing again since ${sameDay(since, v.firstSeen) ? clockTime(since) : dateTime(since)}`);
  // Durations between two facts, not "ago": an unchanged incident must render the same a minute later.
  if (v.lastSeen - v.firstSeen >= 1000) ctx.push(`last seen ${sameDay(v.lastSeen, v.firstSeen) ? clockTime(v.lastSeen) : dateTime(v.lastSeen)}, ${formatDuration(v.lastSeen - v.firstSeen)} after the first`);
  if (v.status === 'resolving' && v.quietSince !== undefined) ctx.push(`all pods healthy since ${clockTime(v.quietSince)}`);
  if (resolved && v.resolvedAt !== undefined) ctx.push(`recovered ${sameDay(v.resolvedAt, v.firstSeen) ? clockTime(v.resolvedAt) : dateTime(v.resolvedAt)}`);
  if (v.reopened) ctx.push(`failed again ${v.reopened}×`);
  if (v.continuedAt !== undefined) ctx.push(`still failing at ${dateTime(v.continuedAt)}: continued in a new thread`);
  if (v.continuesEarlierThread) ctx.push('continues an earlier thread of this incident');
  if (v.movedTo !== undefined) ctx.push(`channel changed: this incident goes on here, new ones go to ${escapeText(v.movedTo)}`);
  if (v.previousResolvedAt !== undefined) ctx.push(`follows an earlier incident resolved ${dateTime(v.previousResolvedAt)}`);
  const blocks: unknown[] = [header(head), section(totals), context(ctx)];
  const lines = [head, totals.replace(/\*/g, ''), ctx.join(' · ').replace(/\*/g, '')];
  const latest = usefulMessage(v.latestMessage);
  if (latest && !resolved) {
    const code = codeBlock(latest, 1500);
    blocks.push(section(`latest message:\n${code}`));
    lines.push(`latest: ${truncateStart(escapeText(latest), 1000)}`);
  }
  if (v.actions) {
    const acts = parentActions(v.actions, v.namespace, !resolved && v.continuedAt === undefined);
    blocks.push(...acts.blocks);
    lines.push(...acts.lines.map((l) => l.replace(/\*/g, '')));
  }
  return message(lines.join('\n'), blocks);
}

/** Every action_id podbell renders starts with this; a payload without it is another app's. */
export const ACTION_PREFIX = 'podbell:';

const CHOICE_LABEL: Readonly<Record<string, string>> = { '1h': 'for 1 hour', '4h': 'for 4 hours', '24h': 'for 24 hours', resolved: 'until resolved' };

/** `14:00 UTC`, or `2026-12-01 14:00 UTC` when the mute ends on another (UTC) day than it began. */
export function untilText(until: number, from: number): string {
  const iso = new Date(until).toISOString();
  const day = Math.floor(until / 86_400_000) === Math.floor(from / 86_400_000) ? '' : `${iso.slice(0, 10)} `;
  return `${day}${iso.slice(11, 16)} UTC`;
}

/** A Slack user mention; `user` is a checked user id (core/actions.ts), never cluster text. */
export const mention = (user: string) => `<@${user}>`;

function muteLine(m: MuteMark, namespace: string): string {
  const what = m.scope === 'namespace' ? `namespace *${escapeText(namespace)}* muted` : 'muted';
  return `🔕 ${what} by ${mention(m.by)} until ${m.until === undefined ? 'resolved' : untilText(m.until, m.at)}`;
}

/**
 * The context line (who muted / acknowledged) and the actions block of a parent. Resolved and
 * continued parents carry no buttons, and no mute line (a resolution ends a mute).
 */
function parentActions(v: ActionsView, namespace: string, open: boolean): { readonly lines: readonly string[]; readonly blocks: readonly unknown[] } {
  const lines: string[] = [];
  if (open && v.muted) lines.push(muteLine(v.muted, namespace));
  if (v.acked) lines.push(`👀 acknowledged by ${mention(v.acked.by)}`);
  const blocks: unknown[] = [];
  if (lines.length) blocks.push({ type: 'context', elements: lines.map((text) => ({ type: 'mrkdwn', text })) });
  if (v.buttons && open) blocks.push(actionsBlock(v));
  return { lines, blocks };
}

function select(action: 'mute' | 'mute-namespace', thread: string, placeholder: string) {
  return {
    type: 'static_select',
    action_id: `${ACTION_PREFIX}${action}`,
    placeholder: { type: 'plain_text', text: placeholder, emoji: true },
    options: MUTE_CHOICES[action].map((c) => ({ text: { type: 'plain_text', text: CHOICE_LABEL[c]! }, value: `${thread}|${c}` })),
  };
}

function button(action: ActionName, thread: string, text: string) {
  return { type: 'button', action_id: `${ACTION_PREFIX}${action}`, text: { type: 'plain_text', text, emoji: true }, value: thread };
}

/** Two menus and up to two buttons: well within Slack's 25 elements per actions block. */
function actionsBlock(v: ActionsView) {
  const elements: unknown[] = [select('mute', v.thread, '🔕 Mute workload…'), select('mute-namespace', v.thread, '🔕 Mute namespace…')];
  if (!v.acked) elements.push(button('ack', v.thread, '👀 Acknowledge'));
  if (v.muted) elements.push(button('unmute', v.thread, '🔔 Unmute'));
  return { type: 'actions', block_id: `${ACTION_PREFIX}${v.thread}`, elements };
}

/** What is known beyond the reason: the exit code and, for OOM kills, that memory ran out. */
function reasonDetail(f: Failure): string {
  const bits: string[] = [];
  if (f.exitCode !== undefined) bits.push(`exit ${f.exitCode}`);
  // The cause line (when the pipeline set one) names the limit instead.
  if (f.reason === 'OOMKilled' && !f.cause) bits.push('out of memory: hit its limit');
  const cause = bits.length ? `${escapeText(f.reason)} (${bits.join(', ')})` : escapeText(f.reason);
  return f.backOff && f.reason !== 'CrashLoopBackOff' ? `${cause} → CrashLoopBackOff` : cause;
}

/** How a reply is placed: `named` when it lives in a storm thread, where several workloads talk. */
export interface ReplyOptions {
  readonly named?: boolean;
}

/** `etl-06 ` in a storm thread (every reply kind names its workload there), else nothing. */
const whoIn = (workload: string, options?: ReplyOptions): string => (options?.named ? `${escapeText(workload)} ` : '');

/**
 * One thread reply per new (pod, reason): [workload ·] pod · container · reason (exit N) · restart N ·
 * node. `restart N` only once the container has been restarted: "restart 0" tells nothing.
 */
export function renderReply(f: Failure, options?: ReplyOptions): SlackMessage {
  const parts = options?.named ? [`*${escapeText(f.workload.name)}*`, `\`${escapeText(f.pod)}\``] : [`\`${escapeText(f.pod)}\``];
  if (f.container) parts.push(`${f.init ? 'init ' : ''}${escapeText(f.container)}`);
  parts.push(`*${reasonDetail(f)}*`);
  if (f.cause && f.cause !== f.reason) parts.push(escapeText(f.cause));
  if (f.container && f.restartCount > 0) parts.push(`restart ${f.restartCount}`);
  if (f.node) parts.push(escapeText(f.node));
  const line = parts.join(' · ');
  const blocks: unknown[] = [section(line)];
  let text = line.replace(/[`*]/g, '');
  const said = usefulMessage(f.message);
  if (said) {
    blocks.push(section(codeBlock(said, 1500)));
    text += `\n${truncateStart(escapeText(said), 1000)}`;
  }
  if (f.image) blocks.push(context([`image ${escapeText(f.image)}`]));
  return message(text, blocks);
}

/** `+23 more in the last 5 min across 4 pods (CrashLoopBackOff ×20, OOMKilled ×3)` */
export function renderDigest(d: DigestView, options?: ReplyOptions): SlackMessage {
  const text = `${d.workload === undefined || !options?.named ? '' : `${escapeText(d.workload)}: `}+${d.items} more in the last ${formatDuration(Math.max(1000, d.sinceMs))} across ${plural(d.pods, 'pod')} (${countsLine(d.reasons, ', ')})`;
  return message(text, [section(text)]);
}

/** The one reply that says the incident is still on fire after REPEAT_INTERVAL. */
export function renderReminder(v: IncidentView, now: number, options?: ReplyOptions): SlackMessage {
  const since = v.failingSince ?? v.firstSeen;
  const text = `⏰ ${whoIn(v.workload.name, options)}still failing after ${formatDuration(now - since)}: ${countsLine(v.counts, ' · ', v.podsInBackOff)} · ${plural(v.podsFailing ?? v.podsAffected, 'pod')} failing${v.restarts > 0 ? ` · ${plural(v.restarts, 'restart')}` : ''}`;
  return message(text, [section(text)]);
}

/** `✅ recovered at 09:23:10 UTC after 23 min`; in a storm thread `✅ etl-06 recovered at …`. */
export function renderResolvedReply(v: IncidentView, options?: ReplyOptions): SlackMessage {
  const at = v.resolvedAt ?? v.lastSeen;
  const took = at - (v.failingSince ?? v.firstSeen);
  const text = `✅ ${whoIn(v.workload.name, options)}recovered at ${clockTime(at)}${took >= 1000 ? ` after ${formatDuration(took)}` : ''}`;
  return message(text, [section(text)]);
}

/** Said in the old thread when an incident fails again within REOPEN_WINDOW. */
export function renderReopenedReply(resolvedAt: number, now: number, f: Failure, options?: ReplyOptions): SlackMessage {
  const text = `🔁 ${whoIn(f.workload.name, options)}failing again at ${clockTime(now)}, ${formatDuration(now - resolvedAt)} after recovering: \`${escapeText(f.pod)}\` ${reasonDetail(f)}`;
  return message(text.replace(/`/g, ''), [section(text)]);
}
