import { WebClient } from '@slack/web-api';
import type { Registry } from 'prom-client';
import type { Cancel, Clock } from '../../clock.js';
import type { Outgoing, SlackMessage } from '../../core/outgoing.js';
import { SlackAuthError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { Budget, budgetFromRate } from './budget.js';
import { classify, outcomeLabel, redactToken } from './classify.js';
import { clientLogger } from './client-logger.js';
import { authAdvice, isAuthError, isBlockError, isChannelError, isEditError, SlackApiError } from './errors.js';
import { createSlackMetrics, type SlackMetrics } from './metrics.js';
import type { DeliveryListener, Sender, ThreadRef, ThreadStore } from './types.js';
import { withPreviousThreadLink } from './link.js';
import { channelIdByName, findPostedParent, parentMetadata } from './find-posted.js';

export interface SlackSenderOptions {
  /** Bot token (xoxb-…). Never logged. */
  readonly token: string;
  /** Web API base URL (config SLACK_API_URL), e.g. https://slack.com/api/ or a loopback fake. */
  readonly apiUrl: string;
  /** Where messages go when their own channel refuses them (config SLACK_CHANNEL). */
  readonly defaultChannel: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Registry for this adapter's metrics (never the global one). */
  readonly registry: Registry;
  /** Where each thread's parent landed; replies and edits are addressed through it. */
  readonly store: ThreadStore;
  /** Told what became of every message: delivered (channel, ts) or failed for good (the cause). */
  readonly onOutcome?: DeliveryListener;
  /** Jitter source for retry backoff, [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** chat.postMessage budget per channel (Slack allows about 1 per second per channel). Default 1. */
  readonly postsPerSecond?: number;
  /** chat.update budget for the whole workspace (Slack's Tier 3, about 50 per minute). Default 50. */
  readonly updatesPerMinute?: number;
  /** Most replies one channel may hold queued; beyond, the oldest are dropped (and counted). Default 100. */
  readonly maxQueuedReplies?: number;
  /** First retry delay after a 5xx or network error; doubles up to maxBackoffMs, with jitter. Default 1000. */
  readonly minBackoffMs?: number;
  /** Default 30000. */
  readonly maxBackoffMs?: number;
  /** Per-request timeout of the HTTP client (wall time). Default 10000. */
  readonly requestTimeoutMs?: number;
}

type JobKind = 'parent' | 'reply' | 'edit';

/** One message waiting for its turn in a channel's queue. */
interface Job {
  kind: JobKind;
  readonly thread: string;
  message: SlackMessage;
  /** parent: the channel asked for (name or ID). */
  channel?: string;
  /** parent: post it as a reply in this (storm) thread. */
  inThread?: string;
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

interface ChannelQueue {
  key: string;
  readonly jobs: Job[];
  busy: boolean;
  /** No request before this time (a 429's Retry-After or a retry backoff). */
  notBefore: number;
  /** Consecutive transient failures, for backoff. */
  failures: number;
  readonly posts: Budget;
  timer?: Cancel;
  timerAt?: number;
  /** Replies dropped since the queue last drained, for one summary log line. */
  dropped: number;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

/**
 * Sends podbell's Outgoing messages to Slack through the official WebClient.
 *
 * One queue per channel: one request at a time, a chat.postMessage budget per channel and a shared
 * chat.update budget; a 429 pauses exactly that channel for its Retry-After; 5xx and network errors
 * back off through the Clock. Replies and edits wait for their thread's parent to land. Queued edits
 * of one thread collapse into the latest (into the parent itself if it has not been sent yet), so
 * memory is bounded by threads, plus at most maxQueuedReplies replies per channel.
 * The WebClient's own retries are off so the queues, not the client, decide when to try again.
 */
export class SlackSender implements Sender {
  readonly #token: string;
  readonly #defaultChannel: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #store: ThreadStore;
  readonly #onOutcome: DeliveryListener;
  readonly #random: () => number;
  readonly #postsPerSecond: number;
  readonly #maxQueuedReplies: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #client: WebClient;
  readonly #metrics: SlackMetrics;
  readonly #updates: Budget;

  readonly #queues = new Map<string, ChannelQueue>();
  /** `#name` -> channel ID, learned from postMessage answers. */
  readonly #aliases = new Map<string, string>();
  /** thread -> queue key of its parent job not yet landed. */
  readonly #parentPending = new Map<string, string>();
  readonly #loggedOnce = new Set<string>();
  #inFlight = 0;
  #pumpScheduled = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];

  constructor(options: SlackSenderOptions) {
    const o = options as Partial<SlackSenderOptions> | undefined;
    if (!o || typeof o !== 'object') throw new TypeError('SlackSender: options must be an object');
    if (typeof o.token !== 'string' || o.token === '') throw new TypeError('SlackSender: option token must be a non-empty string');
    if (typeof o.apiUrl !== 'string' || !/^https?:\/\//.test(o.apiUrl)) throw new TypeError('SlackSender: option apiUrl must be an http(s) URL');
    if (typeof o.defaultChannel !== 'string' || o.defaultChannel === '') throw new TypeError('SlackSender: option defaultChannel must be a channel (#name or ID)');
    if (!o.clock || typeof o.clock.now !== 'function' || typeof o.clock.setTimer !== 'function') throw new TypeError('SlackSender: option clock must be a Clock');
    if (!o.log || typeof o.log.warn !== 'function') throw new TypeError('SlackSender: option log must be a Logger');
    if (!o.registry || typeof o.registry.registerMetric !== 'function') throw new TypeError('SlackSender: option registry must be a prom-client Registry');
    if (!o.store || typeof o.store.get !== 'function' || typeof o.store.set !== 'function') throw new TypeError('SlackSender: option store must be a ThreadStore');
    if (o.random !== undefined && typeof o.random !== 'function') throw new TypeError('SlackSender: option random must be a function');
    const positive = (name: keyof SlackSenderOptions, v: unknown, dflt: number): number => {
      if (v === undefined) return dflt;
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new TypeError(`SlackSender: option ${name} must be a positive number, got ${String(v)}`);
      return v;
    };
    this.#token = o.token;
    this.#defaultChannel = o.defaultChannel;
    this.#clock = o.clock;
    this.#log = o.log.child({ component: 'slack' });
    this.#store = o.store;
    this.#onOutcome = o.onOutcome ?? (() => {});
    this.#random = o.random ?? Math.random;
    this.#postsPerSecond = positive('postsPerSecond', o.postsPerSecond, 1);
    this.#updates = budgetFromRate(positive('updatesPerMinute', o.updatesPerMinute, 50), 60_000);
    this.#maxQueuedReplies = Math.floor(positive('maxQueuedReplies', o.maxQueuedReplies, 100));
    this.#minBackoffMs = positive('minBackoffMs', o.minBackoffMs, 1000);
    this.#maxBackoffMs = Math.max(this.#minBackoffMs, positive('maxBackoffMs', o.maxBackoffMs, 30_000));
    const timeout = positive('requestTimeoutMs', o.requestTimeoutMs, 10_000);
    this.#metrics = createSlackMetrics(o.registry, () => this.#depths());
    // The client only carries requests: no retries of its own (our queues retry through the Clock),
    // and a 429 rejects at once instead of pausing every channel.
    this.#client = new WebClient(o.token, {
      slackApiUrl: o.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout,
      logger: clientLogger(o.log.child({ component: 'slack-web-api' }), (t) => this.#scrub(t)),
    });
  }

  /**
   * Checks the token with auth.test; rejects with SlackAuthError only when Slack definitely refuses
   * the bot (invalid_auth, token_revoked, missing_scope, ...). Any other trouble (Slack unreachable,
   * 5xx, a timeout) resolves with a warning: watching is the job, and the queues deliver once Slack
   * answers (a bad token then shows in the error log of the first message).
   */
  async start(): Promise<void> {
    try {
      const res = await this.#client.auth.test();
      this.#metrics.requests.inc({ method: 'auth.test', message: 'none', outcome: 'ok' });
      this.#log.info({ team: res.team, user: res.user, botId: res.bot_id }, 'connected to Slack');
    } catch (err) {
      const e = classify('auth.test', err, this.#token);
      this.#metrics.requests.inc({ method: 'auth.test', message: 'none', outcome: outcomeLabel(e) });
      if (isAuthError(e.code)) throw new SlackAuthError(e.code, authAdvice(e.code));
      this.#log.warn({ error: e.code, detail: e.message }, 'Slack did not answer auth.test; watching anyway, messages are delivered once Slack answers');
    }
  }

  send(message: Outgoing): void {
    try {
      if (this.#stopped) {
        this.#log.warn({ thread: message.thread, kind: message.kind }, 'Slack sender stopped; message not sent');
        return;
      }
      const m = message as Partial<Outgoing> | null;
      const badChannel = m?.kind === 'parent' && (typeof m.channel !== 'string' || m.channel === '');
      if (!m || typeof m.thread !== 'string' || !m.message || typeof m.message.text !== 'string' || badChannel) {
        this.#log.error({ kind: m?.kind, thread: m?.thread }, 'Slack sender got a malformed message (needs thread, message.text, and a channel for parents); dropped');
        return;
      }
      if (message.kind === 'parent') this.#enqueueParent(message);
      else if (message.kind === 'reply') this.#enqueueReply(message.thread, message.message);
      else if (message.kind === 'edit') this.#enqueueEdit(message.thread, message.message);
      else {
        this.#log.error({ kind: (message as { kind?: unknown }).kind, thread: m.thread }, 'Slack sender got a message of unknown kind; dropped');
        return;
      }
      this.#schedulePump();
    } catch (err) {
      // send() never throws: a bug here must not take the pipeline down.
      this.#log.error({ error: this.#scrub(String(err)) }, 'Slack sender could not queue a message');
    }
  }

  /** Resolves once everything queued is sent, or after deadlineMs (clock time), whichever is first. */
  flush(deadlineMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.pending === 0) return resolve();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        cancel();
        resolve();
      };
      const cancel = this.#clock.setTimer(Math.max(0, deadlineMs), () => {
        if (!done && this.pending > 0) {
          this.#log.warn({ unsent: this.pending, deadlineMs }, 'Slack flush deadline reached; some messages were not sent');
        }
        finish();
      });
      this.#drainWaiters.push(finish);
    });
  }

  /** Stops timers and refuses new messages; what is queued stays unsent. */
  stop(): void {
    this.#stopped = true;
    for (const q of this.#queues.values()) {
      q.timer?.();
      q.timer = undefined;
    }
  }

  /** Messages queued or in flight, across all channels. */
  get pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.jobs.length;
    return n;
  }

  /** Resolves when no request is in flight and no pump is scheduled (the rest waits on timers). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---- queueing --------------------------------------------------------------------------------

  #enqueueParent(m: Extract<Outgoing, { kind: 'parent' }>): void {
    const linkTo = (m as { linkTo?: unknown }).linkTo;
    const pendingKey = this.#parentPending.get(m.thread);
    if (pendingKey !== undefined) {
      // A second parent for a thread not yet posted: post the newest content once.
      const queued = this.#queue(pendingKey).jobs.find((j) => j.kind === 'parent' && j.thread === m.thread && !j.sending);
      if (queued) {
        queued.message = m.message;
        if (m.maybePosted) queued.uncertain = true;
        return;
      }
    }
    let inThread = m.inThread;
    if (inThread !== undefined && !this.#parentPending.has(inThread) && !this.#store.get(inThread)) {
      this.#log.warn({ thread: m.thread, inThread }, 'storm thread unknown; posting the parent in the channel');
      inThread = undefined;
    }
    const q = this.#queue(m.channel);
    const job: Job = {
      kind: 'parent',
      thread: m.thread,
      message: m.message,
      channel: m.channel,
      ...(inThread !== undefined ? { inThread } : {}),
      ...(typeof linkTo === 'string' && linkTo !== '' ? { linkTo } : {}),
      plain: false,
      fellBack: false,
      sending: false,
      ...(m.maybePosted && { uncertain: true }),
    };
    q.jobs.push(job);
    this.#parentPending.set(m.thread, q.key);
  }

  #enqueueReply(thread: string, message: SlackMessage): void {
    const q = this.#homeQueue(thread);
    if (!q) {
      this.#metrics.fallbacks.inc({ kind: 'orphan_dropped' });
      this.#log.warn({ thread }, 'reply for a thread that has no parent in Slack; dropped');
      this.#failed(thread, 'reply', 'no_thread');
      return;
    }
    q.jobs.push({ kind: 'reply', thread, message, plain: false, fellBack: false, sending: false });
    let replies = 0;
    for (const j of q.jobs) if (j.kind === 'reply' && !j.sending) replies++;
    if (replies > this.#maxQueuedReplies) {
      const i = q.jobs.findIndex((j) => j.kind === 'reply' && !j.sending);
      const [dropped] = q.jobs.splice(i, 1);
      this.#metrics.fallbacks.inc({ kind: 'reply_dropped' });
      if (dropped) this.#failed(dropped.thread, 'reply', 'queue_full');
      if (q.dropped++ === 0) {
        this.#log.warn(
          { channel: q.key, thread: dropped?.thread, maxQueuedReplies: this.#maxQueuedReplies },
          'Slack reply queue full; dropping the oldest replies (parents still carry the true totals)',
        );
      }
    }
  }

  #enqueueEdit(thread: string, message: SlackMessage): void {
    const q = this.#homeQueue(thread);
    if (!q) {
      // The parent is not in Slack (as far as this process knows): the book posts it again, in its own channel.
      this.#log.warn({ thread }, 'edit for a thread that has no parent in Slack; not sent');
      this.#failed(thread, 'edit', 'no_thread');
      return;
    }
    // Collapse: the not-yet-sent parent or queued edit of this thread takes the newest content.
    const queued = q.jobs.find((j) => (j.kind === 'parent' || j.kind === 'edit') && j.thread === thread && !j.sending);
    if (queued) {
      queued.message = message;
      return;
    }
    q.jobs.push({ kind: 'edit', thread, message, plain: false, fellBack: false, sending: false });
  }

  /** The queue holding a thread's traffic: where its parent waits, or the channel it landed in. */
  #homeQueue(thread: string): ChannelQueue | undefined {
    const pending = this.#parentPending.get(thread);
    if (pending !== undefined) return this.#queue(pending);
    const ref = this.#store.get(thread);
    return ref ? this.#queue(ref.channel) : undefined;
  }

  #canonical(channel: string): string {
    return this.#aliases.get(channel) ?? channel;
  }

  #queue(channel: string): ChannelQueue {
    const key = this.#canonical(channel);
    let q = this.#queues.get(key);
    if (!q) {
      q = { key, jobs: [], busy: false, notBefore: 0, failures: 0, posts: budgetFromRate(this.#postsPerSecond, 1000), dropped: 0 };
      this.#queues.set(key, q);
    }
    return q;
  }

  /** A postMessage answered with the channel's ID: from now on `name` and `id` are one queue. */
  #learnAlias(name: string, id: string, q: ChannelQueue): void {
    if (name === id || CHANNEL_ID.test(name) || this.#aliases.get(name) === id) return;
    this.#aliases.set(name, id);
    for (const [thread, key] of this.#parentPending) if (key === name) this.#parentPending.set(thread, id);
    const target = this.#queues.get(id);
    if (q.key !== name) return;
    this.#queues.delete(name);
    if (!target) {
      q.key = id;
      this.#queues.set(id, q);
      return;
    }
    target.jobs.push(...q.jobs.splice(0));
    target.notBefore = Math.max(target.notBefore, q.notBefore);
    q.timer?.();
  }

  // ---- pumping ---------------------------------------------------------------------------------

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // A microtask: messages produced together are queued (and collapsed) before any goes out.
    queueMicrotask(() => this.#pump());
  }

  #pump(): void {
    this.#pumpScheduled = false;
    if (!this.#stopped) {
      const now = this.#clock.now();
      for (const q of [...this.#queues.values()]) this.#pumpQueue(q, now);
    }
    this.#settle();
  }

  #pumpQueue(q: ChannelQueue, now: number): void {
    if (q.busy) return;
    if (q.jobs.length === 0) {
      if (q.dropped > 1) this.#log.warn({ channel: q.key, dropped: q.dropped }, 'Slack reply queue drained; replies were dropped while it was full');
      q.dropped = 0;
      return;
    }
    if (q.notBefore > now) return this.#wakeAt(q, q.notBefore);
    let wake = Number.POSITIVE_INFINITY;
    for (const job of q.jobs) {
      if (!this.#ready(job)) continue;
      const budget = this.#budget(q, job);
      const at = budget ? budget.nextAt(now) : now;
      if (at > now) {
        wake = Math.min(wake, at);
        continue;
      }
      budget?.take(now);
      this.#run(q, job);
      return;
    }
    if (wake < Number.POSITIVE_INFINITY) this.#wakeAt(q, wake);
  }

  #ready(job: Job): boolean {
    if (job.kind === 'parent') return job.inThread === undefined || this.#landed(job.inThread) !== undefined;
    return this.#landed(job.thread) !== undefined;
  }

  #landed(thread: string): ThreadRef | undefined {
    return this.#parentPending.has(thread) ? undefined : this.#store.get(thread);
  }

  #budget(q: ChannelQueue, job: Job): Budget | undefined {
    if (job.kind === 'edit') return this.#updates;
    if (job.kind === 'parent' && job.linkTo !== undefined) return undefined; // chat.getPermalink: Tier 4
    return q.posts;
  }

  #wakeAt(q: ChannelQueue, at: number): void {
    if (q.timer && q.timerAt !== undefined && q.timerAt <= at) return;
    q.timer?.();
    q.timerAt = at;
    q.timer = this.#clock.setTimer(at - this.#clock.now(), () => {
      q.timer = undefined;
      q.timerAt = undefined;
      this.#schedulePump();
    });
  }

  #run(q: ChannelQueue, job: Job): void {
    q.busy = true;
    job.sending = true;
    this.#inFlight++;
    this.#execute(q, job)
      .catch((err: unknown) => this.#log.error({ error: this.#scrub(String(err)) }, 'Slack sender bug while handling an answer'))
      .finally(() => {
        job.sending = false;
        q.busy = false;
        this.#inFlight--;
        this.#pump();
      });
  }

  #isIdle(): boolean {
    return this.#inFlight === 0 && !this.#pumpScheduled;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    for (const w of this.#idleWaiters.splice(0)) w();
    if (this.pending === 0) for (const w of this.#drainWaiters.splice(0)) w();
  }

  // ---- one request -----------------------------------------------------------------------------

  async #execute(q: ChannelQueue, job: Job): Promise<void> {
    if (job.kind === 'parent' && job.linkTo !== undefined) return this.#lookUpLink(job);
    if (job.kind === 'parent' && job.uncertain) {
      job.uncertain = false;
      if ((await this.#foundPosted(q, job)) !== 'absent') return;
    }
    const method = job.kind === 'edit' ? 'chat.update' : 'chat.postMessage';
    try {
      const args = this.#args(job);
      const res = (await this.#client.apiCall(method, args)) as { channel?: string; ts?: string };
      this.#metrics.requests.inc({ method, message: job.kind, outcome: 'ok' });
      q.failures = 0;
      this.#remove(q, job);
      if (job.kind === 'parent') this.#landParent(q, job, args, res);
      const ref = job.kind === 'reply' ? { channel: res.channel ?? String(args.channel), ts: String(res.ts) } : this.#store.get(job.thread);
      if (ref) this.#onOutcome({ type: 'delivered', thread: job.thread, kind: job.kind, channel: ref.channel, ts: ref.ts, message: job.message });
    } catch (err) {
      const e = classify(method, err, this.#token);
      this.#metrics.requests.inc({ method, message: job.kind, outcome: outcomeLabel(e) });
      this.#onError(q, job, e);
    }
  }

  #args(job: Job): Record<string, unknown> {
    const { text, blocks } = withPreviousThreadLink(job.message.text, job.plain ? undefined : job.message.blocks, job.permalink);
    if (job.kind === 'edit') {
      const ref = this.#store.get(job.thread)!;
      // A plain-text edit must clear the old blocks, or users keep seeing the stale ones.
      return { channel: ref.channel, ts: ref.ts, text, blocks: blocks ?? [] };
    }
    const base: Record<string, unknown> = { text, unfurl_links: false, unfurl_media: false, ...(blocks ? { blocks } : {}) };
    if (job.kind === 'reply') {
      const ref = this.#store.get(job.thread)!;
      return { ...base, channel: ref.channel, thread_ts: String(ref.replyTo) };
    }
    const storm = job.inThread === undefined ? undefined : this.#store.get(job.inThread);
    // The metadata lets a later lookup recognise this parent if Slack's answer is lost (#foundPosted).
    return { ...base, channel: storm?.channel ?? job.channel, ...(storm ? { thread_ts: String(storm.replyTo) } : {}), metadata: parentMetadata(job.thread) };
  }

  /**
   * A parent whose earlier post may have landed: looks for it (podbell's metadata in the channel's
   * recent history) and, when found, records it as delivered instead of posting a second parent.
   * Without the channel's ID (a `#name` never answered) or the history scope, it posts again.
   */
  async #foundPosted(q: ChannelQueue, job: Job): Promise<'found' | 'absent' | 'retry'> {
    const storm = job.inThread === undefined ? undefined : this.#store.get(job.inThread);
    let method = 'conversations.list';
    try {
      const channelId = storm?.channel ?? this.#channelIdOf(job.channel!) ?? (await channelIdByName(this.#client, job.channel!));
      if (channelId === undefined) return 'absent';
      method = storm ? 'conversations.replies' : 'conversations.history';
      const found = await findPostedParent(this.#client, channelId, job.thread, storm?.replyTo);
      this.#metrics.requests.inc({ method, message: 'parent', outcome: 'ok' });
      if (!found) return 'absent';
      this.#remove(q, job);
      const args = { channel: channelId, ...(storm && { thread_ts: storm.replyTo }) };
      this.#landParent(q, job, args, { channel: channelId, ts: found.ts });
      // Report what Slack shows: when it is older than the job's content, the book edits it.
      const message = found.text === job.message.text ? job.message : { text: found.text, ...(found.blocks && { blocks: found.blocks }) };
      this.#log.info({ thread: job.thread, channel: channelId, ts: found.ts }, 'the parent had landed although its answer was lost; not posting it again');
      this.#onOutcome({ type: 'delivered', thread: job.thread, kind: 'parent', channel: channelId, ts: found.ts, message });
      return 'found';
    } catch (err) {
      const e = classify(method, err, this.#token);
      this.#metrics.requests.inc({ method, message: 'parent', outcome: outcomeLabel(e) });
      if (e.retryable) {
        // Slack is still in trouble (or asks for a pause): look again on the next attempt.
        this.#onError(q, job, e);
        return 'retry';
      }
      if (this.#once(`history:${e.code}`)) {
        this.#log.warn({ thread: job.thread, error: e.code }, `could not check whether a parent had landed (${method}; needs the channels:history and groups:history scopes); posting it again`);
      }
      return 'absent';
    }
  }

  /** The channel's ID when known: given as one, or learned from an earlier answer. */
  #channelIdOf(channel: string): string | undefined {
    if (CHANNEL_ID.test(channel)) return channel;
    const id = this.#aliases.get(channel);
    return id !== undefined && CHANNEL_ID.test(id) ? id : undefined;
  }

  #landParent(q: ChannelQueue, job: Job, args: Record<string, unknown>, res: { channel?: string; ts?: string }): void {
    const channel = res.channel ?? String(args.channel);
    const ts = String(res.ts);
    const replyTo = typeof args.thread_ts === 'string' ? args.thread_ts : ts;
    this.#store.set(job.thread, { channel, ts, replyTo });
    if (this.#parentPending.get(job.thread) !== undefined) this.#parentPending.delete(job.thread);
    this.#learnAlias(q.key, channel, q);
    this.#log.debug({ thread: job.thread, channel, ts }, 'Slack thread opened');
  }

  async #lookUpLink(job: Job): Promise<void> {
    const previous = this.#store.get(job.linkTo!);
    job.linkTo = undefined;
    if (!previous) return;
    try {
      const res = (await this.#client.chat.getPermalink({ channel: previous.channel, message_ts: previous.ts })) as { permalink?: string };
      this.#metrics.requests.inc({ method: 'chat.getPermalink', message: 'none', outcome: 'ok' });
      if (typeof res.permalink === 'string') job.permalink = res.permalink;
    } catch (err) {
      const e = classify('chat.getPermalink', err, this.#token);
      this.#metrics.requests.inc({ method: 'chat.getPermalink', message: 'none', outcome: outcomeLabel(e) });
      // The link is a courtesy: the new parent goes out without it.
      this.#log.info({ thread: job.thread, error: e.code }, 'could not link the previous Slack thread; posting without the link');
    }
  }

  #onError(q: ChannelQueue, job: Job, e: SlackApiError): void {
    const now = this.#clock.now();
    const where = { channel: q.key, thread: job.thread, kind: job.kind, error: e.code };
    if (e.code === 'ratelimited' && e.retryAfterMs !== undefined) {
      q.notBefore = Math.max(q.notBefore, now + e.retryAfterMs);
      this.#metrics.rateLimited.inc({ channel: q.key });
      this.#log.warn({ ...where, retryAfterMs: e.retryAfterMs }, 'Slack rate limit: pausing this channel');
      return;
    }
    if (e.retryable) {
      // The post may have landed (a timeout or reset after Slack took it): look before posting again.
      if (job.kind === 'parent') job.uncertain = true;
      q.failures++;
      const wait = this.#backoff(q.failures);
      q.notBefore = Math.max(q.notBefore, now + wait);
      if ((q.failures & (q.failures - 1)) === 0) {
        this.#log.warn({ ...where, failures: q.failures, retryInMs: wait, detail: e.message }, 'Slack request failed; retrying');
      }
      return;
    }
    if (isAuthError(e.code)) {
      if (this.#once(`auth:${e.code}`)) this.#log.error({ error: e.code }, authAdvice(e.code));
      return this.#giveUp(q, job, e);
    }
    if (isBlockError(e.code) && !job.plain) {
      job.plain = true;
      this.#metrics.fallbacks.inc({ kind: 'plain_text' });
      this.#log.warn(where, 'Slack refused the message blocks; resending as plain text');
      return;
    }
    if (isEditError(e.code) && job.kind === 'edit') {
      // The parent is gone or frozen: the book posts it again (as it is now) in its own channel.
      this.#metrics.fallbacks.inc({ kind: 'new_parent' });
      this.#log.warn(where, 'cannot edit the Slack parent; the incident gets a new parent');
      this.#remove(q, job);
      // Until the new parent lands, the thread's replies wait for it instead of going to the lost one.
      this.#parentPending.set(job.thread, q.key);
      return this.#failed(job.thread, 'edit', 'message_gone');
    }
    if (isChannelError(e.code)) {
      if (job.kind === 'reply') {
        this.#metrics.fallbacks.inc({ kind: 'reply_dropped' });
        this.#log.warn(where, 'Slack channel refused a thread reply; dropped');
        this.#remove(q, job);
        return this.#failed(job.thread, 'reply', e.code);
      }
      const target = this.#queue(this.#defaultChannel);
      if (!job.fellBack && target !== q) {
        this.#log.error(
          { ...where, fallback: this.#defaultChannel },
          `Slack refused channel ${q.key} (${e.code}): invite the bot there (/invite @podbell) or fix the route; sending to ${this.#defaultChannel} instead`,
        );
        this.#metrics.fallbacks.inc({ kind: 'default_channel' });
        job.fellBack = true;
        job.kind = 'parent';
        job.channel = this.#defaultChannel;
        job.inThread = undefined;
        this.#moveThread(job.thread, q, target);
        return;
      }
    }
    this.#giveUp(q, job, e);
  }

  /** Moves a thread's queued jobs (parent first, order kept) to another channel's queue. */
  #moveThread(thread: string, from: ChannelQueue, to: ChannelQueue): void {
    const moving = from.jobs.filter((j) => j.thread === thread);
    for (const j of moving) from.jobs.splice(from.jobs.indexOf(j), 1);
    to.jobs.push(...moving);
    this.#parentPending.set(thread, to.key);
  }

  #giveUp(q: ChannelQueue, job: Job, e: SlackApiError): void {
    this.#remove(q, job);
    this.#metrics.fallbacks.inc({ kind: 'given_up' });
    this.#log.error({ channel: q.key, thread: job.thread, kind: job.kind, error: e.code, detail: e.message }, 'Slack refused a message; giving up on it');
    this.#failed(job.thread, job.kind, e.code);
    if (job.kind !== 'parent') return;
    this.#parentPending.delete(job.thread);
    for (const other of this.#queues.values()) {
      for (const j of [...other.jobs]) {
        if (j.sending) continue;
        if (j.thread === job.thread && j.kind !== 'parent' && !this.#store.get(job.thread)) {
          other.jobs.splice(other.jobs.indexOf(j), 1);
          this.#metrics.fallbacks.inc({ kind: 'orphan_dropped' });
          this.#failed(j.thread, j.kind, 'no_thread');
        }
        if (j.inThread === job.thread) j.inThread = undefined;
      }
    }
  }

  #failed(thread: string, kind: JobKind, cause: string): void {
    this.#onOutcome({ type: 'failed', thread, kind, cause });
  }

  #remove(q: ChannelQueue, job: Job): void {
    const i = q.jobs.indexOf(job);
    if (i >= 0) q.jobs.splice(i, 1);
  }

  #backoff(failures: number): number {
    const base = Math.min(this.#maxBackoffMs, this.#minBackoffMs * 2 ** Math.min(30, failures - 1));
    return Math.round(base * (0.5 + this.#random() / 2));
  }

  #once(key: string): boolean {
    if (this.#loggedOnce.has(key)) return false;
    this.#loggedOnce.add(key);
    return true;
  }

  #depths(): Map<string, number> {
    const m = new Map<string, number>();
    for (const q of this.#queues.values()) m.set(q.key, q.jobs.length);
    return m;
  }

  #scrub(text: string): string {
    return redactToken(text, this.#token);
  }
}
