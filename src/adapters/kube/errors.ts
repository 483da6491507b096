import { obj } from '../../core/json.js';
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

/**
 * What an API server's error answer says: the `message` of its Status object, else (a proxy's page,
 * say) the start of its text, else just the HTTP status.
 */
export function statusMessage(status: number, text: string): string {
  let message: unknown;
  try {
    message = obj(JSON.parse(text))?.message;
  } catch {
    const t = text.trim();
    if (t !== '') return excerpt(t, 200);
  }
  return typeof message === 'string' && message !== '' ? message : `HTTP ${status}`;
}
