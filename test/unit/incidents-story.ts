// Test helper (not a test file): drives reduce() the way the pipeline does, one Clock timer at wakeAt,
// on a VirtualClock, so incident tests read like stories: fail, advance, look at what Slack got.
import { VirtualClock, type Cancel } from '../../src/clock.js';
import { reduceWithActions, type ActionInput, type BookInput } from '../../src/core/actions.js';
import type { Failure } from '../../src/core/detect.js';
import { emptyBook, type IncidentBook, type IncidentSettings } from '../../src/core/incidents.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import type { PodState } from '../../src/core/pod.js';
import type { WorkloadRef } from '../../src/core/workload.js';

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
/** 2026-11-21 09:00:00 UTC */
export const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

/** docs/design.md#environment defaults. */
export const DEFAULTS: IncidentSettings = {
  cluster: 'prod-eu',
  groupWaitMs: 10 * SEC,
  groupIntervalMs: 15 * SEC,
  repeatIntervalMs: 4 * HOUR,
  resolveAfterMs: 5 * MIN,
  reopenWindowMs: 1 * HOUR,
  threadMaxAgeMs: 24 * HOUR,
  stormThreshold: 10,
};

export interface Sent {
  readonly at: number;
  readonly msg: Outgoing;
}

export interface FailureSpec {
  readonly pod: string;
  readonly uid?: string;
  readonly reason?: string;
  readonly restartCount?: number;
  /** Which run of the container the failure belongs to (detect sets it for an OOMKill read from lastState). */
  readonly run?: number;
  readonly exitCode?: number;
  readonly message?: string;
  readonly container?: string;
  readonly namespace?: string;
  readonly workload?: WorkloadRef;
  readonly node?: string;
}

export const checkout: WorkloadRef = { kind: 'Deployment', name: 'checkout' };

export function failureOf(spec: FailureSpec): Failure {
  return {
    namespace: spec.namespace ?? 'shop',
    pod: spec.pod,
    uid: spec.uid ?? `uid-${spec.pod}`,
    container: spec.container ?? 'app',
    reason: spec.reason ?? 'CrashLoopBackOff',
    restartCount: spec.restartCount ?? 1,
    ...(spec.run !== undefined && { run: spec.run }),
    ...(spec.exitCode !== undefined && { exitCode: spec.exitCode }),
    ...(spec.message !== undefined && { message: spec.message }),
    node: spec.node ?? 'node-1',
    workload: spec.workload ?? checkout,
  };
}

function podOf(uid: string, name: string): PodState {
  return { uid, namespace: 'shop', name, workload: checkout, containers: [] };
}

export class Story {
  readonly clock: VirtualClock;
  readonly sent: Sent[] = [];
  book: IncidentBook = emptyBook();
  /**
   * Slack accepts every parent and edit at once (the default), as the sender's 'delivered' outcome
   * would say; false: nothing is confirmed until the test calls deliver() or fails().
   */
  autoDeliver = true;
  #slackTs = 0;
  wakeAt: number | undefined;
  /** Results and notices of action inputs, in order. */
  readonly acted: { readonly result?: string; readonly notice?: string }[] = [];
  #cancel: Cancel | undefined;

  constructor(
    readonly settings: IncidentSettings = DEFAULTS,
    start = T0,
  ) {
    this.clock = new VirtualClock(start);
  }

  get now(): number {
    return this.clock.now();
  }

  // Through reduceWithActions: without actions in the book it is exactly reduce.
  input(i: BookInput): this {
    const step = reduceWithActions(this.book, i, this.now, this.settings);
    this.book = step.book;
    if (i.type === 'action') this.acted.push({ ...(step.result !== undefined && { result: step.result }), ...(step.notice !== undefined && { notice: step.notice }) });
    for (const msg of step.out) this.sent.push({ at: this.now, msg });
    const accepted = this.autoDeliver ? step.out.filter((m) => m.kind !== 'reply') : [];
    if (step.wakeAt !== this.wakeAt) {
      this.#cancel?.();
      this.#cancel = undefined;
      this.wakeAt = step.wakeAt;
      if (step.wakeAt !== undefined) {
        if (!(step.wakeAt > this.now)) throw new Error(`reduce asked to wake at ${step.wakeAt}, not after now ${this.now}`);
        this.#cancel = this.clock.setTimer(step.wakeAt - this.now, () => {
          this.#cancel = undefined;
          this.wakeAt = undefined;
          this.input({ type: 'tick' });
        });
      }
    }
    for (const m of accepted) this.deliver(m);
    return this;
  }

  /** Slack accepted `m` (the sender's 'delivered' outcome). */
  deliver(m: Outgoing): this {
    return this.input({ type: 'delivered', thread: m.thread, kind: m.kind, channel: 'C0ALERTS', ts: `${++this.#slackTs}.000000`, message: m.message });
  }

  /** The sender gave up on a message of `thread`. */
  fails(thread: string, kind: Outgoing['kind'], cause: string): this {
    return this.input({ type: 'failed', thread, kind, cause });
  }

  fail(spec: FailureSpec, channel = '#alerts'): this {
    return this.input({ type: 'failure', failure: failureOf(spec), channel });
  }

  healthy(pod: string, uid = `uid-${pod}`): this {
    return this.input({ type: 'pod', pod: podOf(uid, pod), failing: false });
  }

  failing(pod: string, uid = `uid-${pod}`): this {
    return this.input({ type: 'pod', pod: podOf(uid, pod), failing: true });
  }

  deleted(pod: string, uid = `uid-${pod}`): this {
    return this.input({ type: 'podDeleted', uid });
  }

  /** A click on the parent of `thread` (default t1) by `user`; the envelope id defaults to a fresh one. */
  act(action: ActionInput['action'], user: string, options: Partial<Omit<ActionInput, 'type' | 'action' | 'user'>> = {}): this {
    return this.input({ type: 'action', action, user, thread: 't1', envelope: `env-${this.sent.length}-${this.acted.length}`, ...options });
  }

  advance(ms: number): this {
    this.clock.advance(ms);
    return this;
  }

  /** Lets every timer run (bounded, so a runaway timer fails the test instead of hanging). */
  drain(limitMs = 48 * HOUR): this {
    this.clock.runUntilIdle(this.now + limitMs);
    return this;
  }

  parents(): Extract<Outgoing, { kind: 'parent' }>[] {
    return this.sent.map((s) => s.msg).filter((m): m is Extract<Outgoing, { kind: 'parent' }> => m.kind === 'parent');
  }

  topLevel() {
    return this.parents(); // every parent is top level (storm members have none of their own)
  }

  of(kind: Outgoing['kind'], thread?: string): Sent[] {
    return this.sent.filter((s) => s.msg.kind === kind && (thread === undefined || s.msg.thread === thread));
  }

  texts(kind: Outgoing['kind'], thread?: string): string[] {
    return this.of(kind, thread).map((s) => s.msg.message.text);
  }

  /** What the parent of `thread` says now: the last edit, else the post. */
  parentText(thread: string): string {
    const edits = this.texts('edit', thread);
    return edits.at(-1) ?? this.texts('parent', thread)[0] ?? '';
  }
}
