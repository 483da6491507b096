/**
 * One Slack channel's queue: one request at a time, its own chat.postMessage budget, parents and
 * edits before replies, queued edits of a thread collapsed into the newest, and a bound on queued replies.
 */
import type { Clock } from '../../clock.js';
import type { SlackMessage } from '../../core/outgoing.js';
import { CHANNEL_ID } from '../../core/channel.js';
import { RearmableTimer } from '../../timer.js';
import type { JobKind } from './actions.js';
import { Budget, budgetFromRate } from './budget.js';

/** One message waiting for its turn. */
export interface Job {
  kind: JobKind;
  readonly thread: string;
  message: SlackMessage;
  /** parent: the channel asked for (name or ID). */
  channel?: string;
  /** parent: thread whose permalink the new parent links; undefined once looked up (or given up). */
  linkTo?: string;
  permalink?: string;
  /** Send as text only: Slack refused the blocks once. */
  plain: boolean;
  /** Already moved to the default channel once. */
  fellBack: boolean;
  /** In flight now: never replaced or moved. */
  sending: boolean;
  /** parent: an earlier attempt may have landed (its answer was lost): look before posting again. */
  uncertain?: boolean;
}

export interface ChannelQueue {
  key: string;
  readonly jobs: Job[];
  busy: boolean;
  /** No request before this time (a 429's Retry-After or a retry backoff). */
  notBefore: number;
  /** Consecutive transient failures, for backoff. */
  failures: number;
  readonly posts: Budget;
  /** The next pump of this queue (a budget or a pause running out). */
  readonly timer: RearmableTimer;
  /** Replies dropped since the queue last drained, for one summary log line. */
  dropped: number;
}

/** A message as queued: not yet refused, not in flight. */
export function newJob(kind: JobKind, thread: string, message: SlackMessage): Job {
  return { kind, thread, message, plain: false, fellBack: false, sending: false };
}

export function newChannelQueue(key: string, postsPerSecond: number, clock: Clock, pump: () => void): ChannelQueue {
  return { key, jobs: [], busy: false, notBefore: 0, failures: 0, posts: budgetFromRate(postsPerSecond, 1000), timer: new RearmableTimer(clock, pump), dropped: 0 };
}

/** The not-yet-sent parent or edit of `thread` takes the newest content; false when there is none. */
export function collapseEdit(q: ChannelQueue, thread: string, message: SlackMessage): boolean {
  const queued = q.jobs.find((j) => (j.kind === 'parent' || j.kind === 'edit') && j.thread === thread && !j.sending);
  if (queued) queued.message = message;
  return queued !== undefined;
}

/** Queues a reply; beyond `max` queued replies the oldest unsent one is dropped and returned. */
export function addReply(q: ChannelQueue, job: Job, max: number): Job | undefined {
  q.jobs.push(job);
  let replies = 0;
  for (const j of q.jobs) if (j.kind === 'reply' && !j.sending) replies++;
  if (replies <= max) return undefined;
  const i = q.jobs.findIndex((j) => j.kind === 'reply' && !j.sending);
  return q.jobs.splice(i, 1)[0];
}

/** Parents, then edits (a storm parent naming its new members, a parent's new totals), then the rest. */
const rank = (j: Job): number => (j.kind === 'parent' ? 0 : j.kind === 'edit' ? 1 : 2);

/**
 * The job to send now, or the time the queue should look again (a budget), or undefined (nothing
 * ready). Parents go first and edits next: a new incident, or a workload joining a storm, is not kept
 * waiting behind other threads' replies. Edits of a thread collapse into one, so they cannot starve them.
 */
export function pickNext(q: ChannelQueue, now: number, ready: (j: Job) => boolean, budgetOf: (j: Job) => Budget | undefined): Job | number | undefined {
  let wake: number | undefined;
  for (const turn of [0, 1, 2]) {
    for (const job of q.jobs) {
      if (rank(job) !== turn || !ready(job)) continue;
      const budget = budgetOf(job);
      const at = budget ? budget.nextAt(now) : now;
      if (at > now) {
        wake = Math.min(wake ?? at, at);
        continue;
      }
      budget?.take(now);
      return job;
    }
  }
  return wake;
}

export function removeJob(q: ChannelQueue, job: Job): void {
  const i = q.jobs.indexOf(job);
  if (i >= 0) q.jobs.splice(i, 1);
}

/** The channel refused `job`'s thread: it goes on in `to`, as a parent addressed to `channel` (once: fellBack). */
export function rerouteThread(job: Job, from: ChannelQueue, to: ChannelQueue, channel: string): void {
  job.fellBack = true;
  job.kind = 'parent';
  job.channel = channel;
  moveThread(job.thread, from, to);
}

/** A parent given up: takes the thread's queued replies and edits out of every queue (they can never land) and returns them. */
export function dropThreadJobs(queues: Iterable<ChannelQueue>, thread: string): Job[] {
  const dropped: Job[] = [];
  for (const q of queues) {
    for (const j of [...q.jobs]) {
      if (j.sending) continue;
      if (j.thread === thread && j.kind !== 'parent') dropped.push(...q.jobs.splice(q.jobs.indexOf(j), 1));
    }
  }
  return dropped;
}

/** Takes a thread's queued jobs (in order) out of `from` and appends them to `to`. */
function moveThread(thread: string, from: ChannelQueue, to: ChannelQueue): void {
  const moving = from.jobs.filter((j) => j.thread === thread);
  for (const j of moving) removeJob(from, j);
  to.jobs.push(...moving);
}

/**
 * Every channel's queue, keyed by how podbell addresses the channel until Slack tells its ID: a post
 * to `#name` answered with C… makes `#name` and C… one queue from then on.
 */
export class ChannelQueues {
  readonly #queues = new Map<string, ChannelQueue>();
  /** `#name` -> channel ID, learned from postMessage answers. */
  readonly #aliases = new Map<string, string>();
  /** thread -> key of the queue its parent waits in, until it lands. */
  readonly #parentPending = new Map<string, string>();
  readonly #postsPerSecond: number;
  readonly #clock: Clock;
  readonly #pump: () => void;

  constructor(postsPerSecond: number, clock: Clock, pump: () => void) {
    this.#postsPerSecond = postsPerSecond;
    this.#clock = clock;
    this.#pump = pump;
  }

  /** The queue of a channel (name or ID), made on first use. */
  get(channel: string): ChannelQueue {
    const key = this.key(channel);
    let q = this.#queues.get(key);
    if (!q) {
      q = newChannelQueue(key, this.#postsPerSecond, this.#clock, this.#pump);
      this.#queues.set(key, q);
    }
    return q;
  }

  /** The key a channel's queue has now: its ID once learned. */
  key(channel: string): string {
    return this.#aliases.get(channel) ?? channel;
  }

  /** The channel's ID when known: given as one, or learned from an earlier answer. */
  idOf(channel: string): string | undefined {
    const id = this.key(channel);
    return CHANNEL_ID.test(id) ? id : undefined;
  }

  /** The queue a thread's parent waits in; undefined once it landed (or when it never was queued). */
  parentQueue(thread: string): ChannelQueue | undefined {
    const key = this.#parentPending.get(thread);
    return key === undefined ? undefined : this.get(key);
  }

  /** The thread's parent waits in `q` (replies and edits of the thread wait for it). */
  parentWaits(thread: string, q: ChannelQueue): void {
    this.#parentPending.set(thread, q.key);
  }

  /** The thread's parent landed, or was given up. */
  parentDone(thread: string): void {
    this.#parentPending.delete(thread);
  }

  /** A post to `q` was answered with the channel's ID: from now on its name and ID are one queue. */
  learnAlias(q: ChannelQueue, id: string): void {
    const name = q.key;
    if (name === id || CHANNEL_ID.test(name) || this.#aliases.get(name) === id) return;
    this.#aliases.set(name, id);
    for (const [thread, key] of this.#parentPending) if (key === name) this.#parentPending.set(thread, id);
    const target = this.#queues.get(id);
    this.#queues.delete(name);
    if (!target) {
      q.key = id;
      this.#queues.set(id, q);
      return;
    }
    target.jobs.push(...q.jobs.splice(0));
    target.notBefore = Math.max(target.notBefore, q.notBefore);
    q.timer.cancel();
  }

  values(): IterableIterator<ChannelQueue> {
    return this.#queues.values();
  }

  /** Messages queued or in flight, across all channels. */
  get pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.jobs.length;
    return n;
  }

  /** Messages waiting (queued or in flight) per channel: the queue-depth gauge. */
  depths(): Map<string, number> {
    const m = new Map<string, number>();
    for (const q of this.#queues.values()) m.set(q.key, q.jobs.length);
    return m;
  }
}
