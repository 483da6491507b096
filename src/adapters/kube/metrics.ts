import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a watch stream was restarted: a bounded set, so the label never explodes. */
export type RestartReason = 'closed' | 'expired' | 'error' | 'watchdog' | 'unauthorized' | 'throttled';

export interface WatchMetrics {
  readonly restarts: Counter<'resource' | 'reason'>;
  readonly events: Counter<'resource' | 'type'>;
  readonly lastEvent: Gauge<'resource'>;
}

/**
 * The watch metrics in `registry`. Several watches (one per namespace) share one registry, so an
 * existing metric of the same name is reused instead of registered twice (prom-client would throw).
 */
export function watchMetrics(registry: Registry): WatchMetrics {
  const existing = <M>(name: string): M | undefined => registry.getSingleMetric(name) as M | undefined;
  return {
    restarts:
      existing<Counter<'resource' | 'reason'>>('podbell_watch_restarts_total') ??
      new Counter({
        name: 'podbell_watch_restarts_total',
        help: 'Watch streams re-opened, by resource and why (closed by the server, expired 410, error, watchdog, unauthorized, throttled).',
        labelNames: ['resource', 'reason'],
        registers: [registry],
      }),
    events:
      existing<Counter<'resource' | 'type'>>('podbell_watch_events_total') ??
      new Counter({
        name: 'podbell_watch_events_total',
        help: 'Watch events received, by resource and type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR, and RELIST_* for changes inferred on a relist).',
        labelNames: ['resource', 'type'],
        registers: [registry],
      }),
    lastEvent:
      existing<Gauge<'resource'>>('podbell_watch_last_event_timestamp_seconds') ??
      new Gauge({
        name: 'podbell_watch_last_event_timestamp_seconds',
        help: 'Unix time of the last event or bookmark received, by resource: a stale value means a silent watch.',
        labelNames: ['resource'],
        registers: [registry],
      }),
  };
}
