import type { Outgoing, SlackMessage } from '../../core/outgoing.js';
import { SlackAuthError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { JobKind } from './actions.js';
import { budgetFromRate, type Budget } from './budget.js';
import { addReply, ChannelQueues, collapseEdit, newJob, pickNext, removeJob, type ChannelQueue, type Job } from './channel-queue.js';
import { authAdvice, isAuthError } from './errors.js';
import { DefaultChannelHealth } from './default-channel.js';
import { DrainWaiters } from './drain.js';
import { parentMetadata } from './find-posted.js';
import { withPreviousThreadLink } from './link.js';
import { createSlackMetrics, type SlackMetrics } from './metrics.js';
import { ParentLanding } from './parent-landing.js';
import { Refusals } from './refusals.js';
import { senderSettings, type SenderSettings, type SlackSenderOptions } from './sender-options.js';
import type { SenderParts } from './sender-parts.js';
import { SlackTransport } from './transport.js';
import type { Sender, ThreadRef } from '../../ports.js';

export type { SlackSenderOptions } from './sender-options.js';

/**
 * Sends podbell's Outgoing messages to Slack through the official WebClient, and reports what became
 * of each (delivered with channel and ts, or failed for good) to the listener it was built with.
 *
 * One queue per channel (channel-queue.ts): one request at a time, a chat.postMessage budget per
 * channel and a shared chat.update budget; a 429 pauses exactly that channel for its Retry-After;
 * 5xx and network errors back off through the Clock. Replies and edits wait for their thread's parent
 * to land. What a refusal leads to is one table (actions.ts), carried out by refusals.ts. A parent
 * whose answer was lost is looked up by its metadata before it is posted again (parent-landing.ts,
 * find-posted.ts), so a slow Slack never makes two.
 */
export class SlackSender implements Sender {
  readonly #o: SenderSettings;
  readonly #log: Logger;
  readonly #transport: SlackTransport;
  readonly #metrics: SlackMetrics;
  readonly #updates: Budget;

  readonly #queues: ChannelQueues;
  readonly #loggedOnce = new Set<string>();
  readonly #defaultChannel: DefaultChannelHealth;
  readonly #refusals: Refusals;
  readonly #parents: ParentLanding;
  #inFlight = 0;
  #pumpScheduled = false;
  #stopped = false;
  readonly #waiters: DrainWaiters;

  constructor(options: SlackSenderOptions) {
    this.#o = senderSettings(options);
    this.#log = this.#o.log.child({ component: 'slack' });
    this.#waiters = new DrainWaiters(this.#o.clock, this.#log);
    this.#updates = budgetFromRate(this.#o.updatesPerMinute, 60_000);
    this.#queues = new ChannelQueues(this.#o.postsPerSecond, this.#o.clock, () => this.#schedulePump());
    this.#metrics = createSlackMetrics(this.#o.registry, () => this.#queues.depths());
    this.#defaultChannel = new DefaultChannelHealth(this.#o.defaultChannel, this.#log, this.#metrics);
    this.#transport = new SlackTransport({ token: this.#o.token, apiUrl: this.#o.apiUrl, timeoutMs: this.#o.requestTimeoutMs, log: this.#o.log, metrics: this.#metrics });
    const parts: SenderParts = {
      o: this.#o,
      log: this.#log,
      metrics: this.#metrics,
      queues: this.#queues,
      defaultChannel: this.#defaultChannel,
      transport: this.#transport,
      failed: (thread, kind, cause) => this.#failed(thread, kind, cause),
      once: (key) => this.#once(key),
    };
    this.#refusals = new Refusals(parts);
    this.#parents = new ParentLanding(parts, this.#refusals);
  }

  /**
   * Checks the token with auth.test; rejects with SlackAuthError only when Slack definitely refuses
   * the bot (invalid_auth, token_revoked, missing_scope, ...). Any other trouble (Slack unreachable,
   * 5xx, a timeout) resolves with a warning: watching is the job, and the queues deliver once Slack
   * answers (a bad token then shows in the error log of the first message).
   */
  async start(): Promise<void> {
    const r = await this.#transport.call<{ team?: string; user?: string; bot_id?: string }>('auth.test', {}, 'none');
    if (r.ok) return void this.#log.info({ team: r.res.team, user: r.res.user, botId: r.res.bot_id }, 'connected to Slack');
    if (isAuthError(r.error.code)) throw new SlackAuthError(r.error.code, authAdvice(r.error.code));
    this.#log.warn({ error: r.error.code, detail: r.error.message }, 'Slack did not answer auth.test; watching anyway, messages are delivered once Slack answers');
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
      else return void this.#log.error({ kind: (message as { kind?: unknown }).kind, thread: m.thread }, 'Slack sender got a message of unknown kind; dropped');
      this.#schedulePump();
    } catch (err) {
      // send() never throws: a bug here must not take the pipeline down.
      this.#log.error({ error: this.#transport.scrub(String(err)) }, 'Slack sender could not queue a message');
    }
  }

  /** Resolves once everything queued is sent, or after deadlineMs (clock time), whichever is first. */
  flush(deadlineMs: number): Promise<void> {
    return this.#waiters.flush(() => this.pending, deadlineMs);
  }

  /** Stops timers and refuses new messages; what is queued stays unsent (and unreported). */
  stop(): void {
    this.#stopped = true;
    for (const q of this.#queues.values()) q.timer.cancel();
  }

  /** The default channel refusing podbell (what /readyz shows), if it does. */
  problem(): string | undefined {
    return this.#defaultChannel.problem;
  }

  /** Messages queued or in flight, across all channels. */
  get pending(): number {
    return this.#queues.pending;
  }

  /** Resolves when no request is in flight and no pump is scheduled (the rest waits on timers). */
  idle(): Promise<void> {
    return this.#waiters.idle(this.#isIdle());
  }

  // ---- queueing --------------------------------------------------------------------------------

  #enqueueParent(m: Extract<Outgoing, { kind: 'parent' }>): void {
    // A second parent for a thread not yet posted: post the newest content once.
    const queued = this.#queues.parentQueue(m.thread)?.jobs.find((j) => j.kind === 'parent' && j.thread === m.thread && !j.sending);
    if (queued) {
      queued.message = m.message;
      if (m.maybePosted) queued.uncertain = true;
      return;
    }
    const q = this.#queue(m.channel);
    q.jobs.push({
      ...newJob('parent', m.thread, m.message),
      channel: m.channel,
      ...(m.linkTo !== undefined && m.linkTo !== '' && { linkTo: m.linkTo }),
      ...(m.maybePosted && { uncertain: true }),
    });
    this.#queues.parentWaits(m.thread, q);
  }

  #enqueueReply(thread: string, message: SlackMessage): void {
    const q = this.#homeQueue(thread);
    if (!q) {
      this.#metrics.fallbacks.inc({ kind: 'orphan_dropped' });
      this.#log.warn({ thread }, 'reply for a thread that has no parent in Slack; dropped');
      return this.#failed(thread, 'reply', 'no_thread');
    }
    const dropped = addReply(q, newJob('reply', thread, message), this.#o.maxQueuedReplies);
    if (!dropped) return;
    this.#metrics.fallbacks.inc({ kind: 'reply_dropped' });
    this.#failed(dropped.thread, 'reply', 'queue_full');
    if (q.dropped++ === 0) {
      this.#log.warn({ channel: q.key, thread: dropped.thread, maxQueuedReplies: this.#o.maxQueuedReplies }, 'Slack reply queue full; dropping the oldest replies (parents still carry the true totals)');
    }
  }

  #enqueueEdit(thread: string, message: SlackMessage): void {
    const q = this.#homeQueue(thread);
    if (!q) {
      // The parent is not in Slack (as far as this process knows): the book posts it again, in its own channel.
      this.#log.warn({ thread }, 'edit for a thread that has no parent in Slack; not sent');
      return this.#failed(thread, 'edit', 'no_thread');
    }
    if (!collapseEdit(q, thread, message)) q.jobs.push(newJob('edit', thread, message));
  }

  /** The queue holding a thread's traffic: where its parent waits, or the channel it landed in. */
  #homeQueue(thread: string): ChannelQueue | undefined {
    const pending = this.#queues.parentQueue(thread);
    if (pending) return pending;
    const ref = this.#o.store.get(thread);
    return ref ? this.#queue(ref.channel) : undefined;
  }

  #queue(channel: string): ChannelQueue {
    return this.#queues.get(channel);
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
      const now = this.#o.clock.now();
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
    if (q.notBefore > now) return q.timer.earliest(q.notBefore);
    const next = pickNext(q, now, (j) => this.#ready(j), (j) => this.#budget(q, j));
    if (typeof next === 'number') q.timer.earliest(next);
    else if (next) this.#run(q, next);
  }

  #ready(job: Job): boolean {
    if (job.kind === 'parent') return true;
    return this.#landed(job.thread) !== undefined;
  }

  #landed(thread: string): ThreadRef | undefined {
    return this.#queues.parentQueue(thread) ? undefined : this.#o.store.get(thread);
  }

  #budget(q: ChannelQueue, job: Job): Budget | undefined {
    if (job.kind === 'edit') return this.#updates;
    if (job.kind === 'parent' && job.linkTo !== undefined) return undefined; // chat.getPermalink: Tier 4
    return q.posts;
  }

  #run(q: ChannelQueue, job: Job): void {
    q.busy = true;
    job.sending = true;
    this.#inFlight++;
    this.#execute(q, job)
      .catch((err: unknown) => this.#log.error({ error: this.#transport.scrub(String(err)) }, 'Slack sender bug while handling an answer'))
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
    this.#waiters.settle(this.#isIdle(), this.pending);
  }

  // ---- one request -----------------------------------------------------------------------------

  async #execute(q: ChannelQueue, job: Job): Promise<void> {
    if (job.kind === 'parent' && job.linkTo !== undefined) return this.#parents.lookUpLink(job);
    if (job.kind === 'parent' && job.uncertain) {
      job.uncertain = false;
      if ((await this.#parents.foundPosted(q, job)) !== 'absent') return;
    }
    const method = job.kind === 'edit' ? 'chat.update' : 'chat.postMessage';
    const args = this.#args(job);
    const r = await this.#transport.call<{ channel?: string; ts?: string }>(method, args, job.kind);
    if (!r.ok) return this.#refusals.handle(q, job, r.error);
    q.failures = 0;
    removeJob(q, job);
    if (job.kind === 'parent') this.#parents.land(q, job, { channel: r.res.channel ?? String(args.channel), ts: String(r.res.ts) });
    const ref = job.kind === 'reply' ? { channel: r.res.channel ?? String(args.channel), ts: String(r.res.ts) } : this.#o.store.get(job.thread);
    if (ref) this.#o.onOutcome({ type: 'delivered', thread: job.thread, kind: job.kind, channel: ref.channel, ts: ref.ts, message: job.message });
  }

  #args(job: Job): Record<string, unknown> {
    const { text, blocks } = withPreviousThreadLink(job.message.text, job.plain ? undefined : job.message.blocks, job.permalink);
    if (job.kind === 'edit') {
      const ref = this.#o.store.get(job.thread)!;
      // A plain-text edit must clear the old blocks, or users keep seeing the stale ones.
      return { channel: ref.channel, ts: ref.ts, text, blocks: blocks ?? [] };
    }
    const base: Record<string, unknown> = { text, unfurl_links: false, unfurl_media: false, ...(blocks ? { blocks } : {}) };
    if (job.kind === 'reply') {
      const ref = this.#o.store.get(job.thread)!;
      return { ...base, channel: ref.channel, thread_ts: String(ref.replyTo) };
    }
    // The metadata lets a later lookup recognise this parent if Slack's answer is lost (parent-landing.ts).
    return { ...base, channel: job.channel, metadata: parentMetadata(job.thread) };
  }

  #failed(thread: string, kind: JobKind, cause: string): void {
    this.#o.onOutcome({ type: 'failed', thread, kind, cause });
  }

  #once(key: string): boolean {
    if (this.#loggedOnce.has(key)) return false;
    this.#loggedOnce.add(key);
    return true;
  }
}
