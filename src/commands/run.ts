import { hostname } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { LeaseClient } from '../adapters/kube/lease.js';
import { createSender } from '../adapters/slack/create.js';
import { ConfigMapStateStore } from '../adapters/store/configmap.js';
import { MemoryThreadStore } from '../adapters/store/memory.js';
import { Bot, type BotState } from '../app.js';
import { systemClock } from '../clock.js';
import { PodbellError } from '../errors.js';
import { startHealthServer } from '../http.js';
import { loadKubeConfig } from '../kubeconfig.js';
import { createLogger } from '../log.js';
import { configOrReport } from '../main.js';
import { electionTimes } from '../core/election.js';
import { LeaderElector } from '../leader.js';
import type { Command } from './types.js';

/** How long shutdown waits for Slack to take pending edits. */
const SHUTDOWN_DEADLINE_MS = 5000;
/** Exit status of a leader that lost its Lease (the container restarts as a standby). */
const EXIT_LEASE_LOST = 3;

/** `podbell run`: watch the configured cluster and alert, until SIGTERM or SIGINT. */
export const runCommand: Command = async (argv, io) => {
  if (argv.length > 0) {
    io.stderr.write(`podbell run: unexpected argument "${argv[0]}" (configuration comes from the environment; see .env.example)\n`);
    return 2;
  }
  const config = configOrReport(io);
  if (!config) return 2;
  const log = createLogger({ level: config.logLevel, secrets: [config.slackToken] });
  const registry = new Registry();
  // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: the 10 ms timer alone kept an idle bot at 0.6% of a core.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });

  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig(config.kubeconfig, io.env.KUBERNETES_SERVICE_HOST !== undefined);
  } catch (err) {
    log.fatal({ err }, 'cannot load Kubernetes credentials');
    io.stderr.write(`podbell: ${(err as Error).message}\n`);
    return 1;
  }

  // Leader election whenever podbell knows its namespace (the chart always sets it): one replica
  // or two, only the Lease holder sends and writes the state.
  let elector: LeaderElector | undefined;
  // Persistence is on when the chart (or the user) names both the namespace and the ConfigMap.
  let state: BotState | undefined;
  if (config.podNamespace !== undefined && config.threadStoreConfigMap !== undefined) {
    const mayWrite = () => elector?.leading ?? true;
    const store = new ConfigMapStateStore({ kubeConfig, namespace: config.podNamespace, name: config.threadStoreConfigMap, clock: systemClock, log, mayWrite });
    state = { store, threads: new MemoryThreadStore() };
    log.info({ configmap: store.where }, 'open incidents and Slack threads are kept across restarts');
  } else if (config.threadStoreConfigMap !== undefined) {
    log.warn('THREAD_STORE_CONFIGMAP is set but POD_NAMESPACE is not: state is kept in memory only (lost on restart)');
  }
  const sender = createSender({ config, clock: systemClock, log, registry, store: state?.threads ?? new MemoryThreadStore(), write: (s) => io.stdout.write(s) });

  const bot = new Bot({ config, kubeConfig, sender, clock: systemClock, log, registry, ...(state && { state }), standby: config.podNamespace !== undefined });
  if (config.podNamespace !== undefined) {
    const times = electionTimes(config.leaseDurationMs, config.leaseRenewMs);
    elector = new LeaderElector({
      lease: new LeaseClient({ kubeConfig, clock: systemClock, namespace: config.podNamespace, name: config.leaseName, timeoutMs: times.renewDeadlineMs }),
      // POD_NAME in the chart; hostname-pid keeps two local processes apart.
      identity: config.podName ?? `${hostname()}-${process.pid}`,
      times,
      clock: systemClock,
      log,
      registry,
      onStartedLeading: () => void bot.lead(),
      onStoppedLeading: () => {
        // Fenced: stop sending NOW, before a standby can take over. Exiting drops the queue, the
        // pipeline and every timer at once; Kubernetes restarts this pod as a standby
        // (docs/high-availability.md: why exit rather than step down in-process).
        log.fatal({ code: 'lease_lost' }, 'lost leadership: exiting so nothing more is sent; the pod restarts as a standby');
        process.exit(EXIT_LEASE_LOST);
      },
    });
  } else log.info('POD_NAMESPACE is not set: no leader election, this process always sends (run one only)');
  const http = await startHealthServer({ port: config.httpPort, registry, ready: () => bot.ready() });
  log.info({ port: http.port }, 'serving /healthz /readyz /metrics');
  try {
    await bot.start();
    elector?.start();
  } catch (err) {
    await http.close();
    const code = err instanceof PodbellError ? err.code : 'start_failed';
    log.fatal({ err, code }, 'cannot start');
    io.stderr.write(`podbell: ${(err as Error).message}\n`);
    return 1;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'stopping: sending pending edits');
  await bot.stop(SHUTDOWN_DEADLINE_MS);
  // Last: the state is saved, so the standby that takes over now continues from all of it.
  await elector?.stop(true);
  await http.close();
  log.info('stopped');
  return 0;
};
