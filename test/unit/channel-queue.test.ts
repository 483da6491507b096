// One channel's queue decides what Slack hears first: in a storm, the parents and the storm parent's
// edits (naming the workloads that joined) go before the replies queued earlier.
import { VirtualClock } from '../../src/clock.js';
import { newChannelQueue, newJob, pickNext, removeJob, type Job } from '../../src/adapters/slack/channel-queue.js';

function order(jobs: Job[]): string[] {
  const q = newChannelQueue('#alerts', 1, new VirtualClock(0), () => {});
  q.jobs.push(...jobs);
  const sent: string[] = [];
  for (let next = pickNext(q, 0, () => true, () => undefined); typeof next === 'object'; next = pickNext(q, 0, () => true, () => undefined)) {
    sent.push(`${next.kind} ${next.thread}`);
    removeJob(q, next);
  }
  return sent;
}

describe('channel queue order', () => {
  test('parents first, then edits (a storm parent naming new members), then replies, each in arrival order', () => {
    const text = (t: string) => ({ text: t });
    const jobs = [newJob('reply', 't1', text('crash')), newJob('reply', 't2', text('crash')), newJob('edit', 's9', text('🚨 12 workloads')), newJob('reply', 't1', text('oom')), newJob('parent', 't12', text('🔴 etl-12')), newJob('edit', 't1', text('🔴 etl-01'))];
    expect(order(jobs)).toEqual(['parent t12', 'edit s9', 'edit t1', 'reply t1', 'reply t2', 'reply t1']);
  });
});
