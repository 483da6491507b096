import type { LoadedState, StateSnapshot } from './snapshot.js';

/** How a save went, for the podbell_state_writes_total{outcome} metric. */
export type SaveOutcome = 'ok' | 'conflict' | 'too_large' | 'not_leader';

/**
 * Where podbell's state survives a restart (a ConfigMap in-cluster). load() never rejects for bad
 * content (it is logged and the bot starts empty); both may reject for I/O errors, which the caller
 * logs and counts: persistence failing must never stop alerting.
 */
export interface StateStore {
  load(): Promise<LoadedState>;
  /** 'conflict': another writer changed it since we read it; saved after one re-read. */
  save(snapshot: StateSnapshot): Promise<SaveOutcome>;
}
