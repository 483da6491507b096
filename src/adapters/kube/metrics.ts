import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a watch stream was restarted: a bounded set, so the label never explodes. */
export type RestartReason = 'closed' | 'expired' | 'error' | 'watchdog' | 'unauthorized' | 'throttled';

/** What one watch counts in plain numbers on its hot path; the metrics read it at scrape time. */
export interface WatchCounts {
  readonly resource: string;
  /** event type -> events received */
  readonly events: ReadonlyMap<string, number>;
  /** ms since the epoch of the last event or bookmark, 0 before the first */
  readonly lastEventAt: number;
}

export interface WatchMetrics {
  readonly restarts: Counter<'resource' | 'reason'>;
  /** Adds a watch whose counts the events and last-event metrics report from now on. */
  track(counts: WatchCounts): void;
}

/** The watches whose counts a registry's metrics sum at scrape time (kept on the metric itself). */
type Tracked = { readonly tracked: Set<WatchCounts> };

/**
 * The watch metrics in `registry`. Several watches (one per namespace) share one registry, so an
 * existing metric of the same name is reused instead of registered twice (prom-client would throw).
 */
export function watchMetrics(registry: Registry): WatchMetrics {
  const existing = <M>(name: string): M | undefined => registry.getSingleMetric(name) as M | undefined;
  const tracked: Set<WatchCounts> = existing<Tracked>('podbell_watch_events_total')?.tracked ?? new Set();
  if (!existing('podbell_watch_events_total')) {
    const events = new Counter({
      name: 'podbell_watch_events_total',
      help: 'Watch events received, by resource and type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR, and RELIST_* for changes inferred on a relist).',
      labelNames: ['resource', 'type'],
      registers: [registry],
      // Summed at scrape time: a labelled inc() per event costs more than the event's own handling.
      collect() {
        this.reset();
        for (const w of tracked) for (const [type, n] of w.events) this.inc({ resource: w.resource, type }, n);
      },
    });
    Object.defineProperty(events, 'tracked', { value: tracked });
    new Gauge({
      name: 'podbell_watch_last_event_timestamp_seconds',
      help: 'Unix time of the last event or bookmark received, by resource: a stale value means a silent watch.',
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        this.reset();
        const last = new Map<string, number>();
        for (const w of tracked) if (w.lastEventAt > 0) last.set(w.resource, Math.max(last.get(w.resource) ?? 0, w.lastEventAt));
        for (const [resource, at] of last) this.set({ resource }, at / 1000);
      },
    });
  }
  return {
    track: (counts) => void tracked.add(counts),
    restarts:
      existing<Counter<'resource' | 'reason'>>('podbell_watch_restarts_total') ??
      new Counter({
        name: 'podbell_watch_restarts_total',
        help: 'Watch streams re-opened, by resource and why (closed by the server, expired 410, error, watchdog, unauthorized, throttled).',
        labelNames: ['resource', 'reason'],
        registers: [registry],
      }),
  };
}
