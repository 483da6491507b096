/**
 * A thread's parent landing in Slack, and what is looked up before a parent is posted: where it
 * landed is recorded once (the thread store, the channel ID learned, the default channel healthy
 * again); a parent whose earlier answer was lost is first looked for by its metadata (find-posted.ts)
 * so a slow Slack never gets two; and a parent that links the previous thread fetches its permalink.
 * Kept apart from the queueing and pumping (sender.ts): it is the one path that turns a post, or a
 * post found after the fact, into a thread replies and edits can follow.
 */
import { removeJob, type ChannelQueue, type Job } from './channel-queue.js';
import { channelIdByName, findPostedParent } from './find-posted.js';
import type { SlackApiError } from './errors.js';
import type { Refusals } from './refusals.js';
import type { SenderParts } from './sender-parts.js';

export class ParentLanding {
  readonly #p: SenderParts;
  /** Carries out what a refusal met while looking leads to. */
  readonly #refusals: Refusals;
  /**
   * Channels (queue keys) whose lookup Slack refused for good (missing_scope, not_in_channel): their
   * uncertain parents are posted again without asking, instead of one refused call each.
   */
  readonly #noLookup = new Set<string>();

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
   * Without the history (or channels:read) scope, or outside the channel, it posts again, and
   * stops asking about that channel.
   */
  async foundPosted(q: ChannelQueue, job: Job): Promise<'found' | 'absent' | 'retry'> {
    const { o, log, queues, transport } = this.#p;
    if (this.#noLookup.has(queues.key(job.channel!))) return 'absent';
    const known = queues.idOf(job.channel!);
    const id = known !== undefined ? ({ ok: true, res: known } as const) : await channelIdByName(transport, job.channel!);
    if (!id.ok) return this.#lookupFailed(q, job, id.error);
    if (id.res === undefined) return 'absent';
    if (known === undefined) {
      // Keep the ID now: a retry must not page conversations.list again.
      queues.learnAlias(q, id.res);
      // Merged into the queue the ID already had: the job waits there, to be looked up again.
      if (q.key !== id.res) return (job.uncertain = true), 'retry';
    }
    const r = await findPostedParent(transport, id.res, job.thread);
    if (!r.ok) return this.#lookupFailed(q, job, r.error);
    if (!r.res) return 'absent';
    const channel = id.res;
    const parent = r.res;
    removeJob(q, job);
    this.land(q, job, { channel, ts: parent.ts });
    // Report what Slack shows: when it is older than the job's content, the book edits it.
    const message = parent.text === job.message.text ? job.message : { text: parent.text, ...(parent.blocks && { blocks: parent.blocks }) };
    log.info({ thread: job.thread, channel, ts: parent.ts }, 'the parent had landed although its answer was lost; not posting it again');
    o.onOutcome({ type: 'delivered', thread: job.thread, kind: 'parent', channel, ts: parent.ts, message });
    return 'found';
  }

  /** Slack refused the lookup: a pause when it is in trouble, else the parent is posted again (and, when the refusal will last, without asking next time). */
  #lookupFailed(q: ChannelQueue, job: Job, error: SlackApiError): 'absent' | 'retry' {
    // Slack still in trouble (or asking for a pause): look again on the next attempt.
    if (error.retryable) return this.#refusals.handle(q, job, error), 'retry';
    if (error.code === 'missing_scope' || error.code === 'not_in_channel') this.#noLookup.add(this.#p.queues.key(job.channel!));
    if (this.#p.once(`history:${error.code}`)) {
      const why = error.code === 'not_in_channel' ? 'the bot is not a member of the channel: /invite it' : 'needs the channels:history, groups:history, channels:read and groups:read scopes';
      this.#p.log.warn({ thread: job.thread, error: error.code }, `could not check whether a parent had landed (${why}); posting it again`);
    }
    return 'absent';
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
