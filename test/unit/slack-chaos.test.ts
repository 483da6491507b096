/**
 * Whatever Slack does (429s, 5xx, resets, outages of minutes), once it recovers every parent shows
 * the latest state sent for it and nothing was posted twice. Seeded, so failures are reproducible.
 */
import type { Outgoing } from '../../src/core/outgoing.js';
import { edit, harness, parent, reply, seeded, type Harness } from './slack-harness.js';

let h: Harness;
afterEach(async () => h?.close());

const CHANNELS = ['#alerts', '#shop', '#data'];

test.each([1, 2, 3, 4, 5])('seed %i: after recovery parents show the true totals, nothing twice', async (seed) => {
  const rnd = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  h = await harness({ sender: { random: seeded(seed + 100), maxQueuedReplies: 1000, postsPerSecond: 2 } });

  const latest = new Map<string, string>(); // thread -> text the parent must end with
  const replies = new Map<string, string[]>(); // thread -> replies in order
  const home = new Map<string, string>(); // thread -> channel
  const threads: string[] = [];
  let n = 0;

  for (let step = 0; step < 60; step++) {
    // Slack misbehaves.
    const r = rnd();
    const channel = pick(CHANNELS);
    if (r < 0.15) h.slack.rateLimit(channel, 1 + Math.floor(rnd() * 40));
    else if (r < 0.25) h.slack.failNext(pick(['chat.postMessage', 'chat.update']), { status: pick([500, 502, 503]) }, { times: 1 + Math.floor(rnd() * 3) });
    else if (r < 0.3) h.slack.failNext(pick(['chat.postMessage', 'chat.update']), { reset: true });
    else if (r < 0.35) h.slack.failNext('chat.postMessage', { retryAfter: 1 + Math.floor(rnd() * 10) }, { channel });
    else if (r < 0.38) h.slack.outage(60_000 * (1 + Math.floor(rnd() * 4)));

    // The incident book speaks.
    const burst = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < burst; i++) {
      const kind = threads.length === 0 ? 0 : rnd();
      let m: Outgoing;
      if (kind < 0.25) {
        const thread = `t${threads.length}`;
        const ch = pick(CHANNELS);
        threads.push(thread);
        home.set(thread, ch);
        replies.set(thread, []);
        const text = `${thread} v${n++}`;
        latest.set(thread, text);
        m = parent(thread, ch, text);
      } else if (kind < 0.6) {
        const thread = pick(threads);
        const text = `${thread} r${n++}`;
        replies.get(thread)!.push(text);
        m = reply(thread, text);
      } else {
        const thread = pick(threads);
        const text = `${thread} v${n++}`;
        latest.set(thread, text);
        m = edit(thread, text);
      }
      h.sender.send(m);
    }
    await h.runUntil(h.clock.now() + Math.floor(rnd() * 20_000));
  }
  await h.drain();

  // Slack did misbehave, in more than one way.
  const failures = new Set(h.slack.requests.filter((x) => x.outcome !== 'ok').map((x) => x.outcome));
  expect(failures.size).toBeGreaterThanOrEqual(2);

  const seen = h.slack.threads();
  // One parent per thread, in its own channel, showing the last state sent.
  expect(seen).toHaveLength(threads.length);
  for (const thread of threads) {
    const ref = h.store.get(thread)!;
    const msg = h.slack.message(ref.channel, ref.ts)!;
    expect(msg.channelName).toBe(home.get(thread));
    expect(msg.text).toBe(latest.get(thread));
    expect(msg.replies.map((x) => x.text)).toEqual(replies.get(thread));
  }
  // Nothing posted twice.
  const posted = h.slack.requestsFor('chat.postMessage').filter((x) => x.outcome === 'ok').map((x) => x.params.text);
  expect(new Set(posted).size).toBe(posted.length);
  // No request reached a channel inside a pause Slack had asked for.
  const pausedUntil = new Map<string, number>();
  for (const req of h.slack.requests) {
    const key = req.channelId ?? String(req.params.channel);
    expect(req.time).toBeGreaterThanOrEqual(pausedUntil.get(key) ?? 0);
    if (req.retryAfter !== undefined) pausedUntil.set(key, req.time + req.retryAfter * 1000);
  }
});
