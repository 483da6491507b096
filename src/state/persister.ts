import type { Registry } from 'prom-client';
import type { Cancel, Clock } from '../clock.js';
import type { IncidentBook } from '../core/incidents.js';
import type { Logger } from '../log.js';
import { stateMetrics, type StateMetrics } from './metrics.js';
import type { LoadedState } from './snapshot.js';
import type { SavedThreads } from '../ports.js';
import type { StateStore } from './types.js';

export interface StatePersisterOptions {
  readonly store: StateStore;
  /** The thread refs the sender keeps; restored on load, saved with the book. */
  readonly threads: SavedThreads;
  /** The live incident book (read at save time, never modified). */
  readonly book: () => IncidentBook;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** At most one save per this long after a change (default 5000 ms): the API server is not a journal. */
  readonly debounceMs?: number;
}

/**
 * Saves the state some seconds after it changes, and once more at shutdown. Failures are logged and
 * counted, never thrown: podbell keeps alerting from memory when the API server refuses a write.
 */
export class StatePersister {
  readonly #o: StatePersisterOptions;
  readonly #metrics: StateMetrics;
  readonly #debounceMs: number;
  #timer: Cancel | undefined;
  #writing: Promise<void> | undefined;
  /** A change arrived while a save was in flight: save again after it. */
  #again = false;
  #againUrgent = false;
  #stopped = false;

  constructor(options: StatePersisterOptions) {
    for (const k of ['store', 'threads', 'book', 'clock', 'log', 'registry'] as const) {
      if (!options[k]) throw new TypeError(`StatePersister: option ${k} is required`);
    }
    const d = options.debounceMs ?? 5000;
    if (!(Number.isFinite(d) && d >= 0)) throw new TypeError(`StatePersister: option debounceMs must be a number >= 0, got ${d}`);
    this.#o = options;
    this.#debounceMs = d;
    this.#metrics = stateMetrics(options.registry);
  }

  /**
   * Reads the saved state and puts the thread refs back in the thread store; returns the book for
   * the pipeline. Anything unreadable or unreachable means starting empty (logged), never failing.
   */
  async load(): Promise<IncidentBook | undefined> {
    // Saves go on even when the read failed: what this run posts is what the next restart needs.
    this.#o.threads.onChange(() => this.changed());
    let state: LoadedState;
    try {
      state = await this.#o.store.load();
    } catch (err) {
      this.#o.log.error({ err }, 'cannot read saved state; starting with no open incidents (threads from before the restart get new parents)');
      return undefined;
    }
    if (state.threads) this.#o.threads.restore(state.threads);
    const incidents = state.book ? Object.values(state.book.incidents) : [];
    this.#o.log.info(
      { incidents: incidents.length, open: incidents.filter((i) => i.status !== 'resolved').length, threads: Object.keys(state.threads ?? {}).length, savedAt: state.savedAt },
      state.book ? 'restored saved state' : 'no saved state; starting empty',
    );
    return state.book;
  }

  /**
   * Something changed: save within debounceMs (one save covers every change until then). `urgent`
   * (Slack accepted a parent): save now, so a SIGKILL a moment later cannot make a restart post it again.
   */
  changed(urgent = false): void {
    if (this.#stopped) return;
    if (this.#writing) {
      this.#again = true;
      this.#againUrgent ||= urgent;
      return;
    }
    if (urgent) {
      this.#timer?.();
      this.#timer = undefined;
      void this.#save();
      return;
    }
    this.#timer ??= this.#o.clock.setTimer(this.#debounceMs, () => {
      this.#timer = undefined;
      void this.#save();
    });
  }

  /** Cancels the pending save and saves now (after Slack got its last messages); resolves either way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.();
    this.#timer = undefined;
    await this.#writing;
    await this.#save();
  }

  #save(): Promise<void> {
    const run = async () => {
      try {
        const outcome = await this.#o.store.save({ book: this.#o.book(), threads: this.#o.threads.entries() });
        this.#metrics.writes.inc({ outcome });
      } catch (err) {
        this.#metrics.writes.inc({ outcome: 'error' });
        this.#o.log.error({ err }, 'cannot save state; keeping it in memory and trying again at the next change');
      }
    };
    const writing = run().finally(() => {
      this.#writing = undefined;
      if (this.#again) {
        const urgent = this.#againUrgent;
        this.#again = false;
        this.#againUrgent = false;
        this.changed(urgent);
      }
    });
    this.#writing = writing;
    return writing;
  }
}
