import { Counter, Gauge, type Registry } from 'prom-client';

/** The Slack adapter's metrics, registered in the Registry the caller passes in. */
export interface SlackMetrics {
  /**
   * One per HTTP call to Slack. message: parent, reply or edit (none for auth.test and
   * chat.getPermalink); outcome: `ok`, a known Slack error string, `ratelimited`, `http_5xx`, `network` or `other_error`.
   */
  readonly requests: Counter<'method' | 'message' | 'outcome'>;
  readonly rateLimited: Counter<'channel'>;
  /** Messages waiting (queued or in flight) per channel, read at scrape time. */
  readonly queueDepth: Gauge<'channel'>;
  /** default_channel, plain_text, new_parent, reply_dropped, orphan_dropped, given_up. */
  readonly fallbacks: Counter<'kind'>;
  /** 1 while the default channel (SLACK_CHANNEL) refuses podbell's posts (not_in_channel, channel_not_found, ...). */
  readonly defaultChannelRefused: Gauge;
}

export function createSlackMetrics(registry: Registry, depth: () => ReadonlyMap<string, number>): SlackMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'podbell_slack_requests_total',
      help: 'Calls to the Slack Web API by method, message kind (parent, reply, edit) and outcome.',
      labelNames: ['method', 'message', 'outcome'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'podbell_slack_rate_limited_total',
      help: 'HTTP 429 answers from Slack, by channel; each pauses only that channel.',
      labelNames: ['channel'] as const,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'podbell_slack_queue_depth',
      help: 'Messages waiting to be sent to Slack (queued or in flight), by channel.',
      labelNames: ['channel'] as const,
      registers,
      collect() {
        this.reset();
        for (const [channel, n] of depth()) this.set({ channel }, n);
      },
    }),
    fallbacks: new Counter({
      name: 'podbell_slack_fallbacks_total',
      help: 'Messages sent differently than asked (default channel, plain text, new parent) or dropped, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    defaultChannelRefused: new Gauge({
      name: 'podbell_slack_default_channel_refused',
      help: '1 while the default channel (SLACK_CHANNEL) refuses posts: invite the bot there (/invite @podbell) or fix SLACK_CHANNEL.',
      registers,
    }),
  };
}
