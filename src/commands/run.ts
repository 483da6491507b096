import { Registry, collectDefaultMetrics } from 'prom-client';
import { createSender } from '../adapters/slack/create.js';
import { ConfigMapStateStore } from '../adapters/store/configmap.js';
import { MemoryThreadStore } from '../adapters/store/memory.js';
import { Bot, type BotState } from '../app.js';
import { systemClock } from '../clock.js';
import { PodbellError } from '../errors.js';
import { DeliveryRelay } from '../ports.js';
import { startHealthServer } from '../http.js';
import { loadKubeConfig } from '../kubeconfig.js';
import { createLogger } from '../log.js';
import { configOrReport } from './config.js';
import type { Command } from './types.js';

/** How long shutdown waits for Slack to take pending edits. */
const SHUTDOWN_DEADLINE_MS = 5000;

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

  // Persistence is on when the chart (or the user) names both the namespace and the ConfigMap.
  let state: BotState | undefined;
  if (config.podNamespace !== undefined && config.threadStoreConfigMap !== undefined) {
    const store = new ConfigMapStateStore({ kubeConfig, namespace: config.podNamespace, name: config.threadStoreConfigMap, clock: systemClock, log });
    state = { store, threads: new MemoryThreadStore() };
    log.info({ configmap: store.where }, 'open incidents and Slack threads are kept across restarts');
  } else if (config.threadStoreConfigMap !== undefined) {
    log.warn('THREAD_STORE_CONFIGMAP is set but POD_NAMESPACE is not: state is kept in memory only (lost on restart)');
  }
  const deliveries = new DeliveryRelay();
  const threads = state?.threads ?? new MemoryThreadStore();
  const sender = createSender({ config, clock: systemClock, log, registry, store: threads, write: (s) => io.stdout.write(s), onOutcome: deliveries.report });

  const bot = new Bot({ config, kubeConfig, sender, deliveries, clock: systemClock, log, registry, ...(state && { state }) });
  const http = await startHealthServer({ port: config.httpPort, registry, ready: () => bot.ready(), warning: () => sender.problem?.() });
  log.info({ port: http.port }, 'serving /healthz /readyz /metrics');
  try {
    await bot.start();
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
  await http.close();
  log.info('stopped');
  return 0;
};
