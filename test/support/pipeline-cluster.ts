/**
 * A pipeline on a virtual clock fed with realistic pod objects (test/support/replay-pods.ts), the way
 * the watch delivers them (ADDED, MODIFIED with the previous state, DELETED), and a Slack that accepts
 * everything. For tests of what a reader of the channel sees over a whole story.
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
import { acceptingSender } from './accepting-sender.js';
import { deploymentPod, type ContainerCondition } from './replay-pods.js';

export interface SentAt {
  readonly at: number;
  readonly msg: Outgoing;
}

export class PipelineCluster {
  readonly clock: VirtualClock;
  readonly sent: SentAt[] = [];
  readonly pipeline: Pipeline;
  readonly #last = new Map<string, PodState>();

  /** `warnings`: the Warning Event buffer (EVENTS=on) the pipeline reads causes from; warning() fills it. */
  constructor(
    start: number,
    settings: IncidentSettings = incidentSettingsOf(loadConfig({})),
    readonly warnings?: WarningBuffer,
  ) {
    this.clock = new VirtualClock(start);
    const out: Outgoing[] = [];
    const sender = acceptingSender(out, () => (d) => this.pipeline.outcome(d));
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
