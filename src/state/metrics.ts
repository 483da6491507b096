import { Counter, type Registry } from 'prom-client';

export type WriteOutcome = 'ok' | 'conflict' | 'too_large' | 'not_leader' | 'error';

export interface StateMetrics {
  readonly writes: Counter<'outcome'>;
}

/** The persistence metrics in `registry`. */
export function stateMetrics(registry: Registry): StateMetrics {
  return {
    writes:
      (registry.getSingleMetric('podbell_state_writes_total') as Counter<'outcome'> | undefined) ??
      new Counter({
        name: 'podbell_state_writes_total',
        help: 'Saves of the incident/thread state, by outcome (ok; conflict: another writer, saved after a re-read; too_large: refused; not_leader: this replica no longer holds the Lease, not written; error: not saved).',
        labelNames: ['outcome'],
        registers: [registry],
      }),
  };
}
