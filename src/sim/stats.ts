/**
 * Counts of what the simulated API server did, kept apart from the handlers that bump them so tests
 * can see that faults, watches and log reads really happened (SimServer.stats).
 */
export interface SimStats {
  requests: number;
  watches: number;
  drops: number;
  stalls: number;
  expiries: number;
  errors: number;
  throttles: number;
  gone: number;
  logs: number;
}

export const emptyStats = (): SimStats => ({ requests: 0, watches: 0, drops: 0, stalls: 0, expiries: 0, errors: 0, throttles: 0, gone: 0, logs: 0 });
