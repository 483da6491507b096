import type { Registry } from 'prom-client';
import type { ConversationCall } from '../terminal/conversation.js';

/** What the demo did, counted from the bot's own metrics and from the Slack calls it made. */
export interface DemoSummary {
  readonly wallMs: number;
  readonly speed: number;
  /** Ended by Ctrl-C before the story was over. */
  readonly interrupted: boolean;
  /** ADDED, MODIFIED and DELETED events the bot's watches received (pods and namespaces). */
  readonly watchEvents: number;
  /** Failures detect() found (before muting): what a bot with one message per failure would post. */
  readonly failures: number;
  /** Failures not alerted because of a mute. */
  readonly muted: number;
  readonly mutedNamespace: { readonly name: string; readonly failures: number };
  /** Incidents whose thread was posted. */
  readonly incidents: number;
  readonly storms: number;
  readonly topLevelPosts: number;
  readonly replies: number;
  /** Parent edits; in Slack mode, the chat.update calls Slack accepted (its queue collapses edits that pile up). */
  readonly edits: number;
  /** Slack mode: chat.postMessage and chat.update requests Slack answered ok, and those that failed. */
  readonly slackRequests?: { readonly posts: number; readonly edits: number; readonly failed: number };
}

/** Top-level posts, thread replies and edits among recorded Slack calls. */
export function countCalls(calls: readonly ConversationCall[]): Pick<DemoSummary, 'topLevelPosts' | 'replies' | 'edits'> {
  let topLevelPosts = 0;
  let replies = 0;
  let edits = 0;
  for (const c of calls) {
    if (c.method === 'chat.update') edits++;
    else if (c.thread_ts) replies++;
    else topLevelPosts++;
  }
  return { topLevelPosts, replies, edits };
}

/** The sum of a metric's values whose labels pass `where` (0 when the metric does not exist). */
export async function metricSum(registry: Registry, name: string, where: (labels: Record<string, string | number | undefined>) => boolean = () => true): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => where(v.labels as Record<string, string | number | undefined>)).reduce((sum, v) => sum + v.value, 0);
}

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** The closing lines of the demo. The `Slack:` and `naive bot` lines are stable: tests read them. */
export function formatSummary(s: DemoSummary): string {
  const seconds = Math.round(s.wallMs / 100) / 10;
  const lines = [
    `── summary${s.interrupted ? ' (interrupted)' : ''} · ${seconds}s at speed ${s.speed} ──`,
    `cluster: ${plural(s.watchEvents, 'watch event')} seen · ${plural(s.failures, 'failure')} detected · ${s.mutedNamespace.failures} in muted namespace ${s.mutedNamespace.name}, never posted`,
    `podbell: ${plural(s.incidents, 'incident')}${s.storms > 0 ? `, ${plural(s.storms, 'storm thread')}` : ''}`,
    `Slack: ${plural(s.topLevelPosts, 'top-level post')} · ${plural(s.replies, 'thread reply', 'thread replies')} · ${plural(s.edits, 'edit')} in place`,
  ];
  if (s.slackRequests) lines.push(`Slack API: ${plural(s.slackRequests.posts, 'chat.postMessage request')} and ${plural(s.slackRequests.edits, 'chat.update request')} ok, ${s.slackRequests.failed} failed`);
  lines.push(`naive bot (one message per failure): ${plural(s.failures, 'top-level post')} · podbell: ${s.topLevelPosts}`);
  return `${lines.join('\n')}\n`;
}
