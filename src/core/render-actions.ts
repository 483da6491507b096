/**
 * The replies that record Slack actions in a thread (docs/slack-actions.md). The parent's buttons and
 * its "muted by" line are rendered with the parent, in render.ts.
 */
import type { SlackMessage } from './outgoing.js';
import { countsLine, escapeText, mention, message, plural, section, untilText } from './render.js';

/** `workload`: set in a storm thread, where several workloads talk, so the reply names its own. */
export type ActionReply = { readonly workload?: string } & (
  | { readonly action: 'ack'; readonly by: string }
  | { readonly action: 'mute'; readonly by: string; readonly until?: number; readonly at: number }
  | { readonly action: 'mute-namespace'; readonly by: string; readonly until: number; readonly at: number; readonly namespace: string }
);

const subject = (workload: string | undefined, otherwise: string): string => (workload === undefined ? otherwise : `*${escapeText(workload)}*`);

/** One section, within Slack's limits like every other message (render.ts). */
const plain = (text: string): SlackMessage => message(text.replace(/\*/g, ''), [section(text)]);

/** The one reply that records an action in the thread. */
export function renderActionReply(r: ActionReply): SlackMessage {
  switch (r.action) {
    case 'ack':
      return plain(`👀 ${mention(r.by)} acknowledged ${subject(r.workload, 'this incident')}: no more reminders.`);
    case 'mute':
      return plain(`🔕 ${mention(r.by)} muted ${subject(r.workload, 'this workload')} until ${r.until === undefined ? 'it resolves' : untilText(r.until, r.at)}: new failures are counted, not posted.`);
    case 'mute-namespace':
      return plain(`🔕 ${mention(r.by)} muted namespace *${escapeText(r.namespace)}*${r.workload === undefined ? '' : ` (from ${subject(r.workload, '')})`} until ${untilText(r.until, r.at)}: new failures there are counted, not posted.`);
  }
}

export interface StillFailing {
  readonly podsFailing: number;
  readonly podsAffected: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly restarts: number;
}

/** When a mute ends: what is failing NOW (totals include what was counted while muted), not a replay. */
export function renderMuteEnded(v: StillFailing & { readonly mutedBy: string; readonly unmutedBy?: string; readonly workload?: string }): SlackMessage {
  const head =
    v.unmutedBy !== undefined ? `🔔 ${mention(v.unmutedBy)} unmuted ${subject(v.workload, 'this incident')}` : `🔔 the mute${v.workload === undefined ? '' : ` of ${subject(v.workload, '')}`} by ${mention(v.mutedBy)} ended`;
  const now =
    v.podsFailing > 0
      ? `still failing: ${v.podsFailing} of ${plural(v.podsAffected, 'pod')} · ${countsLine(v.counts)} · ${plural(v.restarts, 'restart')} in all`
      : `no pod is failing now (${countsLine(v.counts)} in all)`;
  return plain(`${head}: ${now}`);
}
