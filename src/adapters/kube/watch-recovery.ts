/**
 * What a watch does after a LIST or WATCH ends or fails, decided in one place: 410 Gone -> relist
 * (backing off when it keeps happening); 401/403 -> told once with the fix, retried with backoff;
 * 429 -> wait at least its Retry-After; anything else -> jittered exponential backoff (src/backoff.ts),
 * reset once a stream delivers something. Kept apart from the loop (./watch.ts) so the loop reads as
 * LIST, WATCH, recover, and every restart is counted by reason in one place.
 */
import { backoffDelay } from '../../backoff.js';
import type { Logger } from '../../log.js';
import { KubeApiError, WatchStalledError } from './errors.js';
import type { RestartReason, WatchMetrics } from './metrics.js';

export interface WatchRecoveryOptions {
  readonly resource: string;
  readonly namespace?: string | undefined;
  /** The watched collection in words (watch-options.ts). */
  readonly what: string;
  readonly log: Logger;
  readonly metrics: WatchMetrics;
  readonly random: () => number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
}

/** The next step: start over with a fresh LIST or resume the WATCH, after waiting (or at once when undefined). */
export interface Recovery {
  readonly relist: boolean;
  readonly waitMs: number | undefined;
}

export class WatchRecovery {
  readonly #o: WatchRecoveryOptions;
  #attempt = 0;
  #goneStreak = 0;
  /** The API server refused us (401/403) and we said so; cleared when a request is accepted again. */
  #refused = false;

  constructor(options: WatchRecoveryOptions) {
    this.#o = options;
  }

  /** 410 Gone, as an ERROR event or an HTTP status: relist; back off when it keeps happening. */
  expired(): Recovery {
    this.#restart('expired');
    return { relist: true, waitMs: this.#goneStreak++ > 0 ? this.#nextBackoff() : undefined };
  }

  /** The server ended the stream cleanly; one that ends every stream at once (no traffic) must not make us spin. */
  closed(traffic: boolean): Recovery {
    this.#restart('closed');
    return { relist: false, waitMs: traffic ? undefined : this.#nextBackoff() };
  }

  /** A LIST or WATCH failed (`phase` names which, for the operator). */
  failed(err: unknown, phase: 'list' | 'watch'): Recovery {
    // An expired continue token, or a watch answered with HTTP 410: start over with a fresh LIST.
    if (err instanceof KubeApiError && err.status === 410) return this.expired();
    const delay = this.#nextBackoff();
    const { resource, namespace, what, log } = this.#o;
    if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) {
      this.#restart('unauthorized');
      if (!this.#refused) {
        this.#refused = true;
        log.error(
          { resource, namespace, status: err.status },
          `${err.status === 403 ? 'forbidden' : 'unauthorized'}: ${phase} ${what} — ${
            err.status === 403 ? 'check the ClusterRole/RoleBinding of podbell' : 'check the credentials in the kubeconfig or service account'
          } (retrying with backoff)`,
        );
      }
      return { relist: false, waitMs: delay };
    }
    if (err instanceof KubeApiError && err.status === 429) {
      this.#restart('throttled');
      return { relist: false, waitMs: Math.max(delay, err.retryAfterMs ?? 0) };
    }
    this.#restart(err instanceof WatchStalledError ? 'watchdog' : 'error');
    log.warn({ resource, namespace, err: (err as Error)?.message ?? String(err), retryInMs: Math.round(delay) }, `watch of ${what} failed; retrying`);
    return { relist: false, waitMs: delay };
  }

  /**
   * A watch stream delivered an event or bookmark: the next error starts the backoff from the
   * beginning. A successful LIST alone does not count, or a server that answers every WATCH with
   * 410 would get a full relist in a tight loop.
   */
  healthy(): void {
    this.#attempt = 0;
    this.#goneStreak = 0;
  }

  /** The API server accepted a request: an earlier refusal (401/403) is over. */
  accepted(): void {
    if (this.#refused) {
      this.#refused = false;
      this.#o.log.info({ resource: this.#o.resource, namespace: this.#o.namespace }, `access to ${this.#o.what} restored`);
    }
  }

  /** The next delay of the jittered exponential backoff (src/backoff.ts). */
  #nextBackoff(): number {
    const delay = backoffDelay(this.#attempt, this.#o.backoff.initialMs, this.#o.backoff.maxMs, this.#o.random);
    this.#attempt++;
    return delay;
  }

  #restart(reason: RestartReason): void {
    this.#o.metrics.restarts.inc({ resource: this.#o.resource, reason });
  }
}
