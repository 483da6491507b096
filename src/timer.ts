import type { Cancel, Clock } from './clock.js';

/**
 * One Clock timer that can be moved: the pipeline's single wake-up, each Slack queue's next pump,
 * each muted namespace's re-check. At most one pending call of `fire` at any time.
 */
export class RearmableTimer {
  readonly #clock: Clock;
  readonly #fire: () => void;
  #cancel: Cancel | undefined;
  #at: number | undefined;

  constructor(clock: Clock, fire: () => void) {
    this.#clock = clock;
    this.#fire = fire;
  }

  /** When it fires next; undefined when disarmed. */
  get at(): number | undefined {
    return this.#at;
  }

  /** Fires at `at` instead of any earlier setting; undefined disarms. */
  set(at: number | undefined): void {
    if (at === this.#at) return;
    this.cancel();
    if (at === undefined) return;
    this.#at = at;
    this.#cancel = this.#clock.setTimer(at - this.#clock.now(), () => {
      this.#cancel = undefined;
      this.#at = undefined;
      this.#fire();
    });
  }

  /** Fires at `at` unless already set to fire earlier (or at the same time). */
  earliest(at: number): void {
    if (this.#at !== undefined && this.#at <= at) return;
    this.set(at);
  }

  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#at = undefined;
  }
}
