import { Counter, type Registry } from 'prom-client';

export interface EvidenceMetrics {
  /** Log fetches by outcome: ok, timeout, forbidden, not_found, bad_request, error, abandoned, skipped_*. */
  readonly fetches: Counter<'outcome'>;
}

/** The evidence stage's metrics in `registry` (reused when already registered there). */
export function evidenceMetrics(registry: Registry): EvidenceMetrics {
  const name = 'podbell_log_fetches_total';
  const fetches =
    (registry.getSingleMetric(name) as Counter<'outcome'> | undefined) ??
    new Counter({ name, help: 'Container log fetches for thread evidence, by outcome (ok, timeout, forbidden, not_found, bad_request, error, abandoned, skipped_duplicate, skipped_budget, skipped_forbidden).', labelNames: ['outcome'], registers: [registry] });
  return { fetches };
}
