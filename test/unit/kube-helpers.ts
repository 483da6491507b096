import { Registry } from 'prom-client';
import { waitFor } from '../support/wait.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { createLogger, type Logger } from '../../src/log.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import type { Change } from '../../src/ports.js';
import { KubeWatch } from '../../src/adapters/kube/watch.js';
import type { KubeWatchOptions } from '../../src/adapters/kube/watch-options.js';
import { SimCluster, simKubeConfig, startSimServer, SIM_TOKEN, type SimServer, type SimServerOptions } from '../../src/sim/index.js';

export { waitFor } from '../support/wait.js';

/** Waits until a metric (summed over matching labels) reaches `min`. */
export async function waitForMetric(registry: Registry, name: string, labels: Record<string, string>, min: number, timeoutMs = 8000): Promise<void> {
  await waitFor(`${name}${JSON.stringify(labels)} >= ${min}`, async () => (await metricValue(registry, name, labels)) >= min, timeoutMs);
}

/** A logger whose JSON lines are kept for assertions. */
export function capturingLogger(): { log: Logger; lines: () => { level: number; msg: string }[] } {
  const raw: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void raw.push(s) } });
  return { log, lines: () => raw.map((s) => JSON.parse(s) as { level: number; msg: string }) };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  let total = 0;
  for (const v of (m?.values ?? []) as { value: number; labels: Record<string, string | number> }[]) {
    if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) total += v.value;
  }
  return total;
}

export interface PodWatchRig {
  readonly sim: SimCluster;
  readonly server: SimServer;
  readonly watch: KubeWatch<PodState>;
  readonly changes: Change<PodState>[];
  readonly registry: Registry;
  readonly lines: () => { level: number; msg: string }[];
  close(): Promise<void>;
}

/** A pod watch against a fresh sim over loopback HTTP, recording every change. */
export async function podWatchRig(
  opts: { sim?: SimCluster; server?: Partial<Omit<SimServerOptions, 'cluster'>>; watch?: Partial<KubeWatchOptions<PodState>>; clock?: Clock; token?: string } = {},
): Promise<PodWatchRig> {
  const sim = opts.sim ?? new SimCluster();
  const server = await startSimServer({ cluster: sim, token: SIM_TOKEN, ...opts.server });
  const registry = new Registry();
  const changes: Change<PodState>[] = [];
  const { log, lines } = capturingLogger();
  const watch = new KubeWatch<PodState>({
    kubeConfig: simKubeConfig({ url: server.url, token: opts.token ?? SIM_TOKEN }),
    resource: 'pods',
    project: projectPod,
    keyOf: (p) => p.uid,
    clock: opts.clock ?? systemClock,
    log,
    registry,
    onChange: (c) => void changes.push(c),
    backoff: { initialMs: 20, maxMs: 200 },
    watchdogMs: 5000,
    ...opts.watch,
  });
  return {
    sim,
    server,
    watch,
    changes,
    registry,
    lines,
    async close() {
      await watch.stop();
      await server.close();
    },
  };
}
