/**
 * The fake Slack of `npm run bench`, in a process of its own. In the parent it shared an event loop
 * with the simulated API server, whose major GCs (a heap of 10,000 7.5 KB pods and their history)
 * stalled that loop for 30-150 ms at a time, and every request arriving then was stamped late:
 * the harness's pauses showed up as podbell's latency. Here nothing else runs, so the arrival time
 * is when the bot's request reached Slack. Times are epoch ms with sub-millisecond precision
 * (performance.timeOrigin + performance.now()), comparable with the parent's.
 *
 * Driven over the IPC channel: see SlackRequest in protocol.ts.
 */
import { systemClock } from '../src/clock.js';
import { FakeSlack } from '../test/fakes/slack.js';
import type { SlackRequest } from './protocol.js';

const preciseNow = () => performance.timeOrigin + performance.now();
const slack = await FakeSlack.start({ clock: { now: preciseNow, setTimer: systemClock.setTimer } });
const send = (m: unknown) => process.send?.(m);
send({ type: 'ready', url: slack.url, token: slack.token });

process.on('message', (m: SlackRequest) => {
  switch (m.type) {
    case 'clear':
      slack.clearRequests();
      return send({ type: 'cleared', id: m.id });
    case 'posts':
      return send({
        type: 'posts',
        id: m.id,
        posts: slack.requestsFor('chat.postMessage').map((q) => ({ text: String(q.params.text ?? ''), threadTs: q.params.thread_ts === undefined ? undefined : String(q.params.thread_ts), time: q.time })),
      });
    case 'close':
      void slack.close().then(() => process.exit(0));
      return undefined;
  }
});
