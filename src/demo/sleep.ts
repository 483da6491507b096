import type { Clock } from '../clock.js';

/**
 * Resolves after `ms` on `clock`, or at once when `signal` aborts (Ctrl-C), so the demo never sleeps
 * outside the Clock and never keeps a user waiting after they asked it to stop.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimer(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
