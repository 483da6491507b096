/**
 * A request budget: at most `limit` takes in any window of `intervalMs`, on the caller's clock.
 * It does not wait itself: the queue asks `nextAt(now)` and sets a Clock timer, so virtual time
 * drives it in tests. (p-throttle reads Date.now and sets its own timers, which bypasses the Clock.)
 */
export class Budget {
  readonly #limit: number;
  readonly #intervalMs: number;
  /** Times of the last `limit` takes, oldest first. */
  readonly #taken: number[] = [];

  constructor(limit: number, intervalMs: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new TypeError(`Budget: limit must be an integer >= 1, got ${limit}`);
    if (!(intervalMs > 0)) throw new TypeError(`Budget: intervalMs must be > 0, got ${intervalMs}`);
    this.#limit = limit;
    this.#intervalMs = intervalMs;
  }

  /** Earliest time (>= now) at which a take fits the budget. */
  nextAt(now: number): number {
    if (this.#taken.length < this.#limit) return now;
    return Math.max(now, this.#taken[0]! + this.#intervalMs);
  }

  take(now: number): void {
    this.#taken.push(now);
    if (this.#taken.length > this.#limit) this.#taken.shift();
  }
}

/** A budget from a rate that may be fractional (0.5 per second = 1 per 2 s). */
export function budgetFromRate(perInterval: number, intervalMs: number): Budget {
  return perInterval >= 1 ? new Budget(Math.floor(perInterval), intervalMs) : new Budget(1, intervalMs / perInterval);
}
