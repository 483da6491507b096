/**
 * Slack actions over Socket Mode (docs/slack-actions.md): the official SocketModeClient connects out
 * to Slack with the app-level token (no public endpoint, no ingress), acknowledges every envelope at
 * once, and reconnects by itself when Slack refreshes or drops the socket. Each podbell button press
 * becomes an action input of the pipeline; policy (who may, what changes) is the core's.
 */
import { SocketModeClient } from '@slack/socket-mode';
import { WebClient } from '@slack/web-api';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Cancel, Clock } from '../../clock.js';
import { parseInteractive } from '../../core/action-payload.js';
import type { ActionResult } from '../../core/action-types.js';
import type { ActionInput } from '../../core/actions.js';
import { SlackAuthError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { backoffDelay } from '../../backoff.js';
import { positiveOption } from '../../options.js';
import { redactToken } from './classify.js';
import { clientLogger } from './client-logger.js';
import { isAuthError } from './errors.js';

/** What takes the actions: the Pipeline. */
export interface ActionSink {
  action(input: ActionInput): { readonly result: ActionResult; readonly notice?: string };
}

/** What the Bot starts and stops. */
export interface ActionSource {
  start(sink: ActionSink): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackActionsOptions {
  /** SLACK_APP_TOKEN (xapp-…). */
  readonly appToken: string;
  /** SLACK_BOT_TOKEN: for chat.postEphemeral and usergroups.users.list. */
  readonly botToken: string;
  /** SLACK_API_URL. */
  readonly apiUrl: string;
  /** SLACK_ALLOWED_USERS / SLACK_ALLOWED_GROUPS: group membership is asked only for users not listed. */
  readonly allowedUsers: readonly string[];
  readonly allowedGroups: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** The client's ping timeout: a connection silent this long is closed and reopened (default 5000 ms). */
  readonly pingTimeoutMs?: number;
  /** How long a user group's member list is trusted (default 5 min). */
  readonly groupCacheMs?: number;
}

type Envelope = { ack: () => Promise<void>; envelope_id?: string; type?: string; body?: unknown };

/** Bad payloads remembered so a redelivery is not logged again. */
const TOLD_MAX = 500;

export class SlackActions implements ActionSource {
  readonly #o: SlackActionsOptions;
  readonly #actions: Counter<'action' | 'result'>;
  readonly #connected: Gauge;
  readonly #reconnects: Counter;
  readonly #groups = new Map<string, { readonly users: ReadonlySet<string>; readonly at: number }>();
  readonly #told = new Set<string>();
  /** The client's ping timeout (options.pingTimeoutMs, checked once; default 5000 ms). */
  readonly pingTimeoutMs: number;
  /** How long a user group's member list is trusted (options.groupCacheMs, checked once; default 5 min). */
  readonly groupCacheMs: number;
  #client: SocketModeClient | undefined;
  #web: WebClient | undefined;
  #timer: Cancel | undefined;
  /** Reconnection attempts since the last success: the backoff. */
  #failures = 0;

  constructor(options: SlackActionsOptions) {
    this.#o = options;
    this.pingTimeoutMs = positiveOption('SlackActions: option pingTimeoutMs', options.pingTimeoutMs, 5000);
    this.groupCacheMs = positiveOption('SlackActions: option groupCacheMs', options.groupCacheMs, 5 * 60_000);
    this.#actions = new Counter({ name: 'podbell_slack_actions_total', help: 'Slack button presses, by action and how they ended', labelNames: ['action', 'result'] as const, registers: [options.registry] });
    this.#connected = new Gauge({ name: 'podbell_slack_socket_connected', help: '1 while the Socket Mode connection to Slack is open', registers: [options.registry] });
    this.#reconnects = new Counter({ name: 'podbell_slack_socket_reconnects_total', help: 'Socket Mode reconnections (Slack refreshes or drops)', registers: [options.registry] });
  }

  /**
   * Connects and starts taking actions. Rejects (SlackAuthError) only when Slack refuses the app
   * token at start; any other trouble is logged and retried in the background, and alerting goes on.
   */
  async start(sink: ActionSink): Promise<void> {
    const { appToken, botToken, apiUrl, log } = this.#o;
    const scrub = (t: string) => redactToken(redactToken(t, appToken), botToken);
    const logger = clientLogger(log, scrub);
    this.#web = new WebClient(botToken, { slackApiUrl: apiUrl, logger });
    // The client's own reconnect loop is off: a refused URL request there is an unhandled rejection
    // (the process would crash on a revoked token or a Slack outage). Its request retries are off
    // too: they would hold start() (and with it the Bot's watches) for as long as Slack is down.
    // #reconnect does both instead, on podbell's clock.
    const client = new SocketModeClient({
      appToken,
      logger: logger as never,
      autoReconnectEnabled: false,
      clientPingTimeout: this.pingTimeoutMs,
      clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } },
    });
    client.on('connected', () => {
      this.#failures = 0;
      this.#connected.set(1);
      log.info('Slack Socket Mode connected: buttons on alerts work');
    });
    client.on('disconnected', () => {
      this.#connected.set(0);
      this.#reconnect();
    });
    client.on('slack_event', (e: Envelope) => void this.#envelope(sink, e));
    this.#client = client;
    try {
      await client.start();
    } catch (err) {
      const code = (err as { data?: { error?: unknown } }).data?.error;
      if (typeof code === 'string' && isAuthError(code)) {
        this.#client = undefined;
        throw new SlackAuthError(code, `Slack refused SLACK_APP_TOKEN (${code}): check the app-level token (xapp-…, scope connections:write) and that Socket Mode is on (docs/slack-actions.md)`);
      }
      log.warn({ err }, 'Slack Socket Mode could not connect; alerting goes on without buttons and podbell keeps trying');
      this.#reconnect();
    }
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#timer?.();
    this.#timer = undefined;
    if (client) await client.disconnect().catch(() => undefined);
    this.#connected.set(0);
  }

  /** Opens a new connection: at once after a refresh or drop, then backing off to a minute while it fails. */
  #reconnect(): void {
    const client = this.#client;
    if (!client || this.#timer) return;
    const delay = this.#failures === 0 ? 0 : backoffDelay(this.#failures - 1, 1000, 60_000, Math.random);
    this.#failures++;
    this.#timer = this.#o.clock.setTimer(delay, () => {
      this.#timer = undefined;
      if (this.#client !== client) return;
      this.#reconnects.inc();
      this.#o.log.info({ attempt: this.#failures }, 'Slack Socket Mode reconnecting');
      client.start().catch((err: unknown) => {
        this.#o.log.warn({ err, attempt: this.#failures }, 'Slack Socket Mode reconnection failed; trying again');
        this.#reconnect();
      });
    });
  }

  async #envelope(sink: ActionSink, e: Envelope): Promise<void> {
    // Acknowledge at once, before any work: Slack redelivers what is not acked within 3 s.
    e.ack().catch((err: unknown) => this.#o.log.warn({ err }, 'could not acknowledge a Socket Mode envelope; Slack will redeliver it'));
    const envelope = e.envelope_id ?? '';
    if (e.type !== 'interactive') return this.#refuse(envelope, 'other', 'foreign', `envelope type ${JSON.stringify(e.type ?? null)} is not interactive`);
    const parsed = parseInteractive(e.body, envelope);
    if (!parsed.ok) return this.#refuse(envelope, 'other', parsed.result, parsed.why);
    try {
      const input = await this.#withGroups(parsed.input);
      const { result, notice } = sink.action(input);
      this.#actions.inc({ action: input.action, result });
      const fields = { action: input.action, user: input.user, thread: input.thread, value: input.value, result };
      if (result === 'applied') this.#o.log.info(fields, 'Slack action applied');
      else this.#o.log.info(fields, `Slack action not applied: ${result}`);
      if (notice !== undefined && parsed.channel !== undefined) await this.#web!.chat.postEphemeral({ channel: parsed.channel, user: input.user, text: notice });
    } catch (err) {
      this.#actions.inc({ action: parsed.input.action, result: 'error' });
      this.#o.log.warn({ err, action: parsed.input.action, user: parsed.input.user }, 'could not handle a Slack action');
    }
  }

  /** Logged once per envelope (a redelivery is not told again), counted every time. */
  #refuse(envelope: string, action: string, result: ActionResult, why: string): void {
    this.#actions.inc({ action, result });
    if (this.#told.has(envelope)) return;
    if (this.#told.size >= TOLD_MAX) this.#told.clear();
    this.#told.add(envelope);
    this.#o.log.warn({ envelope, result }, `ignored a Socket Mode payload: ${why}`);
  }

  /** Adds the user's allowed groups, asked of Slack (usergroups.users.list) and cached. */
  async #withGroups(input: ActionInput): Promise<ActionInput> {
    const { allowedGroups, allowedUsers, clock } = this.#o;
    if (allowedGroups.length === 0 || allowedUsers.includes(input.user)) return input;
    const groups: string[] = [];
    for (const g of allowedGroups) {
      let entry = this.#groups.get(g);
      if (!entry || entry.at + this.groupCacheMs < clock.now()) {
        let users: readonly string[] = [];
        try {
          users = (await this.#web!.usergroups.users.list({ usergroup: g })).users ?? [];
        } catch (err) {
          // Unreadable (no usergroups:read, a deleted group): nobody counts as a member until it reads again.
          this.#o.log.warn({ err, usergroup: g }, `cannot read the members of user group ${g} (SLACK_ALLOWED_GROUPS; the bot needs usergroups:read): treated as empty for now`);
        }
        entry = { users: new Set(users), at: clock.now() };
        this.#groups.set(g, entry);
      }
      if (entry.users.has(input.user)) groups.push(g);
    }
    return { ...input, groups };
  }
}
