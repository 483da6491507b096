/**
 * FakeSlack: a loopback stand-in for Slack's Web API that speaks the wire protocol the official
 * @slack/web-api WebClient uses, so tests exercise the real client over real HTTP.
 *
 *   const slack = await FakeSlack.start({ clock });           // clock: optional, default systemClock
 *   const client = new WebClient(slack.token, { slackApiUrl: slack.url });   // url ends with /api/
 *   ...
 *   slack.requests        // every request: method, parsed params, time (clock ms), headers, outcome
 *   slack.threads()       // what a user sees: top-level messages (latest text) with their replies
 *   await slack.close();
 *
 * Protocol: POST /api/<method>; form-encoded bodies (JSON values such as `blocks` arrive
 * JSON-stringified, and are parsed back) or JSON bodies; the token as `Authorization: Bearer …`
 * (or a `token` param). Answers are JSON `{ ok: true, … }` or `{ ok: false, error }` with status
 * 200, 429 with a Retry-After header when rate limited, or the scripted HTTP failure.
 *
 * Channels: known channels are created from `channels` at start; with `autoCreateChannels`
 * (default true) a post to an unknown `#name` creates it, so callers need no setup. Posting answers
 * with the channel's ID (C…); chat.update and chat.getPermalink want that ID, as Slack does.
 *
 * Scripting, checked in this order for each request: `outage(ms)` (every request fails),
 * `failNext(method, failure, { channel, times })` (the next matching requests fail once each),
 * `rateLimit(channel, seconds)` (that channel's requests get 429 until the time has passed),
 * then the model (auth, unknown channels, archived channels, missing messages).
 *
 * Slack actions: `apps.connections.open` takes the app-level token (xapp-…; the bot token gets
 * `not_allowed_token_type`, as on Slack) and answers with a URL of the FakeSocketMode given as
 * `socketMode` (test/fakes/socket-mode.ts); `chat.postEphemeral` and `usergroups.users.list` (from
 * `userGroups`) answer as Slack does.
 *
 * Time comes from the injected Clock, so with a VirtualClock the recorded `time` of each request,
 * the rate-limit windows and the outages are all in virtual time and tests can assert causality
 * (e.g. "no request to #a before its Retry-After ended") without looking at the wall clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock, type Clock } from '../../src/clock.js';
import type { FakeSocketMode } from './socket-mode.js';

export interface FakeSlackOptions {
  /** The bot token the fake accepts. Default `xoxb-0000-fake-podbell-token`. */
  readonly token?: string;
  /** Source of time for message ts, recorded request times, rate-limit windows and outages. */
  readonly clock?: Clock;
  /** Channels that exist at start, by name (`#alerts`). */
  readonly channels?: readonly string[];
  /** Whether a post to an unknown `#name` creates that channel (default true). */
  readonly autoCreateChannels?: boolean;
  /** Team name that auth.test reports. */
  readonly team?: string;
  /**
   * Wall-clock milliseconds each answer is held back (default 0), like network latency: makes
   * overlapping requests observable (see maxConcurrent). Keep it small; it is real time.
   */
  readonly latencyMs?: number;
  /**
   * Socket Mode: `apps.connections.open`, called with the app-level token (`appToken`), answers with
   * one of this server's URLs. Without it the method answers `not_allowed_token_type`.
   */
  readonly socketMode?: FakeSocketMode;
  /** The app-level token (xapp-…) the fake accepts. Default `xapp-1-A0000PODBELL-0000-fake`. */
  readonly appToken?: string;
  /** User groups for usergroups.users.list: group id -> member user ids. */
  readonly userGroups?: Readonly<Record<string, readonly string[]>>;
}

/** How one scripted request fails. */
export type FakeFailure =
  /** HTTP 200 `{ ok: false, error }` (plus any extra fields, e.g. `needed` for missing_scope). */
  | { readonly error: string; readonly extra?: Readonly<Record<string, unknown>> }
  /** An HTTP status (e.g. 500, 503) with an optional body. */
  | { readonly status: number; readonly body?: string }
  /** HTTP 429; `retryAfter` seconds in the Retry-After header, or no header when undefined. */
  | { readonly retryAfter: number | undefined }
  /** The connection is destroyed without an answer (a network error for the client). */
  | { readonly reset: true }
  /**
   * The call takes effect (a post lands) but the answer is held back this many wall-clock ms: with a
   * shorter client timeout, the client gives up although Slack did the work (an answer lost).
   */
  | { readonly lateMs: number };

export interface RecordedRequest {
  readonly method: string;
  /** Body params, with JSON-valued fields (blocks, attachments, metadata) parsed. */
  readonly params: Readonly<Record<string, unknown>>;
  /** clock.now() when the request arrived. */
  readonly time: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** HTTP status answered (0 when the connection was reset). */
  readonly status: number;
  /** `ok`, Slack's error string, `ratelimited`, `http_<status>` or `reset`. */
  readonly outcome: string;
  /** The channel ID the request addressed, when it named a known channel. */
  readonly channelId?: string;
  /** Seconds sent in the Retry-After header of a 429. */
  readonly retryAfter?: number;
}

/** A message as a user sees it now (latest text after edits). */
export interface MessageView {
  readonly channel: string;
  readonly channelName: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: readonly unknown[];
  /** How many times chat.update changed it. */
  readonly edits: number;
  /** Set on replies: the ts of the thread's parent. */
  readonly threadTs?: string;
  /** Replies in post order (empty for replies themselves). */
  readonly replies: readonly MessageView[];
}

interface Message {
  readonly ts: string;
  text: string;
  blocks?: unknown[];
  /** chat.postMessage's `metadata` ({ event_type, event_payload }), served back by conversations.history. */
  readonly metadata?: unknown;
  edits: number;
  readonly threadTs?: string;
  readonly replies: Message[];
}

interface Channel {
  readonly id: string;
  readonly name: string;
  archived: boolean;
  member: boolean;
  readonly messages: Message[];
}

interface Script {
  readonly method: string;
  readonly channel?: string;
  remaining: number;
  readonly failure: FakeFailure;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata']);
const DEFAULT_TOKEN = 'xoxb-0000-fake-podbell-token';
const DEFAULT_APP_TOKEN = 'xapp-1-A0000PODBELL-0000-fake';
/** Methods that take the app-level token; every other method takes the bot token. */
const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

export class FakeSlack {
  readonly token: string;
  readonly appToken: string;
  readonly #socketMode: FakeSocketMode | undefined;
  readonly #userGroups: Readonly<Record<string, readonly string[]>>;
  readonly #clock: Clock;
  readonly #autoCreate: boolean;
  readonly #team: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #requests: RecordedRequest[] = [];
  readonly #channels = new Map<string, Channel>();
  readonly #scripts: Script[] = [];
  readonly #rateLimits = new Map<string, number>();
  readonly #latencyMs: number;
  readonly #active = new Map<string, number>();
  readonly #maxActive = new Map<string, number>();
  #outage: { until: number; failure: FakeFailure } | undefined;
  #revoked = false;
  #nextChannel = 1;
  #lastTs = 0;
  #url = '';

  private constructor(options: FakeSlackOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.appToken = options.appToken ?? DEFAULT_APP_TOKEN;
    this.#socketMode = options.socketMode;
    this.#userGroups = options.userGroups ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#autoCreate = options.autoCreateChannels ?? true;
    this.#team = options.team ?? 'podbell-test';
    this.#latencyMs = options.latencyMs ?? 0;
    for (const name of options.channels ?? []) this.createChannel(name);
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.#server.address() as AddressInfo;
    fake.#url = `http://127.0.0.1:${port}/api/`;
    return fake;
  }

  /** Base URL for WebClient's `slackApiUrl`; ends with `/api/`. */
  get url(): string {
    return this.#url;
  }

  /** Every request received, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Forgets recorded requests (the channel model stays): for long demos and benchmarks. */
  clearRequests(): void {
    this.#requests.length = 0;
  }

  /** Requests for one method, optionally only those addressing one channel (name or ID). */
  requestsFor(method: string, channel?: string): RecordedRequest[] {
    const id = channel === undefined ? undefined : this.channelId(channel) ?? channel;
    return this.#requests.filter((r) => r.method === method && (id === undefined || r.channelId === id));
  }

  /** Most requests addressing one channel (name or ID) that were in progress at the same time. */
  maxConcurrent(channel: string): number {
    const id = this.channelId(channel);
    const name = id === undefined ? channel : `#${this.#channels.get(id)!.name}`;
    return Math.max(this.#maxActive.get(id ?? channel) ?? 0, this.#maxActive.get(name) ?? 0, this.#maxActive.get(name.slice(1)) ?? 0);
  }

  /** Creates a channel (idempotent by name) and returns its ID. */
  createChannel(name: string, options: { readonly archived?: boolean; readonly member?: boolean } = {}): string {
    const bare = name.replace(/^#/, '');
    const existing = [...this.#channels.values()].find((c) => c.name === bare);
    if (existing) return existing.id;
    const id = `C${String(this.#nextChannel++).padStart(4, '0')}FAKE`;
    this.#channels.set(id, {
      id,
      name: bare,
      archived: options.archived ?? false,
      member: options.member ?? true,
      messages: [],
    });
    return id;
  }

  /** Archives a channel: posts and edits then fail with is_archived. */
  archiveChannel(channel: string): void {
    this.#channel(channel).archived = true;
  }

  /** Removes the bot from a channel: posts then fail with not_in_channel. */
  leaveChannel(channel: string): void {
    this.#channel(channel).member = false;
  }

  /** Deletes a message (as a user or admin would): later edits get message_not_found. */
  deleteMessage(channel: string, ts: string): void {
    const c = this.#channel(channel);
    const i = c.messages.findIndex((m) => m.ts === ts);
    if (i >= 0) c.messages.splice(i, 1);
    for (const m of c.messages) {
      const j = m.replies.findIndex((r) => r.ts === ts);
      if (j >= 0) m.replies.splice(j, 1);
    }
  }

  /** From now on every call answers token_revoked. */
  revokeToken(): void {
    this.#revoked = true;
  }

  /** The ID of a channel given by `#name`, bare name or ID; undefined when unknown. */
  channelId(channel: string): string | undefined {
    if (this.#channels.has(channel)) return channel;
    const bare = channel.replace(/^#/, '');
    return [...this.#channels.values()].find((c) => c.name === bare)?.id;
  }

  /** The next `times` (default 1) requests for `method` (and `channel`, name or ID, if given) fail so. */
  failNext(method: string, failure: FakeFailure, options: { readonly channel?: string; readonly times?: number } = {}): void {
    this.#scripts.push({ method, channel: options.channel, remaining: options.times ?? 1, failure });
  }

  /** For `seconds` of clock time, every request addressing `channel` gets 429 with the remaining Retry-After. */
  rateLimit(channel: string, seconds: number): void {
    const id = this.channelId(channel) ?? this.createChannel(channel);
    this.#rateLimits.set(id, this.#clock.now() + seconds * 1000);
  }

  /** For `ms` of clock time every request fails (HTTP 503 by default, or as given). */
  outage(ms: number, failure: FakeFailure = { status: 503, body: 'upstream unavailable' }): void {
    this.#outage = { until: this.#clock.now() + ms, failure };
  }

  /** Ends an outage now (for tests on the real clock that wait for an event, not for time). */
  recover(): void {
    this.#outage = undefined;
  }

  /** What a user sees: top-level messages (oldest first) with replies, in one channel or all. */
  threads(channel?: string): MessageView[] {
    const channels = channel === undefined ? [...this.#channels.values()] : [this.#channel(channel)];
    return channels.flatMap((c) => c.messages.map((m) => view(c, m)));
  }

  /** One message (top-level or reply) by channel and ts, as a user sees it now. */
  message(channel: string, ts: string): MessageView | undefined {
    const c = this.#channel(channel);
    for (const m of c.messages) {
      if (m.ts === ts) return view(c, m);
      const r = m.replies.find((x) => x.ts === ts);
      if (r) return view(c, r);
    }
    return undefined;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #channel(channel: string): Channel {
    const id = this.channelId(channel);
    const c = id === undefined ? undefined : this.#channels.get(id);
    if (!c) throw new Error(`FakeSlack: no channel ${channel}`);
    return c;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = this.#clock.now();
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = url.pathname.replace(/^\/api\//, '');
    const params = parseParams(body, String(req.headers['content-type'] ?? ''), url.searchParams);
    const channelParam = typeof params.channel === 'string' ? params.channel : undefined;
    const channelId = channelParam === undefined ? undefined : this.channelId(channelParam);
    const record = (status: number, outcome: string, retryAfter?: number) =>
      this.#requests.push({
        method,
        params,
        time,
        headers: { ...req.headers },
        status,
        outcome,
        // Resolved when answering: a post to a new #name creates the channel on the way.
        ...(channelParam !== undefined && this.channelId(channelParam) !== undefined ? { channelId: this.channelId(channelParam)! } : {}),
        ...(retryAfter !== undefined ? { retryAfter } : {}),
      });
    const key = channelId ?? channelParam ?? '';
    const active = (this.#active.get(key) ?? 0) + 1;
    this.#active.set(key, active);
    this.#maxActive.set(key, Math.max(active, this.#maxActive.get(key) ?? 0));
    try {
      if (this.#latencyMs > 0) await new Promise((r) => setTimeout(r, this.#latencyMs));
      this.#respond(req, res, method, params, time, channelId, channelParam, record);
    } finally {
      this.#active.set(key, (this.#active.get(key) ?? 1) - 1);
    }
  }

  #respond(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    params: Record<string, unknown>,
    time: number,
    channelId: string | undefined,
    channelParam: string | undefined,
    record: (status: number, outcome: string, retryAfter?: number) => void,
  ): void {
    const scripted = this.#scripted(method, channelId ?? channelParam, time);
    if (scripted && 'lateMs' in scripted) {
      const payload = this.#call(method, params, time);
      setTimeout(() => {
        if (!res.socket || res.socket.destroyed) return void record(0, 'late_unread');
        this.#answer(res, payload, record);
      }, scripted.lateMs);
      return;
    }
    if (scripted) return this.#fail(res, scripted, record);

    const limitedUntil = channelId === undefined ? undefined : this.#rateLimits.get(channelId);
    if (limitedUntil !== undefined && limitedUntil > time) {
      return this.#fail(res, { retryAfter: Math.max(1, Math.ceil((limitedUntil - time) / 1000)) }, record);
    }

    const auth = this.#checkAuth(req, params, APP_TOKEN_METHODS.has(method) ? this.appToken : this.token);
    if (auth) return this.#answer(res, { ok: false, error: auth }, record);
    this.#answer(res, this.#call(method, params, time), record);
  }

  #scripted(method: string, channel: string | undefined, time: number): FakeFailure | undefined {
    if (this.#outage && this.#outage.until > time) return this.#outage.failure;
    const i = this.#scripts.findIndex(
      (s) => s.method === method && (s.channel === undefined || (this.channelId(s.channel) ?? s.channel) === channel),
    );
    if (i < 0) return undefined;
    const s = this.#scripts[i]!;
    if (--s.remaining <= 0) this.#scripts.splice(i, 1);
    return s.failure;
  }

  #fail(res: ServerResponse, f: FakeFailure, record: (status: number, outcome: string, retryAfter?: number) => void): void {
    if ('reset' in f) {
      record(0, 'reset');
      res.socket?.destroy();
      return;
    }
    if ('retryAfter' in f) {
      record(429, 'ratelimited', f.retryAfter);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
      res.writeHead(429, headers).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if ('status' in f) {
      record(f.status, `http_${f.status}`);
      res.writeHead(f.status, { 'content-type': 'text/plain' }).end(f.body ?? '');
      return;
    }
    if ('lateMs' in f) return; // handled before (#respond): the call takes effect
    this.#answer(res, { ok: false, error: f.error, ...f.extra }, record);
  }

  #answer(res: ServerResponse, payload: Record<string, unknown>, record: (status: number, outcome: string, retryAfter?: number) => void): void {
    record(200, payload.ok === true ? 'ok' : String(payload.error));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(payload));
  }

  #checkAuth(req: IncomingMessage, params: Record<string, unknown>, expected: string): string | undefined {
    const header = String(req.headers.authorization ?? '');
    const token = header.startsWith('Bearer ') ? header.slice(7) : typeof params.token === 'string' ? params.token : '';
    if (token === '') return 'not_authed';
    // As Slack: the right kind of token for the method, then the right token.
    if ((token === this.appToken || token === this.token) && token !== expected) return 'not_allowed_token_type';
    if (token !== expected) return 'invalid_auth';
    if (this.#revoked) return 'token_revoked';
    return undefined;
  }

  #call(method: string, p: Record<string, unknown>, time: number): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://podbell-test.slack.com/', team: this.#team, user: 'podbell', team_id: 'T0000FAKE', user_id: 'U0000BOT', bot_id: 'B0000BOT' };
      case 'chat.postMessage':
        return this.#postMessage(p, time);
      case 'chat.update':
        return this.#update(p);
      case 'chat.postEphemeral': {
        const c = this.#writable(p.channel, false);
        if (typeof c === 'string') return { ok: false, error: c };
        if (typeof p.user !== 'string' || p.user === '') return { ok: false, error: 'user_not_in_channel' };
        const content = checkContent(p);
        if (typeof content === 'string') return { ok: false, error: content };
        return { ok: true, message_ts: this.#ts(time) };
      }
      case 'usergroups.users.list': {
        const members = this.#userGroups[String(p.usergroup ?? '')];
        return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
      }
      case 'apps.connections.open':
        return this.#socketMode ? { ok: true, url: this.#socketMode.ticket() } : { ok: false, error: 'not_allowed_token_type' };
      case 'conversations.list':
        return {
          ok: true,
          channels: [...this.#channels.values()].filter((c) => !c.archived).map((c) => ({ id: c.id, name: c.name, is_channel: true, is_archived: c.archived, is_member: c.member })),
          response_metadata: { next_cursor: '' },
        };
      case 'conversations.history':
        return this.#history(p);
      case 'conversations.replies':
        return this.#replies(p);
      case 'chat.getPermalink': {
        const c = this.#channels.get(String(p.channel ?? ''));
        if (!c) return { ok: false, error: 'channel_not_found' };
        const ts = String(p.message_ts ?? '');
        if (!this.message(c.id, ts)) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: c.id, permalink: `https://podbell-test.slack.com/archives/${c.id}/p${ts.replace('.', '')}` };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  #writable(channel: unknown, create: boolean): Channel | string {
    const name = String(channel ?? '');
    let id = this.channelId(name);
    if (id === undefined && create && this.#autoCreate && /^#?[a-z0-9][a-z0-9_.-]*$/.test(name) && !/^C[A-Z0-9]+$/.test(name)) {
      id = this.createChannel(name);
    }
    const c = id === undefined ? undefined : this.#channels.get(id);
    if (!c) return 'channel_not_found';
    if (c.archived) return 'is_archived';
    if (!c.member) return 'not_in_channel';
    return c;
  }

  #postMessage(p: Record<string, unknown>, time: number): Record<string, unknown> {
    const c = this.#writable(p.channel, true);
    if (typeof c === 'string') return { ok: false, error: c };
    const content = checkContent(p);
    if (typeof content === 'string') return { ok: false, error: content };
    const threadTs = typeof p.thread_ts === 'string' && p.thread_ts !== '' ? p.thread_ts : undefined;
    let parent: Message | undefined;
    if (threadTs !== undefined) {
      parent = c.messages.find((m) => m.ts === threadTs);
      if (!parent) return { ok: false, error: 'thread_not_found' };
    }
    const ts = this.#ts(time);
    const message: Message = { ts, text: content.text, blocks: content.blocks, edits: 0, threadTs, replies: [], ...(p.metadata !== undefined && { metadata: p.metadata }) };
    (parent ? parent.replies : c.messages).push(message);
    return { ok: true, channel: c.id, ts, message: { type: 'message', text: message.text, ts, bot_id: 'B0000BOT' } };
  }

  /** As Slack: channel ID only, newest first, `limit` (default 100), metadata only with include_all_metadata. */
  #history(p: Record<string, unknown>): Record<string, unknown> {
    const c = this.#channels.get(String(p.channel ?? ''));
    if (!c) return { ok: false, error: 'channel_not_found' };
    const limit = Math.min(999, Number(p.limit ?? 100) || 100);
    const withMeta = String(p.include_all_metadata) === 'true';
    const messages = [...c.messages].reverse().slice(0, limit).map((m) => wire(m, withMeta));
    return { ok: true, messages, has_more: c.messages.length > limit };
  }

  /** As Slack: the thread's parent first, then its replies, oldest first. */
  #replies(p: Record<string, unknown>): Record<string, unknown> {
    const c = this.#channels.get(String(p.channel ?? ''));
    if (!c) return { ok: false, error: 'channel_not_found' };
    const parent = c.messages.find((m) => m.ts === String(p.ts ?? ''));
    if (!parent) return { ok: false, error: 'thread_not_found' };
    const withMeta = String(p.include_all_metadata) === 'true';
    return { ok: true, messages: [parent, ...parent.replies].map((m) => wire(m, withMeta)), has_more: false };
  }

  #update(p: Record<string, unknown>): Record<string, unknown> {
    // Like Slack, chat.update wants the channel ID (a #name is not found).
    const id = String(p.channel ?? '');
    if (!this.#channels.has(id)) return { ok: false, error: 'channel_not_found' };
    const c = this.#writable(id, false);
    if (typeof c === 'string') return { ok: false, error: c };
    const ts = String(p.ts ?? '');
    const target =
      c.messages.find((m) => m.ts === ts) ?? c.messages.flatMap((m) => m.replies).find((r) => r.ts === ts);
    if (!target) return { ok: false, error: 'message_not_found' };
    const content = checkContent(p);
    if (typeof content === 'string') return { ok: false, error: content };
    target.text = content.text;
    // As on Slack: without a blocks field the old blocks stay; an empty array removes them.
    if (p.blocks !== undefined) target.blocks = content.blocks;
    target.edits++;
    return { ok: true, channel: c.id, ts, text: target.text };
  }

  /** Slack-shaped, unique, increasing ts derived from the clock: "1700000000.000100". */
  #ts(time: number): string {
    const micros = Math.max(Math.floor(time) * 1000, this.#lastTs + 1);
    this.#lastTs = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }
}

/** A message as Slack's Web API returns it in conversations.history / replies. */
function wire(m: Message, withMetadata: boolean): Record<string, unknown> {
  return {
    type: 'message',
    ts: m.ts,
    text: m.text,
    bot_id: 'B0000BOT',
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.threadTs !== undefined ? { thread_ts: m.threadTs } : {}),
    ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
  };
}

function view(c: Channel, m: Message): MessageView {
  return {
    channel: c.id,
    channelName: `#${c.name}`,
    ts: m.ts,
    text: m.text,
    ...(m.blocks && m.blocks.length > 0 ? { blocks: m.blocks } : {}),
    edits: m.edits,
    ...(m.threadTs !== undefined ? { threadTs: m.threadTs } : {}),
    replies: m.replies.map((r) => view(c, r)),
  };
}

function checkContent(p: Record<string, unknown>): { text: string; blocks?: unknown[] } | string {
  const text = typeof p.text === 'string' ? p.text : '';
  let blocks: unknown[] | undefined;
  if (p.blocks !== undefined) {
    if (!Array.isArray(p.blocks)) return 'invalid_blocks';
    if (p.blocks.length > 50) return 'invalid_blocks';
    if (p.blocks.some((b) => typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string')) {
      return 'invalid_blocks';
    }
    blocks = p.blocks;
  }
  if (text === '' && (!blocks || blocks.length === 0)) return 'no_text';
  if (text.length > 40_000) return 'msg_too_long';
  return { text, ...(blocks ? { blocks } : {}) };
}

function parseParams(body: string, contentType: string, query: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(query.entries());
  if (contentType.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body || '{}');
      if (parsed && typeof parsed === 'object') Object.assign(params, parsed);
    } catch {
      params.__invalid_json = body;
    }
    return params;
  }
  for (const [k, v] of new URLSearchParams(body)) {
    if (JSON_FIELDS.has(k)) {
      try {
        params[k] = JSON.parse(v);
      } catch {
        params[k] = v;
      }
    } else {
      params[k] = v;
    }
  }
  return params;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
