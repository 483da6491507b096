import { formatDuration } from '../duration.js';
import type { Failure } from './detect.js';
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
  /** sum of the highest restartCount seen per affected container */
  readonly restarts: number;
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
  readonly latestMessage?: string;
  /** the latest cause line (core/cause.ts), plain text */
  readonly cause?: string;
  /**
   * Kept for compatibility; the parent does NOT depend on it, so an unchanged incident renders
   * identically and is never re-edited only because time passed.
   */
  readonly now: number;
}

/** One line of a storm parent. */
export interface StormMemberView {
  readonly status: IncidentView['status'];
  readonly namespace: string;
  readonly workload: WorkloadRef;
  readonly counts: Readonly<Record<string, number>>;
}

export interface StormView {
  readonly cluster?: string | undefined;
  readonly channel: string;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly members: readonly StormMemberView[];
  /** members beyond what the book keeps a line for */
  readonly extra?: number;
}

/** What a digest reply summarises: the new (pod, reason) pairs that did not get a reply of their own. */
export interface DigestView {
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

/** `CrashLoopBackOff ×14 · OOMKilled ×3`, biggest first; beyond a dozen reasons, a count of the rest. */
export function countsLine(counts: Readonly<Record<string, number>>, sep = ' · '): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const shown = entries.slice(0, MAX_REASONS_SHOWN).map(([r, n]) => `${escapeText(r)} ×${n}`);
  const rest = entries.length - shown.length;
  if (rest > 0) shown.push(`+${rest} more reason${rest === 1 ? '' : 's'}`);
  return shown.join(sep);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function incidentTitle(workload: WorkloadRef, namespace: string): string {
  return `${escapeText(workload.name)} · ${escapeText(workload.kind)} · ${escapeText(namespace)}`;
}

function header(text: string) {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

function section(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

function context(parts: readonly string[]) {
  const elements = parts.slice(0, SLACK_LIMITS.contextElements).map((p) => ({ type: 'mrkdwn', text: truncate(p, SLACK_LIMITS.contextElementText) }));
  return { type: 'context', elements };
}

/** A code block holding untrusted text, cut so that the closing fence always survives. */
function codeBlock(raw: string, max: number): string {
  // A backtick right at either edge would merge with the fence: pad it with a zero-width space.
  const body = truncate(escapeCode(raw), max - 8).replace(/^`/, '\u200b`').replace(/`$/, '`\u200b');
  return '```' + body + '```';
}

/** Assembles a message within Slack's limits: at most 50 blocks, a text fallback of at most 4000. */
function message(text: string, blocks: unknown[]): SlackMessage {
  const capped = blocks.length > SLACK_LIMITS.blocks ? [...blocks.slice(0, SLACK_LIMITS.blocks - 1), context([`… ${blocks.length - SLACK_LIMITS.blocks + 1} more blocks not shown`])] : blocks;
  return { text: truncate(text, SLACK_LIMITS.text), blocks: capped };
}

const STATUS_EMOJI: Record<IncidentView['status'], string> = { pending: '🔴', open: '🔴', resolving: '🟡', resolved: '✅' };

/** The parent of an incident thread: what is failing, how much, since when, and the latest words. */
export function renderParent(v: IncidentView): SlackMessage {
  const title = incidentTitle(v.workload, v.namespace);
  const resolved = v.status === 'resolved';
  const since = v.failingSince ?? v.firstSeen;
  const head = resolved
    ? `✅ Resolved · ${title} · failed for ${formatDuration((v.resolvedAt ?? v.lastSeen) - since)}`
    : v.continuedAt !== undefined
      ? `⤵️ ${title} · continued in a new thread`
      : `${STATUS_EMOJI[v.status]} ${title}${v.status === 'resolving' ? ' · recovering' : ''}`;
  const pods = v.podsFailing !== undefined && !resolved ? `${v.podsFailing} of ${plural(v.podsAffected, 'pod')} failing` : plural(v.podsAffected, 'pod');
  const cause = v.cause && !resolved ? `\ncause: ${escapeText(v.cause)}` : '';
  const totals = `*${countsLine(v.counts)}*\n${pods} · ${plural(v.restarts, 'restart')}${cause}`;
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
  if (v.previousResolvedAt !== undefined) ctx.push(`follows an earlier incident resolved ${dateTime(v.previousResolvedAt)}`);
  const blocks: unknown[] = [header(head), section(totals), context(ctx)];
  const lines = [head, totals.replace(/\*/g, ''), ctx.join(' · ').replace(/\*/g, '')];
  if (v.latestMessage && !resolved) {
    const code = codeBlock(v.latestMessage, 1500);
    blocks.push(section(`latest message:\n${code}`));
    lines.push(`latest: ${truncate(escapeText(v.latestMessage), 1000)}`);
  }
  return message(lines.join('\n'), blocks);
}

/** What is known beyond the reason: the exit code and, for OOM kills, that memory ran out. */
function reasonDetail(f: Failure): string {
  const bits: string[] = [];
  if (f.exitCode !== undefined) bits.push(`exit ${f.exitCode}`);
  // The cause line (when the pipeline set one) names the limit instead.
  if (f.reason === 'OOMKilled' && !f.cause) bits.push('out of memory: hit its limit');
  return bits.length ? `${escapeText(f.reason)} (${bits.join(', ')})` : escapeText(f.reason);
}

/** One thread reply per new (pod, reason): pod · container · reason (exit N) · restart N · node. */
export function renderReply(f: Failure): SlackMessage {
  const parts = [`\`${escapeText(f.pod)}\``];
  if (f.container) parts.push(`${f.init ? 'init ' : ''}${escapeText(f.container)}`);
  parts.push(`*${reasonDetail(f)}*`);
  if (f.cause && f.cause !== f.reason) parts.push(escapeText(f.cause));
  parts.push(`restart ${f.restartCount}`);
  if (f.node) parts.push(escapeText(f.node));
  const line = parts.join(' · ');
  const blocks: unknown[] = [section(line)];
  let text = line.replace(/[`*]/g, '');
  if (f.message) {
    blocks.push(section(codeBlock(f.message, 1500)));
    text += `\n${truncate(escapeText(f.message), 1000)}`;
  }
  if (f.image) blocks.push(context([`image ${escapeText(f.image)}`]));
  return message(text, blocks);
}

/** `+23 more in the last 5 min across 4 pods (CrashLoopBackOff ×20, OOMKilled ×3)` */
export function renderDigest(d: DigestView): SlackMessage {
  const text = `+${d.items} more in the last ${formatDuration(Math.max(1000, d.sinceMs))} across ${plural(d.pods, 'pod')} (${countsLine(d.reasons, ', ')})`;
  return message(text, [section(text)]);
}

/** The one reply that says the incident is still on fire after REPEAT_INTERVAL. */
export function renderReminder(v: IncidentView, now: number): SlackMessage {
  const since = v.failingSince ?? v.firstSeen;
  const text = `⏰ still failing after ${formatDuration(now - since)}: ${countsLine(v.counts)} · ${plural(v.podsFailing ?? v.podsAffected, 'pod')} failing · ${plural(v.restarts, 'restart')}`;
  return message(text, [section(text)]);
}

/** `✅ recovered at 09:23:10 UTC after 23 min` */
export function renderResolvedReply(v: IncidentView): SlackMessage {
  const at = v.resolvedAt ?? v.lastSeen;
  const text = `✅ recovered at ${clockTime(at)} after ${formatDuration(at - (v.failingSince ?? v.firstSeen))}`;
  return message(text, [section(text)]);
}

/** Said in the old thread when an incident fails again within REOPEN_WINDOW. */
export function renderReopenedReply(resolvedAt: number, now: number, f: Failure): SlackMessage {
  const text = `🔁 failing again at ${clockTime(now)}, ${formatDuration(now - resolvedAt)} after recovering: \`${escapeText(f.pod)}\` ${reasonDetail(f)}`;
  return message(text.replace(/`/g, ''), [section(text)]);
}

const STORM_LINES = 40;

/** One parent for a burst of incidents in one channel; each incident then lives in its thread. */
export function renderStorm(v: StormView): SlackMessage {
  const n = v.members.length + (v.extra ?? 0);
  const head = `🚨 ${n} workloads started failing within ${formatDuration(v.lastAt - v.firstAt)}`;
  const lines = v.members.slice(0, STORM_LINES).map((m) => `${STATUS_EMOJI[m.status]} *${escapeText(m.workload.name)}* · ${escapeText(m.workload.kind)} · ${escapeText(m.namespace)} — ${countsLine(m.counts)}`);
  if (n > lines.length) lines.push(`… (+${n - lines.length} more)`);
  // Several sections of at most ~20 lines each, so no single section hits its 3000-char limit.
  const blocks: unknown[] = [header(head)];
  for (let i = 0; i < lines.length; i += 20) blocks.push(section(lines.slice(i, i + 20).join('\n')));
  const ctx = [`${v.cluster ? `cluster *${escapeText(v.cluster)}* · ` : ''}from ${clockTime(v.firstAt)} to ${clockTime(v.lastAt)} · each incident continues in this thread`];
  blocks.push(context(ctx));
  const text = `${head}${v.cluster ? ` (cluster ${escapeText(v.cluster)})` : ''}\n${lines.join('\n').replace(/\*/g, '')}`;
  return message(text, blocks);
}
