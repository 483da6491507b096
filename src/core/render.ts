import type { Failure } from './detect.js';
import type { SlackMessage } from './outgoing.js';
import type { WorkloadRef } from './workload.js';

/** What a parent message shows: a read-only view of an incident. */
export interface IncidentView {
  readonly status: 'pending' | 'open' | 'resolving' | 'resolved';
  readonly cluster?: string | undefined;
  readonly namespace: string;
  readonly workload: WorkloadRef;
  readonly counts: Readonly<Record<string, number>>;
  readonly podsAffected: number;
  readonly restarts: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly resolvedAt?: number;
  readonly latestMessage?: string;
  readonly now: number;
}

/** Escapes text from the cluster so it cannot mention, ping or link (Slack's three control characters). */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19) + ' UTC';

export function countsLine(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([r, n]) => `${r} ×${n}`)
    .join(' · ');
}

export function renderParent(v: IncidentView): SlackMessage {
  const resolved = v.status === 'resolved';
  const title = `${resolved ? '✅ Resolved' : '🔴'} ${escapeText(v.workload.name)} · ${v.workload.kind} · ${escapeText(v.namespace)}`;
  const lines = [
    `${countsLine(v.counts)} · ${v.podsAffected} pod${v.podsAffected === 1 ? '' : 's'} · ${v.restarts} restarts`,
    `since ${time(v.firstSeen)} · last ${time(v.lastSeen)}`,
  ];
  if (v.cluster) lines.unshift(`cluster ${escapeText(v.cluster)}`);
  if (v.latestMessage && !resolved) lines.push(`> ${escapeText(v.latestMessage.slice(0, 300))}`);
  const text = `${title}\n${lines.join('\n')}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function renderReply(f: Failure): SlackMessage {
  const parts = [escapeText(f.pod), escapeText(f.container), f.reason];
  if (f.exitCode !== undefined) parts[2] += ` (exit ${f.exitCode})`;
  parts.push(`restart ${f.restartCount}`);
  if (f.node) parts.push(escapeText(f.node));
  const text = parts.join(' · ');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
