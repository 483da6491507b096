import { PodbellError } from '../../errors.js';

/** The API server answered a request with a non-2xx status (or a watch ERROR event carrying one). */
export class KubeApiError extends PodbellError {
  readonly status: number;
  /** From a 429/503 Retry-After header, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, message: string, retryAfterMs?: number) {
    super(`kube_http_${status}`, message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Our own watchdog ended a stream that had been silent for too long. */
export class WatchStalledError extends PodbellError {
  constructor(silentMs: number) {
    super('kube_watch_stalled', `watch stream silent for ${silentMs} ms; reconnecting`);
  }
}

/** The start of a server's text (a body, a stream line) for an error message or log line. */
export const excerpt = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n)}…` : s);
