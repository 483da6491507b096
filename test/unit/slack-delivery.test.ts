/**
 * The sender's half of the delivery loop: one outcome per message, and a parent whose answer was lost
 * is looked up (podbell's message metadata in the channel's history) before it is posted again.
 */
import type { Delivery } from '../../src/ports.js';
import { PARENT_EVENT_TYPE } from '../../src/adapters/slack/find-posted.js';
import { Registry } from 'prom-client';
import { silentLogger } from '../../src/log.js';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { edit, harness, parent, reply, type Harness } from './slack-harness.js';

let h: Harness;
afterEach(async () => h?.close());

const summary = (o: Delivery) => (o.type === 'delivered' ? `delivered ${o.kind} ${o.thread}` : `failed ${o.kind} ${o.thread} ${o.cause}`);

async function rig(extra: Parameters<typeof harness>[0] = {}) {
  const outcomes: Delivery[] = [];
  h = await harness({ ...extra, fake: { channels: ['#alerts', '#shop'], ...extra.fake }, sender: { onOutcome: (d) => outcomes.push(d), ...extra.sender } });
  return outcomes;
}

describe('every message ends in exactly one outcome', () => {
  test('an edit collapsed into its unsent parent is reported once, as the parent with the newest content', async () => {
    const outcomes = await rig();
    h.sender.send(parent('t', '#shop', 'v0'));
    h.sender.send(edit('t', 'v1'));
    await h.drain();
    expect(outcomes).toEqual([expect.objectContaining({ type: 'delivered', kind: 'parent', message: expect.objectContaining({ text: 'v1' }) })]);
  });

  test('delivered: parent, reply and edit, with the channel ID and ts Slack answered', async () => {
    const outcomes = await rig();
    h.sender.send(parent('t', '#shop', 'v0'));
    h.sender.send(reply('t', 'r'));
    await h.drain();
    h.sender.send(edit('t', 'v1'));
    await h.drain();
    const shop = h.slack.channelId('#shop');
    const [p] = h.slack.threads('#shop');
    expect(outcomes.map(summary)).toEqual(['delivered parent t', 'delivered reply t', 'delivered edit t']);
    expect(outcomes[0]).toMatchObject({ channel: shop, ts: p!.ts, message: { text: 'v0' } });
    expect(outcomes[1]).toMatchObject({ channel: shop, ts: p!.replies[0]!.ts });
    expect(outcomes[2]).toMatchObject({ channel: shop, ts: p!.ts, message: { text: 'v1' } });
  });

  test('failed for good: a refused parent, and the reply and edit of a thread that never landed', async () => {
    const outcomes = await rig();
    h.slack.archiveChannel('#shop');
    h.slack.archiveChannel('#alerts');
    h.sender.send(parent('t', '#shop', 'x'));
    h.sender.send(reply('t', 'r'));
    await h.drain();
    h.sender.send(edit('t', 'x2'));
    h.sender.send(reply('u', 'orphan'));
    await h.drain();
    expect(outcomes.map(summary)).toEqual(['failed parent t is_archived', 'failed reply t no_thread', 'failed edit t no_thread', 'failed reply u no_thread']);
  });

  test('parents carry podbell metadata naming their thread', async () => {
    await rig();
    h.sender.send(parent('t7', '#shop', 'x'));
    await h.drain();
    expect(h.slack.requestsFor('chat.postMessage')[0]!.params.metadata).toEqual({ event_type: PARENT_EVENT_TYPE, event_payload: { thread: 't7' } });
  });
});

describe('defect 5: a slow answer never makes a second parent', () => {
  test('Slack posts but answers after the client timeout: found in the history, recorded, not posted again', async () => {
    const outcomes = await rig({ sender: { requestTimeoutMs: 100 } });
    h.slack.failNext('chat.postMessage', { lateMs: 1000 }, { channel: '#shop' });
    h.sender.send(parent('t', '#shop', 'checkout failing'));
    h.sender.send(reply('t', 'pod a'));
    await h.drain();
    const shown = h.slack.threads('#shop');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ text: 'checkout failing', replies: [{ text: 'pod a' }] });
    expect(h.store.get('t')).toMatchObject({ channel: h.slack.channelId('#shop'), ts: shown[0]!.ts });
    expect(outcomes.map(summary)).toEqual(['delivered parent t', 'delivered reply t']);
    expect(h.slack.requestsFor('conversations.history')).toHaveLength(1);
  });

  test('a parent marked maybePosted (a restart) that is already in Slack is found, not posted twice', async () => {
    await rig();
    h.sender.send(parent('t3', '#shop', 'before the restart'));
    await h.drain();
    // A new process: no thread refs, no channel IDs learned; the book re-sends what it never saw accepted.
    const outcomes: Delivery[] = [];
    const next = new SlackSender({
      token: h.slack.token, apiUrl: h.slack.url, defaultChannel: '#alerts', clock: h.clock, log: silentLogger(),
      registry: new Registry(), store: new MemoryThreadStore(), onOutcome: (d) => outcomes.push(d),
    });
    next.send(parent('t3', '#shop', 'before the restart', { maybePosted: true }));
    await next.flush(60_000);
    next.stop();
    expect(h.slack.requestsFor('chat.postMessage')).toHaveLength(1);
    expect(outcomes).toEqual([expect.objectContaining({ type: 'delivered', thread: 't3', ts: h.slack.threads('#shop')[0]!.ts })]);
  });

  test('maybePosted but not in Slack: posted once', async () => {
    const outcomes = await rig();
    h.sender.send(parent('t', '#shop', 'x', { maybePosted: true }));
    await h.drain();
    expect(h.slack.threads('#shop')).toHaveLength(1);
    expect(outcomes.map(summary)).toEqual(['delivered parent t']);
  });

  test('without the history scope it posts again (the lookup is best effort), logging why once', async () => {
    const outcomes = await rig();
    h.slack.failNext('conversations.history', { error: 'missing_scope', extra: { needed: 'channels:history' } });
    h.sender.send(parent('t', '#shop', 'x', { maybePosted: true }));
    await h.drain();
    expect(h.slack.threads('#shop')).toHaveLength(1);
    expect(outcomes.map(summary)).toEqual(['delivered parent t']);
    expect(h.logs().filter((l) => l.component === 'slack' && String(l.msg).includes('channels:history'))).toHaveLength(1);
  });
});

describe('the lookup of a possibly-posted parent asks Slack no more than it must', () => {
  test('a #name resolved by conversations.list is kept although no parent was found: the retry reads the history only', async () => {
    const outcomes = await rig({ sender: { requestTimeoutMs: 100 } });
    h.slack.failNext('chat.postMessage', { lateMs: 1000 }, { channel: '#shop' });
    h.sender.send(parent('t', '#shop', 'x', { maybePosted: true }));
    await h.drain();
    expect(h.slack.threads('#shop')).toHaveLength(1);
    expect(outcomes.map(summary)).toEqual(['delivered parent t']);
    expect(h.slack.requestsFor('conversations.history')).toHaveLength(2);
    expect(h.slack.requestsFor('conversations.list')).toHaveLength(1);
  });

  test.each(['missing_scope', 'not_in_channel'])('history refused with %s: later uncertain parents of that channel post without asking again', async (error) => {
    const outcomes = await rig();
    h.slack.failNext('conversations.history', { error });
    h.sender.send(parent('t1', '#shop', 'one', { maybePosted: true }));
    await h.drain();
    h.sender.send(parent('t2', '#shop', 'two', { maybePosted: true }));
    await h.drain();
    expect(h.slack.threads('#shop')).toHaveLength(2);
    expect(outcomes.map(summary)).toEqual(['delivered parent t1', 'delivered parent t2']);
    expect(h.slack.requestsFor('conversations.history')).toHaveLength(1);
    // Another channel is still looked up.
    h.sender.send(parent('t3', '#alerts', 'three', { maybePosted: true }));
    await h.drain();
    expect(h.slack.requestsFor('conversations.history')).toHaveLength(2);
  });
});

describe('the default channel refusing podbell (issue 16)', () => {
  test('told once with the /invite hint, shown as a problem and a metric, cleared once a post lands there', async () => {
    await rig();
    h.slack.failNext('chat.postMessage', { error: 'not_in_channel' }, { channel: '#alerts', times: 2 });
    h.sender.send(parent('t1', '#alerts', 'one'));
    h.sender.send(parent('t2', '#alerts', 'two'));
    await h.drain();
    expect(h.sender.problem()).toMatch(/default channel #alerts \(not_in_channel\).*\/invite @podbell/);
    expect(await h.metric('podbell_slack_default_channel_refused')).toBe(1);
    expect(h.logs().filter((l) => String(l.msg).includes('/invite @podbell'))).toHaveLength(1);
    h.sender.send(parent('t3', '#alerts', 'three'));
    await h.drain();
    expect(h.sender.problem()).toBeUndefined();
    expect(await h.metric('podbell_slack_default_channel_refused')).toBe(0);
  });
});

test('/readyz shows the warning under "ready" and stays 200', async () => {
  const { startHealthServer } = await import('../../src/http.js');
  const server = await startHealthServer({ host: '127.0.0.1', port: 0, registry: new Registry(), ready: () => true, warning: () => 'invite the bot' });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ready\nwarning: invite the bot\n');
  } finally {
    await server.close();
  }
});
