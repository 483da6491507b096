/**
 * The thin layer over the official WebClient: one call, counted in the metrics, every failure
 * classified (Slack's error string, ratelimited, http_<status>, request_failed) and scrubbed of the token.
 */
import { WebClient } from '@slack/web-api';
import type { Logger } from '../../log.js';
import { classify, outcomeLabel, redactToken } from './classify.js';
import { clientLogger } from './client-logger.js';
import type { SlackApiError } from './errors.js';
import type { SlackMetrics } from './metrics.js';

export interface TransportOptions {
  readonly token: string;
  readonly apiUrl: string;
  /** Per-request timeout of the HTTP client (wall time). */
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly metrics: SlackMetrics;
}

export type CallResult<T> = { readonly ok: true; readonly res: T } | { readonly ok: false; readonly error: SlackApiError };

export class SlackTransport {
  readonly #token: string;
  readonly #client: WebClient;
  readonly #metrics: SlackMetrics;

  constructor(o: TransportOptions) {
    this.#token = o.token;
    this.#metrics = o.metrics;
    // The client only carries requests: no retries of its own (the queues retry through the Clock),
    // and a 429 rejects at once instead of pausing every channel.
    this.#client = new WebClient(o.token, {
      slackApiUrl: o.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: o.timeoutMs,
      logger: clientLogger(o.log.child({ component: 'slack-web-api' }), (t) => this.scrub(t)),
    });
  }

  /** One Web API call; `message` labels the metric (parent, reply, edit, or none). Never throws. */
  async call<T>(method: string, args: Record<string, unknown>, message: string): Promise<CallResult<T>> {
    try {
      const res = (await this.#client.apiCall(method, args)) as T;
      this.#metrics.requests.inc({ method, message, outcome: 'ok' });
      return { ok: true, res };
    } catch (err) {
      const error = classify(method, err, this.#token);
      this.#metrics.requests.inc({ method, message, outcome: outcomeLabel(error) });
      return { ok: false, error };
    }
  }

  scrub(text: string): string {
    return redactToken(text, this.#token);
  }
}
