import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { LeaseClient } from '../adapters/kube/lease.js';
import type { SlackActions } from '../adapters/slack/socket.js';
import { createSender } from '../adapters/slack/create.js';
import { ConfigMapStateStore } from '../adapters/store/configmap.js';
import { MemoryThreadStore } from '../adapters/store/memory.js';
import { Bot, type BotState } from '../app.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { PodbellError } from '../errors.js';
import { DeliveryRelay } from '../ports.js';
import { startHealthServer, type HealthServer, type HealthServerOptions } from '../http.js';
import { KubeConfigError, openKubeConfig } from '../kubeconfig.js';
import { createLogger, type Logger } from '../log.js';
import { configOrReport } from './config.js';
import { packageVersion, registerBuildInfo } from '../version.js';
import { electionTimes } from '../core/election.js';
import { LeaderElector } from '../leader.js';
import type { Command, CommandIO } from './types.js';
import { usageError, wantsHelp } from './usage.js';

const RUN_USAGE = `usage: podbell run

Watches the configured cluster and alerts in Slack until SIGTERM or Ctrl-C. Takes no arguments:
settings come from the environment and a .env file (see .env.example and README.md). Without
SLACK_BOT_TOKEN the messages are printed to standard output, each with its time. Logs are JSON
lines on standard error (ISO times when it is a terminal); /healthz, /readyz and /metrics are
served on HTTP_PORT.
`;

/** How long shutdown waits for Slack to take pending edits. */
const SHUTDOWN_DEADLINE_MS = 5000;
/** Exit status of a leader that lost its Lease (the container restarts as a standby). */
const EXIT_LEASE_LOST = 3;

/** `podbell run`: watch the configured cluster and alert, until SIGTERM or SIGINT. */
export const runCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(RUN_USAGE);
    return 0;
  }
  if (argv.length > 0) return usageError(io, 'run', `unexpected argument "${argv[0]}" (configuration comes from the environment; see .env.example)`);
  const config = configOrReport(io);
  if (!config) return 2;
  const log = runLogger(config, io);
  const version = packageVersion();
  const registry = metricsRegistry(version);
  const kubeConfig = await kubeConfigOrReport(config, io);
  if (!kubeConfig) return 2;

  // The elector needs the bot, the bot needs the state, and the state's store asks the elector before
  // each write: so the store reads it through this variable, set below (no elector: it may write).
  let elector: LeaderElector | undefined;
  const state = persistedState(config, kubeConfig, log, () => elector?.leading ?? true);
  const deliveries = new DeliveryRelay();
  const threads = state?.threads ?? new MemoryThreadStore();
  const sender = createSender({ config, clock: systemClock, log, registry, store: threads, write: (s) => io.stdout.write(s), onOutcome: deliveries.report });
  const actions = await slackActions(config, log, registry);
  const bot = new Bot({ config, kubeConfig, sender, deliveries, clock: systemClock, log, registry, ...(state && { state }), ...(actions && { actions }), standby: config.podNamespace !== undefined });
  elector = leaderElector(config, kubeConfig, bot, log, registry, io);
  const http = await serveHealth(io, { port: config.httpPort, registry, ready: () => bot.ready(), warning: () => sender.problem?.() });
  if (!http) return 2;
  log.info({ version, node: process.versions.node, port: http.port }, `podbell ${version} serving /healthz /readyz /metrics`);
  return runUntilSignal(bot, elector, http, log, io);
};

function runLogger(config: Config, io: CommandIO): Logger {
  // Logs to stderr: stdout carries the messages when there is no token.
  const stderrTty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  return createLogger({ level: config.logLevel, secrets: [config.slackToken, config.slackAppToken], destination: { write: (s: string) => void io.stderr.write(s) }, isoTime: stderrTty });
}

function metricsRegistry(version: string): Registry {
  const registry = new Registry();
  registerBuildInfo(registry, version);
  // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: the 10 ms timer alone kept an idle bot at 0.6% of a core.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}

/** The cluster's KubeConfig, or undefined once a bad one is reported on stderr (exit status 2). */
async function kubeConfigOrReport(config: Config, io: CommandIO): Promise<KubeConfig | undefined> {
  try {
    return await openKubeConfig(config.kubeconfig, io.env.KUBERNETES_SERVICE_HOST !== undefined);
  } catch (err) {
    if (!(err instanceof KubeConfigError)) throw err;
    io.stderr.write(`podbell: ${err.message}\n`);
    return undefined;
  }
}

/** Persistence is on when the chart (or the user) names both the namespace and the ConfigMap. */
function persistedState(config: Config, kubeConfig: KubeConfig, log: Logger, mayWrite: () => boolean): BotState | undefined {
  if (config.podNamespace !== undefined && config.threadStoreConfigMap !== undefined) {
    const store = new ConfigMapStateStore({ kubeConfig, namespace: config.podNamespace, name: config.threadStoreConfigMap, clock: systemClock, log, mayWrite });
    const state = { store, threads: new MemoryThreadStore() };
    log.info({ configmap: store.where }, 'open incidents and Slack threads are kept across restarts');
    return state;
  }
  if (config.threadStoreConfigMap !== undefined) {
    log.warn('THREAD_STORE_CONFIGMAP is set but POD_NAMESPACE is not: state is kept in memory only (lost on restart)');
  }
  return undefined;
}

/**
 * SLACK_APP_TOKEN: buttons on alerts, answered over Socket Mode (config requires SLACK_BOT_TOKEN with it).
 * Loaded only then: without buttons, podbell never loads the Socket Mode client.
 */
async function slackActions(config: Config, log: Logger, registry: Registry): Promise<SlackActions | undefined> {
  if (config.slackAppToken === undefined || config.slackToken === undefined) return undefined;
  const { SlackActions } = await import('../adapters/slack/socket.js');
  return new SlackActions({ appToken: config.slackAppToken, botToken: config.slackToken, apiUrl: config.slackApiUrl, allowedUsers: config.slackAllowedUsers, allowedGroups: config.slackAllowedGroups, clock: systemClock, log, registry });
}

/**
 * Leader election whenever podbell knows its namespace (the chart always sets it): one replica
 * or two, only the Lease holder sends and writes the state.
 */
function leaderElector(config: Config, kubeConfig: KubeConfig, bot: Bot, log: Logger, registry: Registry, io: CommandIO): LeaderElector | undefined {
  if (config.podNamespace === undefined) {
    log.info('POD_NAMESPACE is not set: no leader election, this process always sends (run one only)');
    return undefined;
  }
  const times = electionTimes(config.leaseDurationMs, config.leaseRenewMs);
  return new LeaderElector({
    lease: new LeaseClient({ kubeConfig, clock: systemClock, namespace: config.podNamespace, name: config.leaseName, timeoutMs: times.renewDeadlineMs }),
    // POD_NAME in the chart; hostname-pid keeps two local processes apart.
    identity: config.podName ?? `${hostname()}-${process.pid}`,
    times,
    clock: systemClock,
    log,
    registry,
    onStartedLeading: () =>
      void bot.lead().catch((err: unknown) => {
        // Taking over failed for good (e.g. Slack refused SLACK_APP_TOKEN): exit, as at start-up.
        log.fatal({ err }, 'cannot take over');
        io.stderr.write(`podbell: ${(err as Error).message}\n`);
        process.exit(1);
      }),
    onStoppedLeading: () => {
      // Fenced: stop sending NOW, before a standby can take over. Exiting drops the queue, the
      // pipeline and every timer at once; Kubernetes restarts this pod as a standby
      // (docs/high-availability.md: why exit rather than step down in-process).
      log.fatal({ code: 'lease_lost' }, 'lost leadership: exiting so nothing more is sent; the pod restarts as a standby');
      process.exit(EXIT_LEASE_LOST);
    },
  });
}

/**
 * The health server on HTTP_PORT, or undefined once a port that cannot be bound is reported in
 * one line naming HTTP_PORT (exit status 2: the setting is wrong, not podbell).
 */
async function serveHealth(io: CommandIO, options: HealthServerOptions): Promise<HealthServer | undefined> {
  try {
    return await startHealthServer(options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'is not allowed for this user';
    io.stderr.write(`podbell: HTTP_PORT=${options.port}: port ${options.port} ${why} (set HTTP_PORT to a free port)\n`);
    return undefined;
  }
}

/** Starts the bot (and the election), then on SIGTERM or SIGINT sends pending edits and stops; returns the exit status. */
async function runUntilSignal(bot: Bot, elector: LeaderElector | undefined, http: HealthServer, log: Logger, io: CommandIO): Promise<number> {
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
}
