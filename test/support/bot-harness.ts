/**
 * The whole bot in-process for e2e tests, wired as `podbell run` wires it: SlackSender (on the
 * official WebClient, against the fake Slack) reporting to a DeliveryRelay, and a Bot watching the
 * simulated API server. Built here once so every e2e test exercises the same wiring; the test owns
 * the sim and the fake Slack (their options differ per file) and starts the bot itself.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { SlackActions } from '../../src/adapters/slack/socket.js';
import { ConfigMapStateStore } from '../../src/adapters/store/configmap.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { Bot, type BotState } from '../../src/app.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { DeliveryRelay } from '../../src/ports.js';
import { simKubeConfig, type SimServer } from '../../src/sim/index.js';
import type { FakeSlack } from '../fakes/slack.js';

export interface BotHarnessOptions {
  /** The simulated API server the bot watches (and keeps its state ConfigMap in). */
  readonly server: SimServer;
  /** The fake Slack the bot posts to; its bot token and URL are put in the config. */
  readonly slack: FakeSlack;
  /**
   * Environment over the harness defaults (GROUP_WAIT 0, GROUP_INTERVAL 300ms, CLUSTER_NAME e2e).
   * With THREAD_STORE_CONFIGMAP (and POD_NAMESPACE) the bot saves its state there, debounced 50 ms.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Slack actions over the fake Slack's Socket Mode: sets SLACK_APP_TOKEN and builds SlackActions. Default false. */
  readonly socketMode?: boolean;
  /** For the sender, the bot, the actions and the state store; default the system clock. */
  readonly clock?: Clock;
  /** Default silent. */
  readonly log?: Logger;
  /** The sender's post rate; default 20 (the fake Slack does not throttle). */
  readonly postsPerSecond?: number;
}

export interface BotHarness {
  readonly config: Config;
  readonly kubeConfig: KubeConfig;
  /** A fresh registry per bot: metrics of this bot only. */
  readonly registry: Registry;
  /** Where the sender reports what became of each message; the bot listens to it. */
  readonly deliveries: DeliveryRelay;
  readonly sender: SlackSender;
  /** Built, not started: the test calls bot.start() when its cluster is set up. */
  readonly bot: Bot;
  readonly slack: FakeSlack;
  /** Stops the bot (1 s to flush); the sim and the fake Slack stay up. */
  stop(): Promise<void>;
}

export function botHarness(options: BotHarnessOptions): BotHarness {
  const { server, slack, clock = systemClock, log = silentLogger(), postsPerSecond = 20 } = options;
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.token,
    ...(options.socketMode && { SLACK_APP_TOKEN: slack.appToken }),
    SLACK_API_URL: slack.url,
    GROUP_WAIT: '0',
    GROUP_INTERVAL: '300ms',
    CLUSTER_NAME: 'e2e',
    ...options.env,
  });
  const registry = new Registry();
  const kubeConfig = simKubeConfig({ url: server.url });
  const threads = new MemoryThreadStore();
  const deliveries = new DeliveryRelay();
  const sender = new SlackSender({ token: slack.token, apiUrl: slack.url, defaultChannel: config.slackChannel, clock, log, registry, store: threads, postsPerSecond, onOutcome: deliveries.report });
  const actions = options.socketMode
    ? { actions: new SlackActions({ appToken: config.slackAppToken!, botToken: config.slackToken!, apiUrl: slack.url, allowedUsers: config.slackAllowedUsers, allowedGroups: config.slackAllowedGroups, clock, log, registry, pingTimeoutMs: 2000 }) }
    : {};
  const state: { state?: BotState } = config.threadStoreConfigMap
    ? { state: { store: new ConfigMapStateStore({ kubeConfig, namespace: config.podNamespace!, name: config.threadStoreConfigMap, clock, log }), threads, debounceMs: 50 } }
    : {};
  const bot = new Bot({ config, kubeConfig, sender, deliveries, clock, log, registry, ...actions, ...state });
  return { config, kubeConfig, registry, deliveries, sender, bot, slack, stop: () => bot.stop(1000) };
}
