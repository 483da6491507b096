import type { ServerResponse } from 'node:http';
import { SimApiError } from './errors.js';
import { seededRandom } from './random.js';
import type { SimStats } from './stats.js';

/**
 * Faults the server injects, drawn from a seeded PRNG so a failing run can be replayed. Stream
 * faults are rolled once per line written to a watch stream (events and bookmarks); request
 * faults once per API request (discovery is never faulted).
 */
export interface SimFaults {
  readonly seed?: number;
  /** Destroy the socket mid-stream (no clean end). */
  readonly dropRate?: number;
  /** Stop writing but keep the socket open (only the client's watchdog gets out of it). */
  readonly stallRate?: number;
  /** Send an ERROR event with a 410 Expired Status and end the stream, like a compacted watch cache. */
  readonly expireRate?: number;
  /** Answer an API request with HTTP 500. */
  readonly errorRate?: number;
  /** Answer an API request with HTTP 429 and Retry-After. */
  readonly throttleRate?: number;
  /** Retry-After seconds sent with 429 (default 1). */
  readonly retryAfterSeconds?: number;
}

type FaultRate = 'dropRate' | 'stallRate' | 'expireRate' | 'errorRate' | 'throttleRate';

/**
 * The server's one fault generator: the settings and the PRNG they reseed live together, so the
 * request faults and every watch stream draw from the same replayable sequence.
 */
export class FaultDice {
  #faults: SimFaults = {};
  #random: () => number = Math.random;

  constructor(faults: SimFaults | undefined) {
    this.set(faults);
  }

  /** Replaces the settings and reseeds, for requests and stream lines from now on. */
  set(faults: SimFaults | undefined): void {
    this.#faults = faults ?? {};
    this.#random = seededRandom(this.#faults.seed ?? 1);
  }

  /** True when the fault strikes; draws from the PRNG only when its rate is set. */
  roll(rate: FaultRate): boolean {
    const r = this.#faults[rate] ?? 0;
    return r > 0 && this.#random() < r;
  }

  /** An API request's faults, after it was let in: HTTP 500, else 429 with Retry-After. */
  failRequest(res: ServerResponse, stats: SimStats): void {
    if (this.roll('errorRate')) {
      stats.errors++;
      throw new SimApiError(500, 'InternalError', 'Internal error occurred: injected fault');
    }
    if (this.roll('throttleRate')) {
      stats.throttles++;
      res.setHeader('Retry-After', String(this.#faults.retryAfterSeconds ?? 1));
      throw new SimApiError(429, 'TooManyRequests', 'Too many requests, please try again later.');
    }
  }
}
