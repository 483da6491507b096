import type { Clock } from '../clock.js';
import type { SimAccess } from './access.js';
import type { FaultDice } from './faults.js';
import type { SimLists } from './list.js';
import type { SimStats } from './stats.js';
import type { SimCluster } from './store.js';

/**
 * What one running sim server's request handlers share: the store, the clock, the counters, the
 * fault generator, access rules, LIST snapshots and the open watch streams. startSimServer builds
 * it once; handlers take it as their first argument instead of closing over the server.
 */
export interface SimContext {
  readonly cluster: SimCluster;
  readonly clock: Clock;
  readonly stats: SimStats;
  readonly dice: FaultDice;
  readonly access: SimAccess;
  readonly lists: SimLists;
  /** One closer per open watch stream, so the server can end them all (closeStreams, close). */
  readonly streams: Set<() => void>;
  /** How often watch streams that asked for bookmarks get one. */
  readonly bookmarkMs: number;
}
