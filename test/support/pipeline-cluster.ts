/**
 * A pipeline on a virtual clock fed with realistic pod objects (test/support/replay-pods.ts), the way
 * the watch delivers them (ADDED, MODIFIED with the previous state, DELETED), and a Slack that accepts
 * everything (or the sender a test wires in, e.g. the real SlackSender against the fake Slack on the
 * same clock). For tests of what a reader of the channel sees over a whole story.
 */
import { Registry } from 'prom-client';
import { incidentSettingsOf } from '../../src/app.js';
import { VirtualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { IncidentSettings } from '../../src/core/incidents.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import type { WarningBuffer } from '../../src/core/warnings.js';
import { silentLogger } from '../../src/log.js';
import { Pipeline } from '../../src/pipeline.js';
import type { Delivery, Sender } from '../../src/ports.js';
import { acceptingSender } from './accepting-sender.js';
import { deploymentPod, type ContainerCondition } from './replay-pods.js';

export interface SentAt {
  readonly at: number;
  readonly msg: Outgoing;
}

/** What a PipelineCluster runs on instead of its own clock and accepting Slack. */
export interface ClusterWiring {
  /** Shared with the sender (and the fake Slack), so one virtual time drives them all. */
  readonly clock?: VirtualClock;
  /** Builds the sender, given where it reports outcomes (the pipeline). */
  readonly sender?: (deliver: (d: Delivery) => void) => Sender;
  /** The Warning Event buffer (EVENTS=on) the pipeline reads causes from. */
  readonly warnings?: WarningBuffer;
}

export class PipelineCluster {
  readonly clock: VirtualClock;
  readonly sent: SentAt[] = [];
  readonly pipeline: Pipeline;
  readonly #last = new Map<string, PodState>();

  /** The Warning Event buffer (EVENTS=on) the pipeline reads causes from; warning() fills it. */
  readonly warnings?: WarningBuffer;

  constructor(start: number, settings: IncidentSettings = incidentSettingsOf(loadConfig({})), wiring: ClusterWiring = {}) {
    this.clock = wiring.clock ?? new VirtualClock(start);
    if (wiring.warnings) this.warnings = wiring.warnings;
    const warnings = wiring.warnings;
    const deliver = (d: Delivery) => this.pipeline.outcome(d);
    const sender = wiring.sender ? wiring.sender(deliver) : acceptingSender([], () => deliver);
    const send = sender.send.bind(sender);
    sender.send = (o) => {
      this.sent.push({ at: this.clock.now(), msg: o });
      send(o);
    };
    this.pipeline = new Pipeline({ settings, defaultChannel: '#alerts', clock: this.clock, log: silentLogger(), sender, registry: new Registry(), ...(warnings && { warnings }) });
  }

  /** Replica `i` of Deployment `deployment` (namespace shop) now shows `condition` at `restartCount`. */
  pod(deployment: string, i: number, condition: ContainerCondition, restartCount = 0): this {
    const next = projectPod(deploymentPod({ namespace: 'shop', deployment, suffix: `r${i}`, condition, restartCount, at: this.clock.now() }))!;
    const prev = this.#last.get(next.uid);
    this.pipeline.podChanged({ type: prev ? 'MODIFIED' : 'ADDED', ...(prev && { prev }), next });
    this.#last.set(next.uid, next);
    return this;
  }

  /**
   * A Warning Event about replica `i` of `deployment` (seen before), naming its uid as the kubelet's
   * Events do, or (`withUid` false) only its name, as a hand-written Event may.
   */
  warning(deployment: string, i: number, reason: string, message: string, withUid = true): this {
    const pod = [...this.#last.values()].find((p) => p.name.startsWith(`${deployment}-`) && p.name.endsWith(`-r${i}`));
    if (!pod) throw new Error(`warning: replica ${i} of ${deployment} was never seen`);
    const w = { namespace: pod.namespace, pod: pod.name, ...(withUid && { uid: pod.uid }), reason, message, count: 1, at: this.clock.now() };
    this.warnings?.add(w, this.clock.now());
    this.pipeline.warningArrived(w);
    return this;
  }

  advance(ms: number): this {
    this.clock.advance(ms);
    return this;
  }

  /** Texts of the parent of `thread` as posted and edited, in order, with when they were sent. */
  parentTexts(thread: string): { readonly at: number; readonly text: string }[] {
    return this.sent.filter((s) => s.msg.thread === thread && s.msg.kind !== 'reply').map((s) => ({ at: s.at, text: s.msg.message.text }));
  }

  replies(thread: string): { readonly at: number; readonly text: string }[] {
    return this.sent.filter((s) => s.msg.thread === thread && s.msg.kind === 'reply').map((s) => ({ at: s.at, text: s.msg.message.text }));
  }
}

/** The kubelet's back-off after each crash: 10 s doubling to 5 min. */
export const backOffMs = (crash: number): number => Math.min(10_000 * 2 ** crash, 300_000);

const SEC = 1000;
const CRASH_MESSAGE = 'Error: connect ECONNREFUSED 10.0.3.7:5432';

/** One replica of a crash loop: Deployment `deployment`, replica `i`, crashing first at `firstAt`. */
export interface LoopingReplica {
  readonly deployment: string;
  readonly i: number;
  readonly firstAt: number;
  /** The exit code of each crash; default 1. */
  readonly exitCode?: number;
}

/**
 * Replicas crash-looping out of step, as the kubelet runs them: crash, wait out the back-off, run 5 s,
 * crash again, until `end`; then each runs again after its current back-off. Call step() once per
 * virtual second; it applies the pod changes due by then.
 */
export class CrashLoops {
  /** Restarts so far per replica (`deployment/i`). */
  readonly restarts = new Map<string, number>();
  /** When each Deployment first crashed (its first failure). */
  readonly firstCrashAt = new Map<string, number>();
  readonly #replicas: readonly LoopingReplica[];
  readonly #end: number;
  readonly #nextAt = new Map<string, number>();
  readonly #crashed = new Map<string, boolean>();

  constructor(replicas: readonly LoopingReplica[], end: number) {
    this.#replicas = replicas;
    this.#end = end;
    for (const r of replicas) this.#nextAt.set(`${r.deployment}/${r.i}`, r.firstAt);
  }

  step(c: PipelineCluster): void {
    const now = c.clock.now();
    for (const { deployment, i, exitCode = 1 } of this.#replicas) {
      const k = `${deployment}/${i}`;
      if (now < this.#nextAt.get(k)! || (now >= this.#end && !this.#crashed.get(k))) continue;
      const r = this.restarts.get(k) ?? 0;
      if (!this.#crashed.get(k)) {
        c.pod(deployment, i, { state: 'crashloop', exitCode, message: CRASH_MESSAGE }, r);
        if (!this.firstCrashAt.has(deployment)) this.firstCrashAt.set(deployment, now);
        this.#crashed.set(k, true);
        this.#nextAt.set(k, now + backOffMs(r));
      } else {
        c.pod(deployment, i, { state: 'running' }, r + 1);
        this.restarts.set(k, r + 1);
        this.#crashed.set(k, false);
        this.#nextAt.set(k, now + 5 * SEC);
      }
    }
  }
}
