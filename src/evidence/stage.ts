import type { Registry } from 'prom-client';
import type { LogFetcher, LogResult } from '../adapters/kube/logs.js';
import type { Sender } from '../ports.js';
import type { Cancel, Clock } from '../clock.js';
import { EvidenceBudget } from '../core/evidence-budget.js';
import { withEvidence, type EvidenceView } from '../core/evidence.js';
import type { EvidenceRequest, Outgoing } from '../core/outgoing.js';
import type { WarningBuffer } from '../core/warnings.js';
import type { Logger } from '../log.js';
import { positiveOption } from '../options.js';
import { RearmableTimer } from '../timer.js';
import { evidenceMetrics, type EvidenceMetrics } from './metrics.js';

export interface EvidenceSettings {
  /** LOG_TAIL_LINES */
  readonly tailLines: number;
  /** LOG_FETCHES_PER_INCIDENT */
  readonly fetchesPerIncident: number;
  /** GROUP_INTERVAL, ms: the window of fetchesPerIncident */
  readonly groupIntervalMs: number;
  /** LOG_REDACT, compiled */
  readonly redact: readonly RegExp[];
  /** A reply waits at most this long for its log, ms (default 5000). */
  readonly waitMs?: number;
  /** Concurrent log fetches at most (default 4). */
  readonly maxInFlight?: number;
  /** Log fetches started per rolling second at most (default: EvidenceBudget's). */
  readonly perSecond?: number;
  /** limitBytes of each fetch (default 16 KiB) */
  readonly limitBytes?: number;
}

export interface EvidenceStageOptions {
  readonly inner: Sender;
  /** Absent with LOGS=off. */
  readonly fetchLog?: LogFetcher;
  /** Absent with EVENTS=off. */
  readonly warnings?: Pick<WarningBuffer, 'of'>;
  readonly settings: EvidenceSettings;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
}

/** A reply waiting for its evidence, or an ordinary reply queued behind one (same thread, kept in order). */
interface Slot {
  out?: Outgoing;
}

interface Job {
  readonly slot: Slot;
  readonly thread: string;
  readonly reply: Outgoing & { kind: 'reply' };
  readonly req: EvidenceRequest;
  cancel: Cancel;
  done: boolean;
}

/** After a 403 in a namespace, no fetch there for this long: RBAC does not change by itself. */
const FORBIDDEN_BACKOFF_MS = 5 * 60_000;

/**
 * The evidence stage, between the pipeline and the Slack sender: a reply carrying an evidence request
 * waits (at most `waitMs`) for the crashed run's log tail, then goes out with the log and the pod's
 * folded Warning Events appended. Parents and edits are never delayed; other replies of a thread with a
 * reply in waiting queue behind it so the thread reads in order. Bounds: see EvidenceBudget, plus
 * `maxInFlight` concurrent fetches. A refused fetch (403/404/400) is said once per thread, logged once,
 * counted, and never retried.
 */
export class EvidenceStage implements Sender {
  readonly #o: EvidenceStageOptions;
  readonly #budget: EvidenceBudget;
  readonly #metrics: EvidenceMetrics;
  readonly #threads = new Map<string, Slot[]>();
  readonly #queue: Job[] = [];
  readonly #jobs = new Set<Job>();
  /** threads that already said why their logs are unavailable */
  readonly #said = new Set<string>();
  readonly #forbidden = new Map<string, number>();
  readonly #warned = new Set<string>();
  /** A reply waits at most this long for its log, ms (settings.waitMs, checked, default 5000). */
  readonly #waitMs: number;
  /** Concurrent log fetches at most (settings.maxInFlight, checked, default 4). */
  readonly #maxInFlight: number;
  /** limitBytes of each fetch (settings.limitBytes, checked, default 16 KiB). */
  readonly #limitBytes: number;
  /** Starts queued fetches again once the per-second bound allows. */
  readonly #pumpTimer: RearmableTimer;
  #inFlight = 0;
  #stopped = false;

  constructor(options: EvidenceStageOptions) {
    for (const k of ['inner', 'settings', 'clock', 'log', 'registry'] as const) if (!options[k]) throw new TypeError(`EvidenceStage: option ${k} is required`);
    this.#o = options;
    const s = options.settings;
    this.#waitMs = positiveOption('EvidenceStage: settings.waitMs', s.waitMs, 5000);
    this.#maxInFlight = positiveOption('EvidenceStage: settings.maxInFlight', s.maxInFlight, 4);
    this.#limitBytes = positiveOption('EvidenceStage: settings.limitBytes', s.limitBytes, 16 * 1024);
    this.#pumpTimer = new RearmableTimer(options.clock, () => this.#pump());
    this.#budget = new EvidenceBudget({ perIncident: s.fetchesPerIncident, intervalMs: s.groupIntervalMs, ...(s.perSecond !== undefined && { perSecond: s.perSecond }) });
    this.#metrics = evidenceMetrics(options.registry);
  }

  start(): Promise<void> {
    return this.#o.inner.start();
  }

  send(m: Outgoing): void {
    if (m.kind === 'reply' && m.evidence && !this.#stopped) return this.#withEvidence(m, m.evidence);
    const waiting = m.kind === 'reply' ? this.#threads.get(m.thread) : undefined;
    if (waiting) waiting.push({ out: m });
    else this.#o.inner.send(m);
  }

  /** Sends every waiting reply now (with what is known), then lets the inner sender deliver. */
  async flush(deadlineMs: number): Promise<void> {
    for (const job of [...this.#jobs]) this.#finish(job, undefined);
    await this.#o.inner.flush(deadlineMs);
  }

  stop(): void {
    this.#stopped = true;
    for (const job of [...this.#jobs]) this.#finish(job, undefined);
    this.#pumpTimer.cancel();
    this.#o.inner.stop();
  }

  #withEvidence(reply: Outgoing & { kind: 'reply' }, req: EvidenceRequest): void {
    const now = this.#o.clock.now();
    const slot: Slot = {};
    const list = this.#threads.get(reply.thread);
    if (list) list.push(slot);
    else this.#threads.set(reply.thread, [slot]);
    const fetchLog = this.#o.fetchLog;
    if (!fetchLog || !req.logs) return this.#complete(reply, slot, {});
    const forbiddenUntil = this.#forbidden.get(req.namespace);
    if (forbiddenUntil !== undefined && now < forbiddenUntil) {
      this.#metrics.fetches.inc({ outcome: 'skipped_forbidden' });
      return this.#complete(reply, slot, this.#unavailableOnce(reply.thread, forbiddenText(req.namespace)));
    }
    const admitted = this.#budget.admit(reply.thread, req.uid, req.container, req.run, now);
    if (!admitted.ok) {
      this.#metrics.fetches.inc({ outcome: admitted.why === 'already fetched' ? 'skipped_duplicate' : 'skipped_budget' });
      const note = admitted.why === 'incident budget spent' ? { logUnavailable: `log not fetched: LOG_FETCHES_PER_INCIDENT (${this.#o.settings.fetchesPerIncident}) already read for this incident in the last GROUP_INTERVAL` } : {};
      return this.#complete(reply, slot, note);
    }
    const job: Job = { slot, thread: reply.thread, reply, req, cancel: () => undefined, done: false };
    job.cancel = this.#o.clock.setTimer(this.#waitMs, () => this.#finish(job, 'timeout'));
    this.#jobs.add(job);
    this.#queue.push(job);
    this.#pump();
  }

  /** Starts queued fetches while the in-flight and per-second bounds allow. */
  #pump(): void {
    const fetchLog = this.#o.fetchLog!;
    while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
      const job = this.#queue[0]!;
      if (job.done) {
        this.#queue.shift();
        continue;
      }
      const now = this.#o.clock.now();
      const at = this.#budget.nextStart(now);
      if (at > now) {
        this.#pumpTimer.earliest(at);
        return;
      }
      this.#queue.shift();
      this.#budget.started(now);
      this.#inFlight++;
      const { namespace, pod, container, previous } = job.req;
      void fetchLog({ namespace, pod, container, previous, tailLines: this.#o.settings.tailLines, limitBytes: this.#limitBytes }).then((r) => {
        this.#inFlight--;
        this.#finish(job, r);
        if (!this.#stopped) this.#pump();
      });
    }
  }

  /** The fetch answered, timed out, or the stage is flushing (`undefined`): the reply goes out. */
  #finish(job: Job, r: LogResult | 'timeout' | undefined): void {
    if (job.done) return;
    job.done = true;
    job.cancel();
    this.#jobs.delete(job);
    const { req, thread } = job;
    const view: EvidenceView = {};
    if (r === undefined) {
      this.#metrics.fetches.inc({ outcome: 'abandoned' });
    } else if (r === 'timeout') {
      this.#metrics.fetches.inc({ outcome: 'timeout' });
      Object.assign(view, this.#unavailableOnce(thread, `logs unavailable: no answer from the API server within ${Math.round(this.#waitMs / 1000)} s`));
    } else if (r.ok) {
      this.#metrics.fetches.inc({ outcome: 'ok' });
      Object.assign(view, { log: { text: r.text, container: req.container, previous: req.previous, lines: this.#o.settings.tailLines, cut: r.cut } });
    } else {
      this.#refused(job, r, view);
    }
    this.#complete(job.reply, job.slot, view);
  }

  #refused(job: Job, r: LogResult & { ok: false }, view: EvidenceView): void {
    const { req, thread } = job;
    const kind = r.status === 403 ? 'forbidden' : r.status === 404 ? 'not_found' : r.status === 400 ? 'bad_request' : 'error';
    this.#metrics.fetches.inc({ outcome: kind });
    let text: string;
    if (r.status === 403) {
      this.#forbidden.set(req.namespace, this.#o.clock.now() + FORBIDDEN_BACKOFF_MS);
      text = forbiddenText(req.namespace);
    } else if (r.status === 404) text = `logs unavailable: the pod or its log is gone (${r.message})`;
    else if (r.status === 400) text = `logs unavailable: ${r.message}`;
    else text = `logs unavailable: ${r.status ? `HTTP ${r.status}: ` : ''}${r.message}`;
    const warnKey = `${kind}/${req.namespace}`;
    if (!this.#warned.has(warnKey)) {
      this.#warned.add(warnKey);
      this.#o.log.warn({ namespace: req.namespace, pod: req.pod, container: req.container, status: r.status, err: r.message }, `${text}; podbell carries on without logs`);
    }
    Object.assign(view, this.#unavailableOnce(thread, text));
  }

  #unavailableOnce(thread: string, text: string): { logUnavailable?: string } {
    if (this.#said.has(thread)) return {};
    this.#said.add(thread);
    if (this.#said.size > 10_000) this.#said.delete(this.#said.values().next().value as string);
    return { logUnavailable: text };
  }

  /** The reply goes out with its evidence; the Warning Events are read now, so those that came during the wait count. */
  #complete(reply: Outgoing & { kind: 'reply' }, slot: Slot, view: EvidenceView): void {
    const { evidence: req, ...plain } = reply;
    const warnings = req && this.#o.warnings ? this.#o.warnings.of(req.namespace, req.pod, req.uid, this.#o.clock.now()) : [];
    slot.out = { ...plain, message: withEvidence(reply.message, { ...view, warnings, redactions: this.#o.settings.redact }) };
    const list = this.#threads.get(reply.thread);
    while (list && list.length > 0 && list[0]!.out) this.#o.inner.send(list.shift()!.out!);
    if (list && list.length === 0) this.#threads.delete(reply.thread);
  }
}

const forbiddenText = (namespace: string): string => `logs unavailable: podbell may not read pods/log in namespace ${namespace} (RBAC: get on pods/log)`;
