import type { Logger } from '../../log.js';

/**
 * The callbacks of the watch of one WATCH_NAMESPACES entry, wrapped to warn once when its initial
 * list is empty: a namespace that does not exist is still watched (it may be created later), but a
 * typo should not pass without a word. The whole-cluster watch (name undefined) is left as is.
 */
export function warnWhenAbsent<C>(name: string | undefined, log: Logger, callbacks: { onChange(c: C): void; onSynced(): void }): { onChange(c: C): void; onSynced(): void } {
  if (name === undefined) return callbacks;
  let seen = false;
  return {
    onChange(c) {
      seen = true;
      callbacks.onChange(c);
    },
    onSynced() {
      if (!seen) log.warn({ namespace: name }, `WATCH_NAMESPACES names "${name}", which does not exist: watching it anyway, in case it is created later`);
      callbacks.onSynced();
    },
  };
}
