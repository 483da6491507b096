import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { systemClock } from '../../src/clock.js';
import { demoCommand, demoEnv } from '../../src/commands/demo.js';
import type { CommandIO } from '../../src/commands/types.js';
import { loadConfig } from '../../src/config.js';
import { runDemo } from '../../src/demo/run.js';
import { silentLogger } from '../../src/log.js';
import { FakeSlack } from '../fakes/slack.js';
import { podbell } from '../support/cli.js';

// `podbell demo` to its end: the real bot against the in-process sim, judged on what the terminal
// shows (the Slack calls, one block each, append-only when stdout is not a TTY) and on its summary.

interface Entry {
  readonly channel: string;
  readonly kind: 'parent' | 'reply' | 'edit';
  /** First line after the channel, then the continuation lines. */
  readonly text: string;
}

interface Transcript {
  readonly entries: Entry[];
  readonly narration: string[];
  readonly summary: string;
}

/** Splits the demo's output into Slack calls, `▸` narration and the summary. */
function parse(out: string): Transcript {
  const [body = '', summary = ''] = out.split(/\n(?=── summary)/);
  const entries: { channel: string; kind: Entry['kind']; lines: string[] }[] = [];
  const narration: string[] = [];
  for (const line of body.split('\n')) {
    const call = /^\[\d\d:\d\d:\d\d\] (#[\w-]+) {2}(.*)$/.exec(line);
    if (call) {
      const rest = call[2]!;
      const kind = rest.startsWith('✎ ') ? 'edit' : rest.startsWith('  └ ') ? 'reply' : 'parent';
      entries.push({ channel: call[1]!, kind, lines: [rest.trim()] });
    } else if (/^\[\d\d:\d\d:\d\d\] ▸ /.test(line)) narration.push(line);
    else if (line.startsWith(' ') && entries.length > 0) entries.at(-1)!.lines.push(line.trim());
    else if (line.trim() !== '') throw new Error(`unexpected line in the demo's output: ${JSON.stringify(line)}`);
  }
  return { entries: entries.map((e) => ({ channel: e.channel, kind: e.kind, text: e.lines.join('\n') })), narration, summary };
}

function summaryCounts(summary: string) {
  const slack = /^Slack: (\d+) top-level posts? · (\d+) thread repl(?:y|ies) · (\d+) edits? in place$/m.exec(summary);
  const naive = /^naive bot \(one message per failure\): (\d+) top-level posts? · podbell: (\d+)$/m.exec(summary);
  const muted = /(\d+) in muted namespace legacy, never posted/.exec(summary);
  if (!slack || !naive || !muted) throw new Error(`summary lines missing in:\n${summary}`);
  return { top: Number(slack[1]), replies: Number(slack[2]), edits: Number(slack[3]), naive: Number(naive[1]), podbellTop: Number(naive[2]), muted: Number(muted[1]) };
}

function captureIO(env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io: CommandIO = {
    stdin: Readable.from([]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
  };
  return { io, out: () => out, err: () => err };
}

describe('podbell demo, in process at --speed 20', () => {
  let status: number;
  let t: Transcript;
  let stderr: string;

  beforeAll(async () => {
    const c = captureIO();
    status = await demoCommand(['--speed', '20'], c.io);
    stderr = c.err();
    t = parse(c.out());
  });

  test('ends by itself with exit 0, no warnings, and a summary', () => {
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(t.summary).toMatch(/^── summary · [\d.]+s at speed 20 ──/);
  });

  test("the summary's counts are the Slack calls the terminal shows", () => {
    const n = summaryCounts(t.summary);
    const shown = (kind: Entry['kind']) => t.entries.filter((e) => e.kind === kind).length;
    expect({ top: n.top, replies: n.replies, edits: n.edits }).toEqual({ top: shown('parent'), replies: shown('reply'), edits: shown('edit') });
    expect(n.podbellTop).toBe(n.top);
    // The point of the demo: far fewer top-level posts than failures.
    expect(n.naive).toBeGreaterThan(3 * n.top);
  });

  test.each([
    ['checkout', 'CrashLoopBackOff'],
    ['worker', 'OOMKilled'],
    ['api', 'ImagePullBackOff'],
  ])('%s failing with %s is one thread in #alerts', (workload, reason) => {
    const parents = t.entries.filter((e) => e.kind === 'parent' && e.text.split('\n')[0]!.includes(`${workload} · Deployment`));
    expect(parents).toHaveLength(1);
    expect(parents[0]!.channel).toBe('#alerts');
    expect(parents[0]!.text).toContain(reason);
  });

  test('a mute by button on api: the parent says who, its crash loop is not posted while muted, the unmute says what still fails', () => {
    const apiTexts = t.entries.filter((e) => e.text.includes('api · Deployment') || e.text.includes('(in 🔴 api')).map((e) => e.text);
    const muted = apiTexts.findIndex((x) => x.startsWith('└ 🔕 @U0ONCALL muted this workload until'));
    const unmuted = apiTexts.findIndex((x) => x.startsWith('└ 🔔 @U0ONCALL unmuted this incident: still failing: 2 of 2 pods'));
    expect(muted).toBeGreaterThan(0);
    expect(unmuted).toBeGreaterThan(muted);
    expect(apiTexts.slice(muted, unmuted).some((x) => x.includes('🔕 muted by @U0ONCALL until'))).toBe(true);
    expect(apiTexts.slice(muted, unmuted).filter((x) => (x.includes('CrashLoopBackOff') || x.includes('Error (exit')))).toEqual([]);
    expect(apiTexts.slice(unmuted).some((x) => x.includes('Error (exit 1) ×') && !x.includes('muted by'))).toBe(true);
  });

  test('the muted namespace fails (the story says so) but never reaches Slack', () => {
    expect(t.narration.join('\n')).toContain('report-builder');
    expect(summaryCounts(t.summary).muted).toBeGreaterThan(0);
    const slack = t.entries.map((e) => e.text).join('\n');
    expect(slack).not.toContain('report-builder');
    expect(slack).not.toContain('legacy');
  });

  test('why it failed: the crash shows its log tail, the probe failure its cause line and folded Warning Events', () => {
    const checkoutReply = t.entries.find((e) => e.kind === 'reply' && e.text.includes('checkout-'))!;
    expect(checkoutReply.text).toContain('Error: connect ECONNREFUSED 10.0.3.7:5432');
    const cart = t.entries.filter((e) => e.channel === '#alerts' && e.text.includes('cart'));
    expect(cart.find((e) => e.kind === 'parent')?.text).toContain('cause: killed by its liveness probe');
    expect(cart.find((e) => e.kind === 'reply')?.text).toContain('Unhealthy ×3: Liveness probe failed');
  });

  test('the storm of 14 workloads makes at most STORM_THRESHOLD + 2 top-level posts, one a storm parent listing all of them', () => {
    const batch = t.entries.filter((e) => e.channel === '#alerts-batch');
    const top = batch.filter((e) => e.kind === 'parent');
    expect(top.length).toBeLessThanOrEqual(5 + 2);
    const storm = top.filter((e) => e.text.startsWith('🚨'));
    expect(storm).toHaveLength(1);
    const lastStormEdit = batch.filter((e) => e.kind === 'edit' && e.text.startsWith('✎ 🚨')).at(-1);
    expect(lastStormEdit?.text).toMatch(/^✎ 🚨 14 workloads/);
    for (let i = 1; i <= 14; i++) expect(lastStormEdit?.text).toContain(`etl-${String(i).padStart(2, '0')} · Deployment · batch`);
  });

  test("checkout's recovery resolves its thread in place: the parent's last edit says Resolved, and the thread says recovered", () => {
    const checkout = t.entries.filter((e) => e.channel === '#alerts' && e.text.split('\n')[0]!.includes('checkout · Deployment · shop'));
    const edits = checkout.filter((e) => e.kind === 'edit');
    expect(edits.at(-1)?.text).toMatch(/^✎ ✅ Resolved · checkout · Deployment · shop/);
    expect(checkout.some((e) => e.kind === 'reply' && /✅ recovered at/.test(e.text))).toBe(true);
    // Resolved in place: still the one thread.
    expect(checkout.filter((e) => e.kind === 'parent')).toHaveLength(1);
  });
});

describe('podbell demo on a terminal', () => {
  test('redraws the channels in place, threads collapsed, the last screen showing checkout resolved and the whole storm', async () => {
    let out = '';
    const io: CommandIO = { stdin: Readable.from([]), stdout: { write: (s: string) => (out += s), isTTY: true } as CommandIO['stdout'], stderr: { write: () => true }, env: {} };
    expect(await demoCommand(['--speed', '20'], io)).toBe(0);
    const frames = out.split('\u001b[H\u001b[2J\u001b[3J');
    expect(frames.length).toBeGreaterThan(5);
    // eslint-disable-next-line no-control-regex
    const last = frames.at(-1)!.replace(/\u001b\[[0-9;]*m/g, '');
    expect(frames.at(-1)).toContain('\u001b[1m');
    const [channels = '', rest = ''] = last.split('── cluster ──');
    expect(channels).toMatch(/^podbell demo · Slack as it would look · speed 20/);
    expect(channels).toMatch(/^\[\d\d:\d\d:\d\d\] ✅ Resolved · checkout · Deployment · shop .*\(edited \d+×/m);
    expect(channels).toMatch(/^\[\d\d:\d\d:\d\d\] 🚨 14 workloads started failing/m);
    expect(channels).toMatch(/└ \[\d\d:\d\d:\d\d\] … \d+ earlier replies/);
    expect(channels).not.toContain('report-builder');
    expect(rest).toContain('▸ story over');
    expect(rest).toMatch(/^Slack: \d+ top-level posts/m);
  });
});

describe('podbell demo (the real CLI)', () => {
  test('runs to its end at --speed 20 with exit 0 and the summary; the environment overrides the demo windows', async () => {
    const run = podbell(['demo', '--speed', '20'], { STORM_THRESHOLD: '3' });
    expect(await run.exit).toBe(0);
    const t = parse(run.stdout());
    expect(t.narration.join('\n')).toContain('STORM_THRESHOLD 3');
    const n = summaryCounts(t.summary);
    expect(n.top).toBe(t.entries.filter((e) => e.kind === 'parent').length);
    expect(t.entries.filter((e) => e.channel === '#alerts-batch' && e.kind === 'parent').length).toBeLessThanOrEqual(3 + 2);
  });

  test.each([
    [['--speed', '0'], 2, /--speed 0: must be a number above 0 and at most 1000/],
    [['--speed'], 2, /--speed : must be a number above 0/],
    [['--fast'], 2, /unexpected argument "--fast"/],
    [['--help'], 0, /usage: podbell demo \[--speed N\]/],
  ])('podbell demo %j: exit %i', async (args, code, message) => {
    const c = captureIO();
    expect(await demoCommand(args, c.io)).toBe(code);
    expect(c.out() + c.err()).toMatch(message);
  });

  test('a Slack token without SLACK_CHANNEL is refused before anything is posted', async () => {
    const c = captureIO({ SLACK_BOT_TOKEN: 'xoxb-1-demo-token' });
    expect(await demoCommand([], c.io)).toBe(2);
    expect(c.err()).toContain('set SLACK_CHANNEL');
  });
});

describe('podbell demo posting to Slack (a loopback fake of the Web API)', () => {
  let slack: FakeSlack;
  afterEach(async () => slack.close());

  test('every thread lands in SLACK_CHANNEL as counted, the muted namespace never does, checkout ends resolved', async () => {
    slack = await FakeSlack.start({ channels: ['#demo'] });
    const config = loadConfig(demoEnv({ SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, SLACK_CHANNEL: '#demo' }));
    const registry = new Registry();
    const log = silentLogger();
    // Slack's real budgets (1 post/s per channel) would make this a minute long; the fake has none.
    const sender = new SlackSender({ token: slack.token, apiUrl: slack.url, defaultChannel: '#demo', clock: systemClock, log, registry, store: new MemoryThreadStore(), postsPerSecond: 500, updatesPerMinute: 60_000 });
    let shown = '';
    const summary = await runDemo({ config, speed: 20, log, registry, write: (s) => (shown += s), redraw: false, color: false, slack: sender });

    const threads = slack.threads('#demo');
    expect(threads).toHaveLength(summary.topLevelPosts);
    expect(threads.reduce((n, t) => n + t.replies.length, 0)).toBe(summary.replies);
    expect(summary.slackRequests).toEqual({ posts: summary.topLevelPosts + summary.replies, edits: summary.edits, failed: 0 });
    // Parents in the storm thread are replies: their edits count too.
    expect(threads.reduce((n, t) => n + t.edits + t.replies.reduce((m, r) => m + r.edits, 0), 0)).toBe(summary.edits);
    const everything = threads.flatMap((t) => [t.text, ...t.replies.map((r) => r.text)]).join('\n');
    expect(everything).not.toContain('report-builder');
    expect(threads.find((t) => t.text.includes('checkout · Deployment · shop'))?.text).toMatch(/^✅ Resolved · checkout/);
    // The terminal still tells the story and shows what was sent.
    expect(shown).toContain('podbell is watching and posting to Slack #demo');
    expect(shown).toContain('▸ shop/checkout: all 3 replicas start crash-looping');
    expect(shown).toContain('#demo  🔴 checkout · Deployment · shop');
  });
});
