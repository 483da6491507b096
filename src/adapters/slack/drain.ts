import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';

/**
 * Who waits for the sender to go quiet: idle() (no request in flight, no pump scheduled) and flush()
 * (nothing queued, or its deadline on the Clock). The sender calls settle() whenever that may have changed.
 */
export class DrainWaiters {
  readonly #clock: Clock;
  readonly #log: Logger;
  #idle: (() => void)[] = [];
  #drained: (() => void)[] = [];

  constructor(clock: Clock, log: Logger) {
    this.#clock = clock;
    this.#log = log;
  }

  idle(isIdle: boolean): Promise<void> {
    if (isIdle) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Resolves once pending() is 0 at a settle, or after deadlineMs (clock time), whichever is first. */
  flush(pending: () => number, deadlineMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (pending() === 0) return resolve();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        cancel();
        resolve();
      };
      const cancel = this.#clock.setTimer(Math.max(0, deadlineMs), () => {
        if (!done && pending() > 0) this.#log.warn({ unsent: pending(), deadlineMs }, 'Slack flush deadline reached; some messages were not sent');
        finish();
      });
      this.#drained.push(finish);
    });
  }

  settle(isIdle: boolean, pending: number): void {
    if (!isIdle) return;
    for (const w of this.#idle.splice(0)) w();
    if (pending === 0) for (const w of this.#drained.splice(0)) w();
  }
}
