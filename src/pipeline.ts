import type { Registry } from 'prom-client';
import type { Change, Delivery, Sender } from './ports.js';
import type { Clock } from './clock.js';
import { RearmableTimer } from './timer.js';
import { DEFAULT_PENDING_AFTER_MS, detect, detectChange, muteNamesOf, type Failure } from './core/detect.js';
import { reduceWithActions, type ActionInput, type ActionStep, type BookInput } from './core/actions.js';
import type { ActionResult } from './core/action-types.js';
import { emptyBook, inLiveIncident, type IncidentBook, type IncidentSettings } from './core/incidents.js';
import { causeFor, explainFailure } from './core/explain.js';
import type { WarningBuffer, WarningEvent } from './core/warnings.js';
import { compileNamespacePolicy, compilePodPolicy, describeMute, describeProblem, logsAllowed, nextChange, routeFailure, type AnnotationProblem, type NamespacePolicy, type NamespaceState, type PodPolicy, type Route } from './core/mute.js';
import type { PodState } from './core/pod.js';
import type { Logger } from './log.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import { StuckPods } from './stuck-pods.js';

export interface PipelineOptions {
  readonly settings: IncidentSettings;
  /** SLACK_CHANNEL: where incidents go unless an annotation routes them elsewhere. */
  readonly defaultChannel: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sender: Sender;
  readonly registry: Registry;
  /** PENDING_AFTER: a pod stuck unscheduled or not started this long is reported (default 10m). */
  readonly pendingAfterMs?: number;
  /** Recent Warning Events per pod (EVENTS=on): they feed the cause line. */
  readonly warnings?: Pick<WarningBuffer, 'of'>;
  /**
   * Told after every step that changed the book (what persistence saves). `urgent` when Slack just
   * accepted a parent: a thread now exists that a restart must not post again.
   */
  readonly onChange?: (urgent: boolean) => void;
}

/**
 * The stage between the watches and the sender: detect -> mute/route -> incidents. Owns the incident
 * book and the one timer the book asks for. Handlers never throw: an event a stage cannot handle is
 * logged with the pod it was about and counted, and the pipeline goes on.
 */
export class Pipeline {
  readonly #o: PipelineOptions;
  readonly #metrics: PipelineMetrics;
  #book: IncidentBook = emptyBook();
  /** Namespace -> its compiled mute/route policy (compiled once per namespace change, not per event). */
  readonly #namespaces = new Map<string, NamespacePolicy>();
  /** Malformed annotation values already logged, so each is told once. */
  readonly #reported = new Set<string>();
  /** Pods failing now, so a lifted mute can report what is still failing. Small: failing pods only. */
  readonly #failing = new Map<string, PodState>();
  /**
   * namespace/kind/name -> the workload's live pods in the watch cache: the M of "N of M pods failing".
   * One number per workload, never an object per pod (memory stays flat at 50k healthy pods).
   */
  readonly #workloadPods = new Map<string, number>();
  /** Namespace -> timer that re-checks it when a time-limited mute ends. */
  readonly #muteTimers = new Map<string, RearmableTimer>();
  /** The one timer the book asks for (its wakeAt). */
  readonly #wake: RearmableTimer;
  /** Pods that may become stuck, re-judged by their own timer when PENDING_AFTER runs out. */
  readonly #stuck: StuckPods;
  #stopped = false;
  /** Pods of restored live incidents not heard of since the restore (see restore/reconcile). */
  #unseen: Set<string> | undefined;
  #touched = false;
  /**
   * detect skips failures that ended long before this instant: podbell's start (its first pod event).
   * Fixed, so a failure that happened while muted or during a watch outage is still reported later.
   */
  #detectOptions: { readonly now: number } | undefined;

  constructor(options: PipelineOptions) {
    for (const k of ['settings', 'clock', 'log', 'sender', 'registry'] as const) {
      if (!options[k]) throw new TypeError(`Pipeline: option ${k} is required`);
    }
    if (typeof options.defaultChannel !== 'string' || options.defaultChannel === '') throw new TypeError('Pipeline: option defaultChannel must be a channel');
    this.#o = options;
    this.#wake = new RearmableTimer(options.clock, () => {
      if (!this.#stopped) this.#apply({ type: 'tick' });
    });
    this.#stuck = new StuckPods(options.clock, options.pendingAfterMs ?? DEFAULT_PENDING_AFTER_MS, (pod, f) => this.#stuckNow(pod, f));
    this.#metrics = new PipelineMetrics(options.registry, () => {
      let open = 0;
      for (const k in this.#book.incidents) if (this.#book.incidents[k]!.status !== 'resolved') open++;
      return open;
    });
  }

  /** The incident book as it stands (plain data; for tests, replay and persistence). */
  get book(): IncidentBook {
    return this.#book;
  }

  /**
   * Continues from a book saved before a restart, so ongoing incidents keep their threads. Only
   * before the first change (the book is then this pipeline's: see IncidentBook OWNERSHIP).
   */
  restore(book: IncidentBook): void {
    if (this.#touched) throw new Error('Pipeline.restore: the pipeline has already handled changes');
    this.#book = book;
    this.#unseen = new Set(Object.keys(book.pods ?? {}));
  }

  /**
   * What became of a message the sender was given (delivered or failed for good): an input of the
   * book like a pod change. Accepted after stop() too, so parents landing during shutdown are recorded.
   */
  outcome(d: Delivery): void {
    try {
      if (d.type === 'failed') this.#o.log.debug({ thread: d.thread, kind: d.kind, cause: d.cause }, 'Slack message failed for good');
      this.#apply(d);
    } catch (err) {
      this.#metrics.stageErrors.inc({ stage: 'delivery' });
      this.#o.log.error({ err, thread: d.thread }, 'could not record a delivery outcome; skipped');
    }
  }

  /**
   * Call once the initial pod lists are in. Pods of restored incidents the lists did not contain were
   * deleted while podbell was down: they count as gone, so their incidents can resolve. Then the
   * book's timers (pending posts, resolutions, edits) resume.
   */
  reconcile(): void {
    const unseen = this.#unseen;
    this.#unseen = undefined;
    if (this.#stopped || !unseen) return;
    for (const uid of unseen) this.#apply({ type: 'podDeleted', uid });
    if (unseen.size) this.#o.log.info({ pods: unseen.size }, 'pods of restored incidents are gone from the cluster; counted as deleted');
    // Parents the saved book never saw accepted go out again (or are found in Slack) in their own channel.
    this.#apply({ type: 'restored' });
    this.#apply({ type: 'tick' });
  }

  podChanged(change: Change<PodState>): void {
    if (this.#stopped) return;
    this.#touched = true;
    this.#detectOptions ??= { now: this.#o.clock.now() };
    const pod = change.next ?? change.prev;
    if (this.#unseen && pod) this.#unseen.delete(pod.uid);
    try {
      if (change.type === 'DELETED') {
        const gone = change.prev;
        if (!gone) return;
        this.#countPod(gone, -1);
        this.#failing.delete(gone.uid);
        this.#stuck.changed(gone.uid, undefined);
        this.#apply({ type: 'podDeleted', uid: gone.uid });
        return;
      }
      const next = change.next;
      if (!next) return;
      if (!change.prev) this.#countPod(next, +1);
      const verdict = detectChange(change.prev, next, this.#detectOptions);
      for (const f of verdict.failures) this.#failure(next, f);
      const stuck = this.#stuck.changed(next.uid, next);
      if (stuck) this.#failure(next, stuck);
      const failing = verdict.failing || this.#stuck.stuck(next.uid);
      if (failing) this.#failing.set(next.uid, next);
      else this.#failing.delete(next.uid);
      this.#apply({ type: 'pod', pod: next, failing });
    } catch (err) {
      this.#metrics.stageErrors.inc({ stage: 'pod' });
      this.#o.log.error({ err, namespace: pod?.namespace, pod: pod?.name }, 'could not process pod change; skipped');
    }
  }

  namespaceChanged(change: Change<NamespaceState>): void {
    if (this.#stopped) return;
    const ns = change.next ?? change.prev;
    if (!ns) return;
    try {
      this.#muteTimers.get(ns.name)?.cancel();
      if (change.type === 'DELETED') {
        this.#namespaces.delete(ns.name);
        return;
      }
      const now = this.#o.clock.now();
      const policy = compileNamespacePolicy(ns);
      const before = this.#namespaces.get(ns.name);
      this.#namespaces.set(ns.name, policy);
      this.#report(policy.problems, policy.channel ?? this.#o.defaultChannel);
      const mute = describeMute(policy, now);
      if (mute !== (before && describeMute(before, now))) this.#o.log.info({ namespace: ns.name, mute: mute ?? 'none' }, mute ? 'namespace muted' : 'namespace not muted');
      const lifts = nextChange(policy, now);
      if (lifts !== undefined) this.#scheduleRecheck(ns.name, lifts);
      // A mute may just have been removed or narrowed: what is failing there now gets reported.
      this.#recheckNamespace(ns.name);
    } catch (err) {
      this.#metrics.stageErrors.inc({ stage: 'namespace' });
      this.#o.log.error({ err, namespace: ns.name }, 'could not process namespace change; skipped');
    }
  }

  /**
   * A Warning Event was added to the warnings buffer. The kubelet's informative Event (`Failed: … not
   * found`, `FailedMount`) often comes a moment AFTER the pod status shows the failure: when the pod
   * belongs to a live incident and is failing now, its cause line is worked out again from its
   * current failure and the pod's folded Events, and the incident shows it (docs/evidence.md).
   */
  warningArrived(w: Pick<WarningEvent, 'namespace' | 'pod' | 'uid'>): void {
    if (this.#stopped || !this.#o.warnings) return;
    try {
      // Nearly every Warning is about a pod of no incident: one lookup when the Event names the uid.
      if (w.uid !== undefined && !inLiveIncident(this.#book, w.uid)) return;
      const pod = w.uid !== undefined ? this.#failing.get(w.uid) : this.#failingNamed(w.namespace, w.pod);
      if (!pod || !inLiveIncident(this.#book, pod.uid)) return;
      const now = this.#o.clock.now();
      // The pod's failures as they stand now; the last one not muted speaks, as when they were recorded.
      let last: Failure | undefined;
      for (const f of detect(undefined, pod, this.#judged(now))) if (!this.#route(pod, f, now).muted) last = f;
      const cause = last && causeFor(pod, last, this.#o.warnings.of(pod.namespace, pod.name, pod.uid, now));
      // Only an explanation is news: the bare reason (no Event explains it now) never replaces one.
      if (cause !== undefined && cause !== last!.reason) this.#apply({ type: 'cause', uid: pod.uid, cause });
    } catch (err) {
      this.#metrics.stageErrors.inc({ stage: 'event' });
      this.#o.log.error({ err, namespace: w.namespace, pod: w.pod }, 'could not refresh the cause from a Warning Event; skipped');
    }
  }

  /** A Slack action (core/actions.ts): applied to the book; returns how it ended and what to tell the user. */
  action(input: ActionInput): { readonly result: ActionResult; readonly notice?: string } {
    if (this.#stopped) return { result: 'noop' };
    const step = this.#apply(input);
    return { result: step.result ?? 'noop', ...(step.notice !== undefined && { notice: step.notice }) };
  }

  /** Sends pending parent edits now instead of at the next GROUP_INTERVAL (shutdown). */
  flush(): void {
    if (!this.#stopped) this.#apply({ type: 'flush' });
  }

  /** Cancels every timer; further changes are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#wake.cancel();
    for (const t of this.#muteTimers.values()) t.cancel();
    this.#muteTimers.clear();
    this.#stuck.stop();
  }

  /** PENDING_AFTER ran out for a pod that produced no event since: it is stuck now. */
  #stuckNow(pod: PodState, f: Failure): void {
    if (this.#stopped) return;
    try {
      this.#failing.set(pod.uid, pod);
      this.#failure(pod, f);
    } catch (err) {
      this.#metrics.stageErrors.inc({ stage: 'pod' });
      this.#o.log.error({ err, namespace: pod.namespace, pod: pod.name }, 'could not report a stuck pod; skipped');
    }
  }

  /** A pod entered (+1) or left (-1) the watch cache: its workload's size changes, and its live incidents are told. */
  #countPod(pod: PodState, delta: 1 | -1): void {
    if (pod.workload.kind === 'Pod') return; // a bare pod is its own workload of one: nothing to keep
    const key = workloadKey(pod);
    const pods = Math.max(0, (this.#workloadPods.get(key) ?? 0) + delta);
    if (pods === 0) this.#workloadPods.delete(key);
    else this.#workloadPods.set(key, pods);
    // Cheap when no incident is live (nearly always): the book answers without a step.
    this.#apply({ type: 'workloadSize', namespace: pod.namespace, workload: pod.workload, pods });
  }

  #failure(pod: PodState, f: Failure): void {
    const now = this.#o.clock.now();
    this.#metrics.failures.inc({ reason: f.reason });
    const podPolicy = pod.annotations ? compilePodPolicy(pod) : undefined;
    const r = this.#route(pod, f, now, podPolicy);
    if (podPolicy) this.#report(podPolicy.problems, r.channel);
    if (r.muted) {
      this.#metrics.muted.inc({ namespace: f.namespace, reason: f.reason });
      this.#o.log.debug({ namespace: f.namespace, pod: f.pod, container: f.container, reason: f.reason, why: r.why }, 'failure muted');
      if (r.until !== undefined) this.#scheduleRecheck(pod.namespace, r.until);
      return;
    }
    const warnings = this.#o.warnings?.of(pod.namespace, pod.name, pod.uid, now) ?? [];
    const explained = explainFailure(pod, f, warnings, logsAllowed(this.#namespaces.get(pod.namespace), podPolicy));
    const workloadPods = this.#workloadPods.get(workloadKey(pod));
    this.#apply({ type: 'failure', failure: explained, channel: r.channel, ...(workloadPods !== undefined && { workloadPods }) });
  }

  /** A failing pod by name (an Event without involvedObject.uid): failing pods are few. */
  #failingNamed(namespace: string, name: string): PodState | undefined {
    for (const p of this.#failing.values()) if (p.namespace === namespace && p.name === name) return p;
    return undefined;
  }

  /** Where `f` goes, or why it is muted: the pod's and its namespace's annotations decide. */
  #route(pod: PodState, f: Failure, now: number, podPolicy: PodPolicy | undefined = pod.annotations ? compilePodPolicy(pod) : undefined): Route {
    const routes = muteNamesOf(f).map((name) => routeFailure(this.#namespaces.get(pod.namespace), podPolicy, name, now, this.#o.defaultChannel));
    return routes.find((x) => x.muted) ?? routes[0]!;
  }

  /** How detect judges a pod's state as it stands now (a recheck, not a change). */
  #judged(now: number) {
    return { ...this.#detectOptions, judgedAt: now, pendingAfterMs: this.#o.pendingAfterMs ?? DEFAULT_PENDING_AFTER_MS };
  }

  /** Logs each malformed annotation value once (namespace, pod, annotation and value named, and what happens instead) and counts it. */
  #report(problems: readonly AnnotationProblem[], channel: string): void {
    for (const p of problems) {
      const key = [p.namespace, p.pod ?? '', p.annotation, p.value].join('\u0000');
      if (this.#reported.has(key)) continue;
      this.#reported.add(key);
      this.#metrics.badAnnotations.inc({ namespace: p.namespace, annotation: p.annotation });
      this.#o.log.warn({ namespace: p.namespace, pod: p.pod, annotation: p.annotation, value: p.value }, `annotation ${describeProblem(p, channel)}`);
    }
  }

  /**
   * A namespace's annotations changed, or a mute ran out: report what is failing there now (the
   * book ignores occurrences it already counted, so nothing is told twice and nothing is replayed).
   */
  #recheckNamespace(namespace: string): void {
    for (const pod of [...this.#failing.values()]) {
      if (pod.namespace !== namespace) continue;
      for (const f of detect(undefined, pod, this.#judged(this.#o.clock.now()))) this.#failure(pod, f);
    }
  }

  /** At `at` (when a mute ends by itself), report what is still failing in the namespace. */
  #scheduleRecheck(namespace: string, at: number): void {
    let timer = this.#muteTimers.get(namespace);
    if (!timer) {
      timer = new RearmableTimer(this.#o.clock, () => {
        if (this.#stopped) return;
        this.#o.log.info({ namespace }, 'mute ended; reporting what is still failing');
        this.#recheckNamespace(namespace);
      });
      this.#muteTimers.set(namespace, timer);
    }
    timer.earliest(at);
  }

  /**
   * One step of the book. A sender may report an outcome from inside send() (the terminal and the
   * recording deliver at once): that nested step runs right there, so a parent's replies follow it
   * before the next parent, and the timer is set from the book's latest wakeAt, not this step's.
   */
  #apply(input: BookInput): ActionStep {
    const now = this.#o.clock.now();
    const step = reduceWithActions(this.#book, input, now, this.#o.settings);
    this.#book = step.book;
    for (const o of step.out) this.#o.sender.send(o);
    if (!this.#stopped) this.#wake.set(this.#book.wakeAt);
    const delivery = input.type === 'delivered' || input.type === 'failed';
    if (step.out.length > 0 || delivery) this.#o.onChange?.(input.type === 'delivered' && input.kind === 'parent');
    return step;
  }
}

const workloadKey = (pod: PodState): string => `${pod.namespace}\u0000${pod.workload.kind}\u0000${pod.workload.name}`;
