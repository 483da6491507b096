/**
 * The measured process of `npm run bench`. Runs apart from the simulated API server and the fake Slack
 * (which live in the parent), so its CPU time and resident memory are podbell's alone.
 *
 *   bot:  podbell as `podbell run` builds it (config, sender, Bot, health server), talking to the sim.
 *   poll: the polling approach for comparison: LIST every pod every interval, parse and inspect all.
 *
 * The parent drives it over the IPC channel (see ChildRequest). Started with --expose-gc.
 */
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { getHeapSpaceStatistics } from 'node:v8';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createSender } from '../src/adapters/slack/create.js';
import { MemoryThreadStore } from '../src/adapters/store/memory.js';
import { Bot } from '../src/app.js';
import { DeliveryRelay } from '../src/ports.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { detect } from '../src/core/detect.js';
import { projectPod } from '../src/core/pod.js';
import { startHealthServer } from '../src/http.js';
import { createLogger } from '../src/log.js';
import { simKubeConfig } from '../src/sim/index.js';
import type { ChildRequest, ChildSetup, CpuSample, MemSample } from './protocol.js';

const setup = JSON.parse(process.argv[2] ?? '{}') as ChildSetup;
const send = (m: unknown) => process.send?.(m);
const gc = (globalThis as { gc?: () => void }).gc;

const cpu = (): CpuSample => {
  const u = process.cpuUsage();
  return { cpuMicros: u.user + u.system, wallMs: performance.now() };
};

function mem(): MemSample {
  // Twice: the first pass may leave weak/finalizable garbage for the second.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  return { rss: m.rss, peakRss: process.resourceUsage().maxRSS * 1024, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, spaces, gc: gc !== undefined };
}

/** CPU of JSON.parse alone over the exact bytes the bot was sent: the floor of any watch consumer. */
function floor(file: string, passes: number): { perEventMicros: number[]; events: number; bytes: number } {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  let bytes = 0;
  for (const l of lines) bytes += l.length;
  const perEventMicros: number[] = [];
  let sink = 0;
  for (let p = 0; p < passes; p++) {
    const a = process.cpuUsage();
    for (const l of lines) sink += (JSON.parse(l) as { type: string }).type.length;
    const b = process.cpuUsage(a);
    perEventMicros.push((b.user + b.system) / lines.length);
  }
  if (sink < 0) console.log(sink);
  return { perEventMicros, events: lines.length, bytes };
}

/** Profiles the CPU until the returned function is called with the .cpuprofile file to write. */
function startProfile(): (file: string) => void {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  return (file) =>
    session.post('Profiler.stop', (err, r) => {
      if (!err) writeFileSync(file, JSON.stringify(r.profile));
      session.disconnect();
    });
}

async function startBot(): Promise<void> {
  const config = loadConfig({
    SLACK_BOT_TOKEN: setup.slackToken!,
    SLACK_API_URL: setup.slackUrl!,
    SLACK_CHANNEL: '#alerts',
    CLUSTER_NAME: 'bench',
    GROUP_WAIT: '0',
    // Every latency sample must be a parent of its own, not a line in a storm thread.
    STORM_THRESHOLD: '10000',
    LOG_LEVEL: 'warn',
  });
  const log = createLogger({ level: config.logLevel, secrets: [config.slackToken] });
  const registry = new Registry();
  // As src/commands/run.ts does.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const deliveries = new DeliveryRelay();
  const sender = createSender({ config, clock: systemClock, log, registry, store: new MemoryThreadStore(), write: (s) => process.stdout.write(s), onOutcome: deliveries.report });
  const bot = new Bot({ config, kubeConfig: simKubeConfig({ url: setup.simUrl }), sender, deliveries, clock: systemClock, log, registry });

  // Counts pod changes reaching the pipeline, so the parent knows when a batch has been fully handled.
  let seen = 0;
  let target: { n: number; done: (s: CpuSample) => void } | undefined;
  const podChanged = bot.pipeline.podChanged.bind(bot.pipeline);
  // When each workload's first CrashLoopBackOff reached the pipeline (epoch ms, sub-ms precision):
  // splits the latency figure into watch delivery and the bot's own path to Slack.
  const crashSeen = new Map<string, number>();
  // Only while the parent measures latency: a 5 ms-resolution monitor costs ~1% of a core, which
  // the idle figure would otherwise count as podbell's.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  bot.pipeline.podChanged = (c) => {
    const next = c.next;
    if (next && !crashSeen.has(next.workload.name) && next.containers.some((k) => k.reason === 'CrashLoopBackOff')) crashSeen.set(next.workload.name, performance.timeOrigin + performance.now());
    podChanged(c);
    if (target && ++seen >= target.n) {
      const t = target;
      target = undefined;
      t.done(cpu());
    }
  };

  const health = await startHealthServer({ port: 0, registry, ready: () => bot.ready() });
  await bot.start();
  send({ type: 'started', healthPort: health.port });

  process.on('message', (m: ChildRequest) => {
    switch (m.type) {
      case 'cpu':
        return send({ type: 'cpu', id: m.id, ...cpu() });
      case 'mem':
        return send({ type: 'mem', id: m.id, ...mem() });
      case 'rss':
        return send({ type: 'rss', id: m.id, rss: process.memoryUsage.rss() });
      case 'expect': {
        seen = 0;
        const profile = setup.profileFile ? startProfile() : undefined;
        target = {
          n: m.n,
          done: (s) => {
            send({ type: 'reached', id: m.id, ...s });
            profile?.(setup.profileFile!);
          },
        };
        return send({ type: 'expecting', id: m.id, ...cpu() });
      }
      case 'floor':
        return send({ type: 'floor', id: m.id, ...floor(m.file, m.passes) });
      case 'crashes':
        lag.disable();
        send({ type: 'crashes', id: m.id, seen: Object.fromEntries(crashSeen), lagMaxMs: lag.max / 1e6, lagP99Ms: lag.percentile(99) / 1e6 });
        return undefined;
      case 'lag':
        lag.reset();
        lag.enable();
        return send({ type: 'lag', id: m.id });
      case 'stop':
        void bot.stop(1000).then(() => health.close()).then(() => process.exit(0));
        return undefined;
    }
  });
}

/** GET and parse one whole response, as a polling client does. */
function getJson(url: string, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
        let s = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (s += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(s));
          } catch (e) {
            reject(e as Error);
          }
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** kube-slack's loop: every interval, LIST all pods in one request and inspect every one of them. */
function startPoller(): void {
  let polls = 0;
  let failures = 0;
  const poll = async () => {
    const list = (await getJson(`${setup.simUrl}/api/v1/pods`, setup.simToken!)) as { items: unknown[] };
    for (const item of list.items) {
      const p = projectPod(item);
      if (p) failures += detect(undefined, p).length;
    }
    polls++;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    poll().then(
      () => (timer = setTimeout(loop, setup.pollIntervalMs)),
      (e: unknown) => {
        console.error('poll failed', e);
        timer = setTimeout(loop, setup.pollIntervalMs);
      },
    );
  };
  loop();
  send({ type: 'started' });
  process.on('message', (m: ChildRequest) => {
    if (m.type === 'cpu') send({ type: 'cpu', id: m.id, ...cpu(), polls, failures });
    else if (m.type === 'mem') send({ type: 'mem', id: m.id, ...mem() });
    else if (m.type === 'rss') send({ type: 'rss', id: m.id, rss: process.memoryUsage.rss() });
    else if (m.type === 'stop') {
      clearTimeout(timer);
      process.exit(0);
    }
  });
}

if (setup.mode === 'bot') await startBot();
else startPoller();
