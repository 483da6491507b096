import type { KubeConfig } from '@kubernetes/client-node';
import { kubeLogFetcher } from '../adapters/kube/logs.js';
import type { Watch } from '../adapters/kube/types.js';
import { createWatch } from '../adapters/kube/watch.js';
import type { KubeWatchOptions } from '../adapters/kube/watch-options.js';
import type { Clock } from '../clock.js';
import type { Change, Sender } from '../ports.js';
import type { Config } from '../config.js';
import { projectWarningEvent, WARNING_EVENT_SELECTOR, warningOf, WarningBuffer, type ProjectedEvent, type WarningEvent } from '../core/warnings.js';
import type { PipelineOptions } from '../pipeline.js';
import { EvidenceStage, type EvidenceStageOptions } from './stage.js';

/** The watch options every watch of the Bot shares (auth, clock, logging, tuning). */
export type CommonWatchOptions = Pick<KubeWatchOptions<unknown>, 'kubeConfig' | 'clock' | 'log' | 'registry' | 'watchdogMs' | 'timeoutSeconds' | 'backoff' | 'random' | 'pageSize'>;

export interface EvidenceParts {
  /** What the pipeline sends to: the evidence stage around the Slack sender, or the sender itself with LOGS=off and EVENTS=off. */
  readonly sender: Sender;
  /** Recent Warning Events per pod (EVENTS=on). */
  readonly warnings?: WarningBuffer;
  /**
   * Makes the Warning Event watch of one namespace, or of all (EVENTS=on). `onWarning` hears each
   * Warning once it is in the buffer (the pipeline refreshes the cause line of a live incident).
   */
  readonly eventWatch?: (namespace: string | undefined, common: CommonWatchOptions, onWarning?: (w: WarningEvent) => void) => Watch;
}

/** What the Bot has at hand: its config, cluster credentials, Slack sender, and the pipeline's clock, logger and registry. */
export type EvidenceWiringOptions = { readonly config: Config; readonly kubeConfig: KubeConfig; readonly sender: Sender } & Pick<PipelineOptions, 'clock' | 'log' | 'registry'>;

/** Builds the evidence parts the Bot plugs in (docs/evidence.md), as LOGS and EVENTS say. */
export function evidenceParts(o: EvidenceWiringOptions): EvidenceParts {
  const e = o.config.evidence;
  if (!e.logs && !e.events) return { sender: o.sender };
  const warnings = e.events ? new WarningBuffer() : undefined;
  const sender = evidenceStage(o.config, {
    inner: o.sender,
    ...(e.logs && { fetchLog: kubeLogFetcher(o.kubeConfig, o.clock) }),
    ...(warnings && { warnings }),
    clock: o.clock,
    log: o.log,
    registry: o.registry,
  });
  if (!warnings) return { sender };
  const eventWatch = (namespace: string | undefined, common: CommonWatchOptions, onWarning?: (w: WarningEvent) => void): Watch =>
    createWatch<ProjectedEvent>({
      ...common,
      resource: 'events',
      ...(namespace !== undefined && { namespace }),
      fieldSelector: WARNING_EVENT_SELECTOR,
      project: projectWarningEvent,
      keyOf: (ev) => ev.key,
      onChange: warningListener(warnings, o.clock, onWarning),
    });
  return { sender, warnings, eventWatch };
}

/** The evidence stage around `options.inner`, with the config's LOG_* settings and GROUP_INTERVAL (`podbell run` and `podbell replay` alike). */
export function evidenceStage(config: Config, options: Omit<EvidenceStageOptions, 'settings'>): EvidenceStage {
  const e = config.evidence;
  return new EvidenceStage({ ...options, settings: { tailLines: e.tailLines, fetchesPerIncident: e.fetchesPerIncident, groupIntervalMs: config.incidents.groupIntervalMs, redact: e.redact } });
}

/** What a Warning Event watch does with each change: a new or repeated Warning goes into the buffer, then to `onWarning`. */
export function warningListener(warnings: WarningBuffer, clock: Clock, onWarning?: (w: WarningEvent) => void): (c: Change<ProjectedEvent>) => void {
  return (c) => {
    const w = c.next && c.type !== 'DELETED' ? warningOf(c.prev, c.next) : undefined;
    if (!w) return;
    warnings.add(w, clock.now());
    onWarning?.(w);
  };
}
