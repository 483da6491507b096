/** Every timer in podbell goes through a Clock, so tests and `replay` can drive time themselves. */
export type Cancel = () => void;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn once after ms; the returned function cancels it (calling it twice is harmless). */
  setTimer(ms: number, fn: () => void): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    // A pending timer alone must not keep the process alive at shutdown.
    t.unref?.();
    return () => clearTimeout(t);
  },
};

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told. Timers fire in (time, creation) order, and a timer set by a
 * firing timer fires in the same advance if it falls inside it.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(start = 0) {
    if (!Number.isFinite(start)) throw new TypeError(`VirtualClock: start must be a finite number, got ${start}`);
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): Cancel {
    const p: Pending = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#pending.push(p);
    return () => {
      this.#pending = this.#pending.filter((q) => q !== p);
    };
  }

  /** Time of the earliest pending timer, or undefined when none is pending. */
  nextAt(): number | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending) if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    return best?.at;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Moves time forward by ms, firing every timer due on the way at its own time. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new TypeError(`VirtualClock.advance: ms must be >= 0, got ${ms}`);
    this.advanceTo(this.#now + ms);
  }

  /** Moves time to `at` (never backwards), firing every timer due on the way. */
  advanceTo(at: number): void {
    for (;;) {
      const next = this.#takeDue(at);
      if (!next) break;
      this.#now = next.at;
      next.fn();
    }
    if (at > this.#now) this.#now = at;
  }

  /** Fires timers until none is pending or the next one lies beyond `limit`; returns the time reached. */
  runUntilIdle(limit = Number.POSITIVE_INFINITY): number {
    for (;;) {
      const at = this.nextAt();
      if (at === undefined || at > limit) return this.#now;
      this.advanceTo(at);
    }
  }

  #takeDue(at: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending) {
      if (p.at > at) continue;
      if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    if (best) this.#pending = this.#pending.filter((q) => q !== best);
    return best;
  }
}
