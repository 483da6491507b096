/**
 * `npm run bench`: what podbell costs a cluster, measured against the simulated API server over
 * loopback HTTP with realistic 7 KB pods. The simulated API server and the fake Slack run here; the
 * bot runs in a child process (bench/child.ts) so its CPU and memory are its own.
 *
 * Output: a readable table, then as the LAST line one JSON object with the headline figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { SIM_TOKEN, SimCluster, startSimServer, type SimServer } from '../src/sim/index.js';
import { benchPod, crashLoopStatus, healthyStatus } from './pods.js';
import { shippedOptions } from '../scripts/esbuild-options.mjs';
import { IpcPeer, withTimeout } from './ipc.js';
import { measureWarningLoad } from './events.js';
import type { ChildRequest, ChildSetup, CpuSample, MemSample, RecordedPost, SlackRequest } from './protocol.js';

// ---- sizes ----

interface Sizes {
  readonly pods: number;
  readonly podsLarge: number;
  readonly warmEvents: number;
  readonly cpuEvents: number;
  readonly idleMs: number;
  readonly pollIntervalMs: number;
  readonly pollWindowMs: number;
  readonly latencyMs: number;
  readonly backgroundPerSecond: number;
  readonly failureEveryMs: number;
  readonly settleMs: number;
  /** Warning Events per second, and for how long (the Event watch's load). */
  readonly warningsPerSecond: number;
  readonly warningsMs: number;
}

const FULL: Sizes = { pods: 10_000, podsLarge: 50_000, warmEvents: 3000, cpuEvents: 20_000, idleMs: 60_000, pollIntervalMs: 15_000, pollWindowMs: 60_000, latencyMs: 20_000, backgroundPerSecond: 1000, failureEveryMs: 100, settleMs: 30_000, warningsPerSecond: 200, warningsMs: 30_000 };
const SMOKE: Sizes = { pods: 300, podsLarge: 1000, warmEvents: 300, cpuEvents: 1000, idleMs: 1500, pollIntervalMs: 500, pollWindowMs: 1500, latencyMs: 2000, backgroundPerSecond: 1000, failureEveryMs: 100, settleMs: 500, warningsPerSecond: 200, warningsMs: 1500 };

const NAMESPACES = 50;
const REPLICAS = 5;
const BENCHES = ['memory', 'idle', 'cpu', 'latency', 'polling', 'events'] as const;
type BenchName = (typeof BENCHES)[number];

/** Wall clock in epoch ms with sub-millisecond precision, as the fake Slack's process stamps requests. */
const preciseNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const MiB = (b: number) => b / 2 ** 20;
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

// ---- the simulated cluster ----

interface PodRef {
  readonly ns: string;
  readonly name: string;
  readonly deployment: string;
}

const nsName = (i: number) => `shop-${String(i).padStart(2, '0')}`;
const deploymentName = (d: number) => `svc-${String(d).padStart(5, '0')}`;

/** Adds pods [from, to) to the cluster: REPLICAS per deployment, deployments spread over the namespaces. */
function populate(sim: SimCluster, refs: PodRef[], from: number, to: number): void {
  const at = Date.now();
  for (let i = from; i < to; i++) {
    const d = Math.floor(i / REPLICAS);
    const ns = nsName(d % NAMESPACES);
    const deployment = deploymentName(d);
    const pod = sim.apply(benchPod({ namespace: ns, deployment, replica: i, at }));
    refs.push({ ns, name: (pod.metadata as { name: string }).name, deployment });
  }
}

// ---- the measured child ----

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

class Child {
  readonly #proc: ChildProcess;
  readonly #ipc: IpcPeer;
  readonly exited: Promise<number | null>;

  /** `compiled`: run this compiled bench/child.ts with plain node; without it, the sources through tsx. */
  constructor(setup: ChildSetup, compiled?: string) {
    const script = compiled ?? fileURLToPath(new URL('./child.ts', import.meta.url));
    this.#proc = fork(script, [JSON.stringify(setup)], {
      execArgv: [...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean), ...(compiled ? ['--expose-gc'] : ['--expose-gc', '--import', 'tsx'])],
      // The child's logs go to our stderr: stdout carries only the table and the JSON line.
      stdio: ['ignore', 2, 2, 'ipc'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    this.exited = new Promise((r) => this.#proc.once('exit', (code) => r(code)));
    // 'reached' carries the id of its 'expect' but comes after the reply to it.
    this.#ipc = new IpcPeer(this.#proc, 'child', ['reached']);
  }

  next(type: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    return this.#ipc.next(type, timeoutMs);
  }

  request<T>(req: WithoutId<ChildRequest>, timeoutMs = 120_000): Promise<T & { id: number }> {
    return this.#ipc.request<T>(req, timeoutMs);
  }

  /** Sends 'expect'; resolves to [CPU now, promise of CPU once n pod changes have been handled]. */
  async expect(n: number, timeoutMs: number): Promise<[CpuSample, Promise<CpuSample>]> {
    const reached = this.#ipc.next(`reached:${this.#ipc.nextId()}`, timeoutMs) as unknown as Promise<CpuSample>;
    const start = await this.#ipc.request<CpuSample>({ type: 'expect', n }, 10_000);
    return [start, reached];
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    this.#proc.send({ type: 'stop', id: 0 });
    const killer = setTimeout(() => this.#proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
  }
}

/** The fake Slack, run in its own process (bench/slack-process.ts) so that the sim's GC cannot delay its clock. */
class SlackProcess {
  readonly #proc: ChildProcess;
  readonly #ipc: IpcPeer;

  private constructor(proc: ChildProcess, readonly url: string, readonly token: string) {
    this.#proc = proc;
    this.#ipc = new IpcPeer(proc, 'the fake Slack');
  }

  static async start(): Promise<SlackProcess> {
    const proc = fork(fileURLToPath(new URL('./slack-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 2, 2, 'ipc'] });
    const ready = await withTimeout(new Promise<Record<string, unknown>>((r) => proc.once('message', (m) => r(m as Record<string, unknown>))), 60_000, 'the fake Slack process');
    return new SlackProcess(proc, String(ready.url), String(ready.token));
  }

  async clearRequests(): Promise<void> {
    await this.#ipc.request({ type: 'clear' } satisfies WithoutId<SlackRequest>, 30_000);
  }

  async posts(): Promise<RecordedPost[]> {
    return (await this.#ipc.request<{ posts: RecordedPost[] }>({ type: 'posts' } satisfies WithoutId<SlackRequest>, 30_000)).posts;
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.#proc.once('exit', r));
    this.#proc.send({ type: 'close', id: 0 });
    await withTimeout(exited, 10_000, 'the fake Slack process to exit').catch(() => this.#proc.kill('SIGKILL'));
  }
}

function getStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', () => resolve(0));
  });
}

/** Starts a bot child and waits until its /readyz says the initial lists are in; returns how long that took. */
async function startBot(server: SimServer, slack: SlackProcess, o: { profileFile?: string; compiled?: string } = {}): Promise<{ child: Child; syncMs: number }> {
  const t0 = performance.now();
  const child = new Child({ mode: 'bot', simUrl: server.url, slackUrl: slack.url, slackToken: slack.token, ...(o.profileFile && { profileFile: o.profileFile }) }, o.compiled);
  const started = await child.next('started', 60_000);
  const port = started.healthPort as number;
  const deadline = Date.now() + 300_000;
  while ((await getStatus(port, '/readyz')) !== 200) {
    if (Date.now() > deadline) throw new Error('bench: the bot never became ready');
    await sleep(50);
  }
  return { child, syncMs: performance.now() - t0 };
}

/**
 * podbell as it ships: compiled by esbuild with the options `npm ci` builds dist/ with (client-node
 * bundled and slimmed, the other dependencies loaded from node_modules as in the image), run by plain
 * node. Written inside the repository (.bench/) so node finds node_modules from there.
 */
async function compileChild(): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = fileURLToPath(new URL('../.bench/child.mjs', import.meta.url));
  await esbuild.build({
    ...shippedOptions(),
    entryPoints: [fileURLToPath(new URL('./child.ts', import.meta.url))],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

// ---- the benchmarks ----

interface Results {
  cpuPerEventRatio?: number;
  botMicrosPerEvent?: number;
  floorMicrosPerEvent?: number;
  eventBytes?: number;
  pacedMicrosPerEvent?: number;
  burstMicros?: number[];
  pacedRatio?: number;
  rssMiB10k?: number;
  peakRssMiB10k?: number;
  peakRssMiB50k?: number;
  heapMiB10k?: number;
  rssMiB50k?: number;
  rssMiB10kSources?: number;
  heapMiB10kSources?: number;
  rssMiB50kSources?: number;
  heapMiB50kSources?: number;
  heapMiB50k?: number;
  sync10kMs?: number;
  sync50kMs?: number;
  p50LatencyMs?: number;
  p99LatencyMs?: number;
  maxLatencyMs?: number;
  harnessGcMaxMs?: number;
  harnessLagMaxMs?: number;
  harnessGcTotalMs?: number;
  latencySamples?: number;
  backgroundRate?: number;
  botCpuPctUnderLoad?: number;
  idleCpuPct10k?: number;
  pollingCpuPct10k?: number;
  polls?: number;
  warningEvents?: number;
  warningCpuPct?: number;
  warningMicrosPerEvent?: number;
  warningRssBeforeMiB?: number;
  warningRssAfterMiB?: number;
}

/**
 * RSS once the sync has settled. Right after a big LIST, V8 still holds the young generation and the
 * pages the LIST's garbage used; its memory reducer gives them back once allocation has been quiet
 * for a while (about 10-20 s here). What a long-running bot costs is the settled figure, so RSS is
 * watched every second for settleMs, then read after two full GCs; the peak (getrusage maxrss) is
 * reported beside it, as that is what a memory limit must leave room for.
 */
async function measureMemory(child: Child, settleMs: number): Promise<MemSample> {
  const trace: number[] = [];
  for (const end = Date.now() + settleMs; Date.now() < end; ) {
    await sleep(Math.min(1000, settleMs));
    trace.push(Math.round(MiB((await child.request<{ rss: number }>({ type: 'rss' })).rss)));
  }
  const m = await child.request<MemSample>({ type: 'mem' });
  const inMiB = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(MiB(v), 1) : v !== null && typeof v === 'object' ? inMiB(v as object) : v]));
  process.stderr.write(`bench: RSS each second after ready (MiB): ${trace.join(' ')}\n`);
  process.stderr.write(`bench: memory ${JSON.stringify(inMiB(m))} MiB\n`);
  return m;
}

/** CPU % of a core over `ms`; the log shows it per tenth of the window, to tell a steady cost from a decaying one. */
async function measureIdle(child: Child, ms: number): Promise<number> {
  const pct = (a: CpuSample, b: CpuSample) => ((b.cpuMicros - a.cpuMicros) / ((b.wallMs - a.wallMs) * 1000)) * 100;
  const first = await child.request<CpuSample>({ type: 'cpu' });
  const parts: string[] = [];
  let last = first;
  for (let i = 0; i < 10; i++) {
    await sleep(ms / 10);
    const next = await child.request<CpuSample>({ type: 'cpu' });
    parts.push(pct(last, next).toFixed(2));
    last = next;
  }
  process.stderr.write(`bench: idle CPU % per ${ms / 10000} s: ${parts.join(' ')}\n`);
  return pct(first, last);
}

/** Streams `n` MODIFIED events of healthy pods (status churn) as fast as the sim can write them. */
async function churn(sim: SimCluster, healthy: readonly PodRef[], n: number, offset: number): Promise<void> {
  const at = Date.now();
  for (let i = 0; i < n; i++) {
    const p = healthy[(offset + i) % healthy.length]!;
    sim.patchStatus(p.ns, p.name, healthyStatus(p.deployment, at + (offset + i) * 1000));
    // Yield now and then so the server's socket drains instead of buffering the whole batch.
    if (i % 100 === 99) await new Promise<void>((r) => setImmediate(r));
  }
}

/**
 * CPU per watch event, two ways, against JSON.parse of the very same bytes:
 *  - burst: the events are written while the bot's stream is held, then delivered back to back when it
 *    resumes (a busy cluster, a resync): the bot's own cost with warm caches, like the floor's tight loop.
 *  - paced: the sim generates events live and the bot handles each as it arrives, mostly idle in between;
 *    each event then also pays for cold caches and waking up (and shares 2 cores with the sim).
 */
async function measureCpu(sim: SimCluster, server: SimServer, child: Child, healthy: readonly PodRef[], s: Sizes, r: Results, dir: string): Promise<void> {
  // Warm-up: the bot's hot path gets compiled before we count.
  let offset = 0;
  let [, done] = await child.expect(s.warmEvents, 120_000);
  await churn(sim, healthy, s.warmEvents, offset);
  offset += s.warmEvents;
  await done;

  // Paced.
  const [pStart, pReached] = await child.expect(s.cpuEvents, 300_000);
  await churn(sim, healthy, s.cpuEvents, offset);
  offset += s.cpuEvents;
  const pEnd = await pReached;
  r.pacedMicrosPerEvent = round((pEnd.cpuMicros - pStart.cpuMicros) / s.cpuEvents, 1);

  // Burst: hold the stream (the next write stalls), write the batch into the sim's history, then end the
  // stream; the bot resumes from its last resourceVersion and the sim replays the batch in one go.
  // Three bursts, the median counts: other work on a 2-core machine moves single readings by 10-20%.
  const bursts: number[] = [];
  let lines: string[] = [];
  for (let b = 0; b < 3; b++) {
    lines = [];
    const unsubscribe = sim.subscribe((e) => {
      // Exactly what the sim's watch writes for a pod event (same object, same key order).
      if (e.resource === 'pods') lines.push(JSON.stringify({ type: e.type, object: e.object }));
    });
    server.setFaults({ stallRate: 1 });
    await churn(sim, healthy, s.cpuEvents, offset);
    offset += s.cpuEvents;
    unsubscribe();
    server.setFaults(undefined);
    const [start, reached] = await child.expect(s.cpuEvents, 300_000);
    server.closeStreams();
    const end = await reached;
    bursts.push((end.cpuMicros - start.cpuMicros) / s.cpuEvents);
  }
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, lines.join('\n'));
  let bytes = 0;
  for (const l of lines) bytes += l.length;
  const floor = await child.request<{ perEventMicros: number[] }>({ type: 'floor', file, passes: 5 }, 300_000);
  // Median pass: the first pass warms JSON.parse up, later ones may profit from a quiet moment.
  const sorted = [...floor.perEventMicros].sort((a, b) => a - b);
  const floorPer = sorted[Math.floor(sorted.length / 2)]!;
  const botPer = [...bursts].sort((a, b) => a - b)[1]!;
  r.burstMicros = bursts.map((b) => round(b, 1));
  r.botMicrosPerEvent = round(botPer, 1);
  r.floorMicrosPerEvent = round(floorPer, 1);
  r.eventBytes = Math.round(bytes / lines.length);
  r.cpuPerEventRatio = round(botPer / floorPer);
  r.pacedRatio = round(r.pacedMicrosPerEvent / floorPer);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Failure events (a fresh workload each time, CrashLoopBackOff) among `backgroundPerSecond` healthy
 * status updates; latency = the parent chat.postMessage arriving at the fake Slack minus the moment
 * the sim wrote the failure event to the bot's watch stream.
 */
async function measureLatency(sim: SimCluster, slack: SlackProcess, child: Child, refs: readonly PodRef[], s: Sizes, r: Results): Promise<void> {
  const allVictims = refs.filter((_, i) => i % REPLICAS === 0);
  const healthy = refs.filter((_, i) => i % REPLICAS !== 0);
  const warmups = Math.min(10, Math.floor(allVictims.length / 4));
  const samples = Math.min(allVictims.length - warmups, Math.floor(s.latencyMs / s.failureEveryMs));
  const victims = allVictims.slice(0, samples);
  // Warm-up, not counted: the first events and alerts after a quiet spell compile the watch and Slack
  // paths and open the connection to Slack. Then a pause, so Slack's 1 post/s per channel budget is full.
  for (const v of allVictims.slice(samples, samples + warmups)) {
    for (let i = 0; i < 200; i++) {
      const p = healthy[i % healthy.length]!;
      sim.patchStatus(p.ns, p.name, healthyStatus(p.deployment, Date.now() + i * 1000));
    }
    sim.patchStatus(v.ns, v.name, crashLoopStatus(v.deployment, Date.now()));
    await sleep(100);
  }
  await sleep(3000);
  const sentAt = new Map<string, number>();
  await slack.clearRequests();
  // GC pauses of this process (the sim and the fake Slack) during the window: harness time, not podbell's.
  const pauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  await child.request({ type: 'lag' });
  const cpuA = await child.request<CpuSample>({ type: 'cpu' });
  // This process's own stalls (the sim's GC): they delay when events are written, not when Slack sees requests.
  const harnessLag = monitorEventLoopDelay({ resolution: 5 });
  harnessLag.enable();
  const t0 = performance.now();
  let background = 0;
  let failures = 0;
  let offset = 0;
  let compactedAt = performance.now();
  sim.compact();
  while (failures < samples) {
    const elapsed = performance.now() - t0;
    const due = Math.floor((elapsed * s.backgroundPerSecond) / 1000) - background;
    const at = Date.now();
    for (let i = 0; i < due; i++) {
      const p = healthy[offset++ % healthy.length]!;
      sim.patchStatus(p.ns, p.name, healthyStatus(p.deployment, at + offset * 1000));
      background++;
    }
    if (elapsed >= failures * s.failureEveryMs) {
      const v = victims[failures++]!;
      sim.patchStatus(v.ns, v.name, crashLoopStatus(v.deployment, at));
      // The event is in the socket now: the sim's watch wrote it synchronously.
      sentAt.set(v.deployment, preciseNow());
    }
    // Keep the sim's event history (each event a 7.5 KB pod object) from growing the parent's heap:
    // the bot does not need it to resume here, and the parent's GC pauses are not podbell's latency.
    if (performance.now() - compactedAt > 1000) {
      sim.compact();
      compactedAt = performance.now();
    }
    await sleep(2);
  }
  const window = performance.now() - t0;
  harnessLag.disable();
  r.harnessLagMaxMs = round(harnessLag.max / 1e6, 1);
  gcObserver.disconnect();
  r.harnessGcMaxMs = round(Math.max(0, ...pauses), 1);
  r.harnessGcTotalMs = round(pauses.reduce((a, b) => a + b, 0), 1);
  const cpuB = await child.request<CpuSample>({ type: 'cpu' });
  const parentOf = async () => (await slack.posts()).filter((q) => q.threadTs === undefined);
  const deadline = Date.now() + 10_000;
  let parents = await parentOf();
  while (parents.length < samples && Date.now() < deadline) {
    await sleep(50);
    parents = await parentOf();
  }
  const { seen, lagMaxMs, lagP99Ms } = await child.request<{ seen: Record<string, number>; lagMaxMs: number; lagP99Ms: number }>({ type: 'crashes' });
  process.stderr.write(`bench: the bot's event-loop delay during the window: max ${lagMaxMs.toFixed(1)} ms, p99 ${lagP99Ms.toFixed(1)} ms\n`);
  const latencies: number[] = [];
  const order: { i: number; ms: number; watchMs: number }[] = [];
  for (const q of parents) {
    const name = /svc-\d{5}/.exec(q.text)?.[0];
    const at = name === undefined ? undefined : sentAt.get(name);
    if (at === undefined) continue;
    latencies.push(q.time - at);
    order.push({ i: [...sentAt.keys()].indexOf(name!), ms: q.time - at, watchMs: (seen[name!] ?? Number.NaN) - at });
  }
  const slowest = [...order].sort((a, b) => b.ms - a.ms).slice(0, 5);
  // "watch": the sim's write until the pipeline had the pod; the rest is the bot's path to the fake Slack.
  process.stderr.write(`bench: slowest failures (sample #, ms, of which watch delivery): ${slowest.map((o) => `#${o.i} ${o.ms.toFixed(1)} (${o.watchMs.toFixed(1)})`).join(', ')}\n`);
  latencies.sort((a, b) => a - b);
  r.latencySamples = latencies.length;
  if (latencies.length < samples) process.stderr.write(`bench: only ${latencies.length} of ${samples} failures reached Slack within 10 s\n`);
  r.p50LatencyMs = round(percentile(latencies, 50));
  r.p99LatencyMs = round(percentile(latencies, 99));
  r.maxLatencyMs = round(latencies[latencies.length - 1] ?? NaN);
  r.backgroundRate = Math.round((background / window) * 1000);
  r.botCpuPctUnderLoad = round(((cpuB.cpuMicros - cpuA.cpuMicros) / ((cpuB.wallMs - cpuA.wallMs) * 1000)) * 100, 1);
}

async function measurePolling(server: SimServer, s: Sizes, r: Results): Promise<void> {
  const child = new Child({ mode: 'poll', simUrl: server.url, simToken: SIM_TOKEN, pollIntervalMs: s.pollIntervalMs });
  try {
    await child.next('started', 60_000);
    const a = await child.request<CpuSample & { polls: number }>({ type: 'cpu' });
    await sleep(s.pollWindowMs);
    const b = await child.request<CpuSample & { polls: number }>({ type: 'cpu' });
    r.pollingCpuPct10k = round(((b.cpuMicros - a.cpuMicros) / ((b.wallMs - a.wallMs) * 1000)) * 100);
    r.polls = b.polls;
  } finally {
    await child.stop();
  }
}

// ---- report ----

function machine(): string {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${cpus().length} × ${cpus()[0]?.model ?? '?'} · ${MiB(totalmem()).toFixed(0)} MiB RAM (${MiB(freemem()).toFixed(0)} free) · node ${process.version} · load ${load}`;
}

function table(r: Results, s: Sizes, smoke: boolean): string {
  const f = (v: number | undefined, unit = '') => (v === undefined ? 'not run' : `${v}${unit}`);
  const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  const rows: [string, string, string][] = [
    ['CPU per watch event / JSON.parse floor', f(r.cpuPerEventRatio, '×'), '≤ 2×'],
    ['  burst: bot CPU per event', f(r.botMicrosPerEvent, ' µs'), `median of 3 × ${k(s.cpuEvents)} MODIFIED events back to back (${r.burstMicros?.join(', ') ?? ''} µs), ${f(r.eventBytes, ' B')} each`],
    ['  JSON.parse of the same bytes', f(r.floorMicrosPerEvent, ' µs'), 'median of 5 passes'],
    ['  paced: bot CPU per event', f(r.pacedMicrosPerEvent, ' µs'), `events as the sim makes them, bot idle between (${f(r.pacedRatio, '×')} the floor)`],
    [`RSS with ${k(s.pods)} pods synced (as shipped: dist/)`, f(r.rssMiB10k, ' MiB'), `settled ${s.settleMs / 1000} s after ready; heap used ${f(r.heapMiB10k, ' MiB')}, synced in ${f(r.sync10kMs, ' ms')}, peak during sync ${f(r.peakRssMiB10k, ' MiB')}`],
    [`RSS with ${k(s.podsLarge)} pods synced (as shipped)`, f(r.rssMiB50k, ' MiB'), `≤ 150 MiB; heap used ${f(r.heapMiB50k, ' MiB')}, synced in ${f(r.sync50kMs, ' ms')}, peak during sync ${f(r.peakRssMiB50k, ' MiB')}`],
    [`  from sources (tsx): RSS at ${k(s.pods)} pods`, f(r.rssMiB10kSources, ' MiB'), `heap used ${f(r.heapMiB10kSources, ' MiB')}; same code run through the TypeScript loader (development)`],
    [`  from sources (tsx): RSS at ${k(s.podsLarge)} pods`, f(r.rssMiB50kSources, ' MiB'), `heap used ${f(r.heapMiB50kSources, ' MiB')}`],
    ['failure -> chat.postMessage p50', f(r.p50LatencyMs, ' ms'), `${f(r.latencySamples)} samples under ${f(r.backgroundRate)} bg events/s`],
    ['failure -> chat.postMessage p99', f(r.p99LatencyMs, ' ms'), `≤ 50 ms; max ${f(r.maxLatencyMs, ' ms')}; bot CPU under load ${f(r.botCpuPctUnderLoad, '%')}; sim-side GC pauses max ${f(r.harnessGcMaxMs, ' ms')}, total ${f(r.harnessGcTotalMs, ' ms')}, longest sim stall ${f(r.harnessLagMaxMs, ' ms')}`],
    [`idle CPU, ${k(s.pods)} healthy pods (watch)`, f(r.idleCpuPct10k, '% of a core'), `over ${s.idleMs / 1000} s`],
    [`Warning Events, ${s.warningsPerSecond}/s (Event watch)`, f(r.warningCpuPct, '% of a core'), `${f(r.warningEvents)} events over ${s.warningsMs / 1000} s, ${f(r.warningMicrosPerEvent, ' µs')} each; RSS ${f(r.warningRssBeforeMiB, ' MiB')} before, ${f(r.warningRssAfterMiB, ' MiB')} after`],
    [`polling CPU, ${k(s.pods)} pods (LIST every ${s.pollIntervalMs / 1000} s)`, f(r.pollingCpuPct10k, '% of a core'), `over ${s.pollWindowMs / 1000} s, ${f(r.polls)} polls`],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  return [`podbell bench${smoke ? ' (--smoke: small sizes, figures not meaningful)' : ''}`, machine(), '', ...lines, ''].join('\n');
}

// ---- main ----

function parseArgs(argv: readonly string[]): { smoke: boolean; only: Set<BenchName>; profile: boolean } {
  let smoke = false;
  let profile = false;
  const only = new Set<BenchName>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--smoke') smoke = true;
    else if (a === '--profile') profile = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      for (const name of (v ?? '').split(',')) {
        if (!(BENCHES as readonly string[]).includes(name)) throw new TypeError(`podbell bench: --only takes ${BENCHES.join(', ')} (comma-separated), got ${JSON.stringify(v)}`);
        only.add(name as BenchName);
      }
    } else throw new TypeError(`podbell bench: unknown argument ${JSON.stringify(a)} (use --smoke, --only NAME, --profile)`);
  }
  return { smoke, only: only.size ? only : new Set(BENCHES), profile };
}

export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const s = args.smoke ? SMOKE : FULL;
  const run = (b: BenchName) => args.only.has(b);
  const r: Results = {};
  const dir = mkdtempSync(join(tmpdir(), 'podbell-bench-'));
  const profileFile = args.profile ? join(tmpdir(), 'podbell-bench-cpu-per-event.cpuprofile') : undefined;
  // History long enough to replay a whole burst batch to a resuming watch.
  const sim = new SimCluster({ namespaces: [], historySize: s.cpuEvents + 5000 });
  for (let i = 0; i < NAMESPACES; i++) sim.setNamespace(nsName(i), { 'podbell.io/channel': `#bench-${String(i).padStart(2, '0')}` });
  const server = await startSimServer({ cluster: sim, bookmarkMs: 10_000 });
  const slack = await SlackProcess.start();
  const refs: PodRef[] = [];
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
  try {
    populate(sim, refs, 0, s.pods);
    const compiled = await compileChild();
    if (run('memory') || run('idle') || run('cpu') || run('latency') || run('events')) {
      log(`starting the bot against ${s.pods} pods`);
      const { child, syncMs } = await startBot(server, slack, { compiled, ...(profileFile && { profileFile }) });
      r.sync10kMs = Math.round(syncMs);
      try {
        if (run('memory')) {
          const m = await measureMemory(child, s.settleMs);
          r.rssMiB10k = round(MiB(m.rss), 1);
          r.peakRssMiB10k = round(MiB(m.peakRss), 1);
          r.heapMiB10k = round(MiB(m.heapUsed), 1);
        }
        if (run('idle')) {
          log(`idle for ${s.idleMs / 1000} s`);
          r.idleCpuPct10k = round(await measureIdle(child, s.idleMs), 3);
        }
        // Latency before the CPU bursts: those leave the parent (sim + fake Slack) with a large heap
        // whose major GCs would stall the sim and show up as podbell latency.
        if (run('latency')) {
          log(`latency for ${s.latencyMs / 1000} s under ${s.backgroundPerSecond} events/s`);
          await measureLatency(sim, slack, child, refs, s, r);
        }
        if (run('events')) {
          log(`${s.warningsPerSecond} Warning Events/s for ${s.warningsMs / 1000} s`);
          const w = await measureWarningLoad(sim, {
            perSecond: s.warningsPerSecond,
            ms: s.warningsMs,
            pods: refs.slice(0, 2000),
            cpu: () => child.request<CpuSample>({ type: 'cpu' }),
            rss: async () => (await child.request<{ rss: number }>({ type: 'rss' })).rss,
          });
          Object.assign(r, { warningEvents: w.events, warningCpuPct: round(w.cpuPct, 2), warningMicrosPerEvent: round(w.microsPerEvent, 1), warningRssBeforeMiB: round(MiB(w.rssBefore), 1), warningRssAfterMiB: round(MiB(w.rssAfter), 1) });
        }
        if (run('cpu')) {
          log(`CPU per event over ${s.cpuEvents} events`);
          await measureCpu(sim, server, child, refs.filter((_, i) => i % REPLICAS !== 0), s, r, dir);
        }
      } finally {
        await child.stop();
      }
    }
    if (run('polling')) {
      log(`polling for ${s.pollWindowMs / 1000} s`);
      await measurePolling(server, s, r);
    }
    if (run('memory')) {
      /** A fresh bot (compiled as shipped, or from sources through tsx), measured after its sync. */
      const memoryOf = async (o: { compiled?: string }): Promise<MemSample & { syncMs: number }> => {
        const { child, syncMs } = await startBot(server, slack, o);
        try {
          return { ...(await measureMemory(child, s.settleMs)), syncMs };
        } finally {
          await child.stop();
        }
      };
      // For comparison: the same code run from its TypeScript sources through tsx (development).
      log(`bot from sources (tsx) against ${s.pods} pods`);
      const src10 = await memoryOf({});
      r.rssMiB10kSources = round(MiB(src10.rss), 1);
      r.heapMiB10kSources = round(MiB(src10.heapUsed), 1);
      log(`growing the cluster to ${s.podsLarge} pods`);
      populate(sim, refs, s.pods, s.podsLarge);
      sim.compact();
      const m = await memoryOf({ compiled });
      r.sync50kMs = Math.round(m.syncMs);
      r.rssMiB50k = round(MiB(m.rss), 1);
      r.peakRssMiB50k = round(MiB(m.peakRss), 1);
      r.heapMiB50k = round(MiB(m.heapUsed), 1);
      log(`bot from sources (tsx) against ${s.podsLarge} pods`);
      const src50 = await memoryOf({});
      r.rssMiB50kSources = round(MiB(src50.rss), 1);
      r.heapMiB50kSources = round(MiB(src50.heapUsed), 1);
    }
  } finally {
    await server.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(table(r, s, args.smoke));
  if (profileFile) process.stdout.write(`CPU profile of the measured batch: ${profileFile} (summarise: npx tsx bench/profile-summary.ts FILE)\n`);
  const nan = (v: number | undefined) => v ?? null;
  process.stdout.write(
    `${JSON.stringify({
      cpuPerEventRatio: nan(r.cpuPerEventRatio),
      rssMiB50k: nan(r.rssMiB50k),
      rssMiB10k: nan(r.rssMiB10k),
      p50LatencyMs: nan(r.p50LatencyMs),
      p99LatencyMs: nan(r.p99LatencyMs),
      idleCpuPct10k: nan(r.idleCpuPct10k),
      pollingCpuPct10k: nan(r.pollingCpuPct10k),
      warningCpuPct: nan(r.warningCpuPct),
      rssMiB50kSources: nan(r.rssMiB50kSources),
      rssMiB10kSources: nan(r.rssMiB10kSources),
      peakRssMiB50k: nan(r.peakRssMiB50k),
      peakRssMiB10k: nan(r.peakRssMiB10k),
    })}\n`,
  );
  return 0;
}
