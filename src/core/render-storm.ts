/**
 * The storm parent and the storm thread's notes (docs/design.md#storms). A storm member has no parent
 * of its own: its line here is what a reader sees of it, so every member gets a line (up to
 * STORM_LINES; past that the parent says "+N more" and each further member is named in the thread).
 */
import { formatDuration } from '../duration.js';
import type { SlackMessage } from './outgoing.js';
import { clockTime, context, countsLine, escapeText, header, message, section, STATUS_EMOJI, type IncidentView } from './render.js';
import type { WorkloadRef } from './workload.js';

/** Members listed on the storm parent; the rest are counted ("+N more") and named in the thread. */
export const STORM_LINES = 100;
/** Lines per section: a long workload name times this stays under a section's 3000 characters. */
const LINES_PER_SECTION = 10;

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

/** `🔴 *etl-06* · Deployment · shop — Error (exit 1) ×12` */
export function stormMemberLine(m: StormMemberView): string {
  return `${STATUS_EMOJI[m.status]} *${escapeText(m.workload.name)}* · ${escapeText(m.workload.kind)} · ${escapeText(m.namespace)} — ${countsLine(m.counts)}`;
}

/** One parent for a burst of incidents in one channel: a line per workload, kept up to date. */
export function renderStorm(v: StormView): SlackMessage {
  const n = v.members.length + (v.extra ?? 0);
  const head = `🚨 ${n} workloads started failing within ${formatDuration(v.lastAt - v.firstAt)}`;
  const lines = v.members.slice(0, STORM_LINES).map(stormMemberLine);
  if (n > lines.length) lines.push(`… (+${n - lines.length} more, named in the thread)`);
  const blocks: unknown[] = [header(head)];
  for (let i = 0; i < lines.length; i += LINES_PER_SECTION) blocks.push(section(lines.slice(i, i + LINES_PER_SECTION).join('\n')));
  const ctx = [`${v.cluster ? `cluster *${escapeText(v.cluster)}* · ` : ''}from ${clockTime(v.firstAt)} to ${clockTime(v.lastAt)} · the workloads' recoveries and the evidence of each cause are in this thread`];
  blocks.push(context(ctx));
  const text = `${head}${v.cluster ? ` (cluster ${escapeText(v.cluster)})` : ''}\n${lines.join('\n').replace(/\*/g, '')}`;
  return message(text, blocks);
}

/**
 * One reply in the storm thread gathering what its members said within a GROUP_INTERVAL (recovered,
 * failing again, still failing, acknowledged…). Each line is a reply already rendered (and escaped)
 * for that member, naming its workload.
 */
export function renderStormNotes(lines: readonly string[], more: number): SlackMessage {
  const all = more > 0 ? [...lines, `… and ${more} more`] : [...lines];
  const blocks: unknown[] = [];
  for (let i = 0; i < all.length; i += LINES_PER_SECTION) blocks.push(section(all.slice(i, i + LINES_PER_SECTION).join('\n')));
  return message(all.join('\n').replace(/\*/g, ''), blocks);
}
