import { Counter, Gauge, type Registry } from 'prom-client';

/** What the pipeline itself counts; adapters register their own metrics. */
export class PipelineMetrics {
  readonly failures: Counter<'reason'>;
  readonly muted: Counter<'namespace' | 'reason'>;
  readonly badAnnotations: Counter<'namespace' | 'annotation'>;
  readonly incidentsOpen: Gauge;
  readonly stageErrors: Counter<'stage'>;

  /** `openIncidents` is read at scrape time, so the hot path never counts incidents. */
  constructor(registry: Registry, openIncidents: () => number) {
    this.failures = new Counter({ name: 'podbell_failures_detected_total', help: 'Failures detected, by reason (before muting).', labelNames: ['reason'], registers: [registry] });
    this.muted = new Counter({ name: 'podbell_failures_muted_total', help: 'Failures not alerted because of a mute, by namespace and reason.', labelNames: ['namespace', 'reason'], registers: [registry] });
    this.badAnnotations = new Counter({ name: 'podbell_annotation_errors_total', help: 'Malformed podbell/kube-slack annotation values seen (each logged once, saying what podbell does instead).', labelNames: ['namespace', 'annotation'], registers: [registry] });
    this.incidentsOpen = new Gauge({
      name: 'podbell_incidents_open',
      help: 'Incidents not yet resolved.',
      registers: [registry],
      collect() {
        this.set(openIncidents());
      },
    });
    this.stageErrors = new Counter({ name: 'podbell_pipeline_errors_total', help: 'Events a pipeline stage could not handle (logged and skipped).', labelNames: ['stage'], registers: [registry] });
  }
}
