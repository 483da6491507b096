/**
 * A thread's parent landing in Slack, and what is looked up before a parent is posted: where it
 * landed is recorded once (the thread store, the channel ID learned, the default channel healthy
 * again); a parent whose earlier answer was lost is first looked for by its metadata (find-posted.ts)
 * so a slow Slack never gets two; and a parent that links the previous thread fetches its permalink.
 * Kept apart from the queueing and pumping (sender.ts): it is the one path that turns a post, or a
 * post found after the fact, into a thread replies and edits can follow.
 */
import { removeJob, type ChannelQueue, type Job } from './channel-queue.js';
import { lookUpParent } from './find-posted.js';
import type { Refusals } from './refusals.js';
import type { SenderParts } from './sender-parts.js';

export class ParentLanding {
  readonly #p: SenderParts;
  /** Carries out what a refusal met while looking leads to. */
  readonly #refusals: Refusals;

  constructor(parts: SenderParts, refusals: Refusals) {
    this.#p = parts;
    this.#refusals = refusals;
  }

  /** Records where a parent landed: its replies go under it. */
  land(q: ChannelQueue, job: Job, at: { channel: string; ts: string }): void {
    const { o, log, queues } = this.#p;
    o.store.set(job.thread, { channel: at.channel, ts: at.ts, replyTo: at.ts });
    if (q.key === queues.key(o.defaultChannel)) this.#p.defaultChannel.landed();
    queues.parentDone(job.thread);
    queues.learnAlias(q, at.channel);
    log.debug({ thread: job.thread, channel: at.channel, ts: at.ts }, 'Slack thread opened');
  }

  /**
   * A parent whose earlier post may have landed: looks for it (podbell's metadata in the channel's
   * recent history) and, when found, records it as delivered instead of posting a second parent.
   * Without the history (or channels:read) scope it posts again.
   */
  async foundPosted(q: ChannelQueue, job: Job): Promise<'found' | 'absent' | 'retry'> {
    const { o, log, queues } = this.#p;
    const r = await lookUpParent(this.#p.transport, job.thread, queues.idOf(job.channel!), job.channel!);
    if (!r.ok) {
      // Slack still in trouble (or asking for a pause): look again on the next attempt.
      if (r.error.retryable) return this.#refusals.handle(q, job, r.error), 'retry';
      if (this.#p.once(`history:${r.error.code}`)) {
        const why = r.error.code === 'not_in_channel' ? 'the bot is not a member of the channel: /invite it' : 'needs the channels:history, groups:history, channels:read and groups:read scopes';
        log.warn({ thread: job.thread, error: r.error.code }, `could not check whether a parent had landed (${why}); posting it again`);
      }
      return 'absent';
    }
    if (!r.res) return 'absent';
    const { channel, parent } = r.res;
    removeJob(q, job);
    this.land(q, job, { channel, ts: parent.ts });
    // Report what Slack shows: when it is older than the job's content, the book edits it.
    const message = parent.text === job.message.text ? job.message : { text: parent.text, ...(parent.blocks && { blocks: parent.blocks }) };
    log.info({ thread: job.thread, channel, ts: parent.ts }, 'the parent had landed although its answer was lost; not posting it again');
    o.onOutcome({ type: 'delivered', thread: job.thread, kind: 'parent', channel, ts: parent.ts, message });
    return 'found';
  }

  /** The permalink of the thread a new parent links (job.linkTo); the parent goes out without it when Slack does not say. */
  async lookUpLink(job: Job): Promise<void> {
    const previous = this.#p.o.store.get(job.linkTo!);
    job.linkTo = undefined;
    if (!previous) return;
    const r = await this.#p.transport.call<{ permalink?: string }>('chat.getPermalink', { channel: previous.channel, message_ts: previous.ts }, 'none');
    if (r.ok && typeof r.res.permalink === 'string') job.permalink = r.res.permalink;
    // The link is a courtesy: the new parent goes out without it.
    if (!r.ok) this.#p.log.info({ thread: job.thread, error: r.error.code }, 'could not link the previous Slack thread; posting without the link');
  }
}
