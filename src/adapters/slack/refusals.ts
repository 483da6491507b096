/**
 * What the sender does once Slack refuses a message: carries out the action table's answer
 * (actions.ts decides; this module acts): pause the channel for a 429, back off and retry, resend as
 * plain text, move the thread to the default channel, or give up and report the failure, dropping
 * what can then never land. Kept apart from the queueing and pumping (sender.ts) because every
 * recovery touches the queues, the metrics and the listener in its own careful order.
 */
import { backoffDelay } from '../../backoff.js';
import { actionFor } from './actions.js';
import { dropThreadJobs, removeJob, rerouteThread, type ChannelQueue, type Job } from './channel-queue.js';
import { authAdvice, isChannelError, type SlackApiError } from './errors.js';
import type { SenderParts } from './sender-parts.js';

export class Refusals {
  readonly #p: SenderParts;

  constructor(parts: SenderParts) {
    this.#p = parts;
  }

  /** Slack refused `job` (queued in `q`) with `e`: what happens next is the action table's answer. */
  handle(q: ChannelQueue, job: Job, e: SlackApiError): void {
    const { o, log, metrics, queues } = this.#p;
    const now = o.clock.now();
    const where = { channel: q.key, thread: job.thread, kind: job.kind, error: e.code };
    const inDefaultChannel = job.fellBack || queues.key(o.defaultChannel) === q.key;
    const action = actionFor(e, { kind: job.kind, plain: job.plain, inDefaultChannel });
    switch (action.do) {
      case 'pause':
        q.notBefore = Math.max(q.notBefore, now + action.ms);
        metrics.rateLimited.inc({ channel: q.key });
        return void log.warn({ ...where, retryAfterMs: action.ms }, 'Slack rate limit: pausing this channel');
      case 'retry': {
        // The post may have landed (a timeout or reset after Slack took it): look before posting again.
        if (job.kind === 'parent') job.uncertain = true;
        const wait = Math.round(backoffDelay(q.failures++, o.minBackoffMs, o.maxBackoffMs, o.random));
        q.notBefore = Math.max(q.notBefore, now + wait);
        if ((q.failures & (q.failures - 1)) === 0) log.warn({ ...where, failures: q.failures, retryInMs: wait, detail: e.message }, 'Slack request failed; retrying');
        return;
      }
      case 'plain':
        job.plain = true;
        metrics.fallbacks.inc({ kind: 'plain_text' });
        return void log.warn(where, 'Slack refused the message blocks; resending as plain text');
      case 'reroute':
        return this.#reroute(q, queues.get(o.defaultChannel), job, e);
      case 'give_up':
        if (action.auth && this.#p.once(`auth:${e.code}`)) log.error({ error: e.code }, authAdvice(e.code));
        return this.#giveUp(q, job, e, action.cause);
    }
  }

  /** The channel refused a parent (or the edit of one): the thread goes on in the default channel. */
  #reroute(q: ChannelQueue, target: ChannelQueue, job: Job, e: SlackApiError): void {
    const { o, log, metrics, queues } = this.#p;
    log.error(
      { channel: q.key, thread: job.thread, kind: job.kind, error: e.code, fallback: o.defaultChannel },
      `Slack refused channel ${q.key} (${e.code}): invite the bot there (/invite @podbell) or fix the route; sending to ${o.defaultChannel} instead`,
    );
    metrics.fallbacks.inc({ kind: 'default_channel' });
    rerouteThread(job, q, target, o.defaultChannel);
    queues.parentWaits(job.thread, target);
  }

  #giveUp(q: ChannelQueue, job: Job, e: SlackApiError, cause: string): void {
    const { o, log, metrics, queues } = this.#p;
    removeJob(q, job);
    if (cause === 'message_gone') {
      metrics.fallbacks.inc({ kind: 'new_parent' });
      log.warn({ channel: q.key, thread: job.thread, error: e.code }, 'cannot edit the Slack parent; the incident gets a new parent');
      // Until the new parent lands, the thread's replies wait for it instead of going to the lost one.
      queues.parentWaits(job.thread, q);
      return this.#p.failed(job.thread, 'edit', cause);
    }
    if (job.kind === 'parent' && isChannelError(e.code) && q.key === queues.key(o.defaultChannel)) this.#p.defaultChannel.refused(e.code);
    if (job.kind === 'reply' && isChannelError(e.code)) metrics.fallbacks.inc({ kind: 'reply_dropped' });
    else metrics.fallbacks.inc({ kind: 'given_up' });
    log.error({ channel: q.key, thread: job.thread, kind: job.kind, error: e.code, detail: e.message }, 'Slack refused a message; giving up on it');
    this.#p.failed(job.thread, job.kind, cause);
    if (job.kind === 'parent') this.#dropThread(job.thread);
  }

  /** A parent given up: its queued replies and edits can never land. (The book gives a refused storm parent's members their own.) */
  #dropThread(thread: string): void {
    const { o, metrics, queues } = this.#p;
    queues.parentDone(thread);
    if (o.store.get(thread)) return;
    for (const j of dropThreadJobs(queues.values(), thread)) {
      metrics.fallbacks.inc({ kind: 'orphan_dropped' });
      this.#p.failed(j.thread, j.kind, 'no_thread');
    }
  }
}
