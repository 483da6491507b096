/**
 * The Warning Event load of `npm run bench` (docs/evidence.md): kubelet-like Warning Events about
 * healthy pods at a steady rate, as a cluster with flapping probes and pull errors produces them.
 * Measures what the bot's Event watch and its bounded per-pod buffer cost: CPU while the load runs,
 * and RSS before and after (the buffer keeps at most 5 reasons for at most 5000 pods).
 */
import { recordPodEvent } from '../src/sim/events.js';
import type { SimCluster } from '../src/sim/index.js';
import type { CpuSample } from './protocol.js';

export interface WarningLoadOptions {
  readonly perSecond: number;
  readonly ms: number;
  /** distinct pods the Events are about (the buffer's global cap is 5000) */
  readonly pods: readonly { readonly ns: string; readonly name: string }[];
  readonly cpu: () => Promise<CpuSample>;
  readonly rss: () => Promise<number>;
}

export interface WarningLoadResult {
  readonly events: number;
  readonly cpuPct: number;
  readonly microsPerEvent: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

const REASONS: readonly [string, (pod: string, n: number) => string][] = [
  ['Unhealthy', () => 'Liveness probe failed: HTTP probe failed with statuscode: 500'],
  ['Unhealthy', () => 'Readiness probe failed: Get "http://10.0.3.7:8080/ready": dial tcp 10.0.3.7:8080: connect: connection refused'],
  ['BackOff', (pod) => `Back-off restarting failed container app in pod ${pod}`],
  ['FailedMount', (_pod, n) => `MountVolume.SetUp failed for volume "config-${n % 7}" : configmap "app-config-${n % 7}" not found`],
];

/** Writes `perSecond` Warning Events per second for `ms` (new ones and count bumps of earlier ones). */
export async function measureWarningLoad(sim: SimCluster, o: WarningLoadOptions): Promise<WarningLoadResult> {
  const rssBefore = await o.rss();
  const start = await o.cpu();
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((o.perSecond * tickMs) / 1000));
  const t0 = Date.now();
  let n = 0;
  for (let tick = 0; Date.now() - t0 < o.ms; tick++) {
    for (let i = 0; i < perTick; i++, n++) {
      const pod = o.pods[n % o.pods.length]!;
      const [reason, message] = REASONS[n % REASONS.length]!;
      recordPodEvent(sim, { namespace: pod.ns, pod: pod.name, type: 'Warning', reason, message: message(pod.name, n), at: Date.now() });
    }
    const next = t0 + (tick + 1) * tickMs;
    await new Promise<void>((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  // Let the bot drain what is still in flight before reading its CPU.
  await new Promise<void>((r) => setTimeout(r, 1000));
  const end = await o.cpu();
  const rssAfter = await o.rss();
  const cpuMicros = end.cpuMicros - start.cpuMicros;
  return { events: n, cpuPct: (cpuMicros / ((end.wallMs - start.wallMs) * 1000)) * 100, microsPerEvent: cpuMicros / n, rssBefore, rssAfter };
}
