/**
 * FakeSocketMode: the WebSocket half of Slack's Socket Mode on 127.0.0.1, for the real
 * @slack/socket-mode client. FakeSlack answers `apps.connections.open` (with the app-level xapp- token)
 * with a `ws://127.0.0.1:PORT/link/?ticket=…` URL from `ticket()`; the client connects there.
 *
 * Wire protocol, as Slack documents it:
 *   server -> client  {"type":"hello","num_connections":1,"connection_info":{"app_id":"A…"},"debug_info":{…}}
 *   server -> client  {"envelope_id":"…","type":"interactive","accepts_response_payload":false,"payload":{block_actions…}}
 *                     (a redelivery adds "retry_attempt":N,"retry_reason":"timeout" and keeps the envelope_id)
 *   client -> server  {"envelope_id":"…","payload":{}}   the acknowledgement
 *   server -> client  {"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"…"}}
 * plus abrupt drops (the TCP connection destroyed without a close frame) and one-use tickets.
 *
 *   const socket = await FakeSocketMode.start();
 *   const slack = await FakeSlack.start({ socketMode: socket });
 *   socket.clickButton({ user: 'U1', actionId: 'podbell:ack', value: 't1' });   // -> envelope id
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface BlockActionClick {
  readonly user: string;
  readonly actionId: string;
  /** A button's value, or (with `select`) the selected option's value. */
  readonly value: string;
  readonly select?: boolean;
  readonly channel?: string;
  readonly messageTs?: string;
  readonly appId?: string;
  /** Seconds, as Slack's `action_ts` string; default now. */
  readonly actionTs?: number;
}

interface Sent {
  envelope: Record<string, unknown>;
  acked: boolean;
}

export class FakeSocketMode {
  readonly appId: string;
  readonly #server: WebSocketServer;
  readonly #tickets = new Set<string>();
  readonly #sent = new Map<string, Sent>();
  #socket: WebSocket | undefined;
  #url = '';
  #ticketSeq = 0;
  #envelopeSeq = 0;
  /** Every hello sent: one per connection the client opened. */
  connections = 0;
  /** Ack frames received, in order (envelope ids; duplicates kept). */
  readonly acks: string[] = [];

  private constructor(appId: string) {
    this.appId = appId;
    this.#server = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (info: { req: { url?: string } }) => this.#admit(info.req.url) });
    this.#server.on('connection', (ws) => this.#accept(ws));
  }

  static async start(options: { readonly appId?: string } = {}): Promise<FakeSocketMode> {
    const fake = new FakeSocketMode(options.appId ?? 'A0000PODBELL');
    await new Promise<void>((resolve) => fake.#server.once('listening', () => resolve()));
    const { port } = fake.#server.address() as AddressInfo;
    fake.#url = `ws://127.0.0.1:${port}/link/`;
    return fake;
  }

  /** A fresh one-use URL, as `apps.connections.open` returns. */
  ticket(): string {
    const t = `fake-ticket-${++this.#ticketSeq}`;
    this.#tickets.add(t);
    return `${this.#url}?ticket=${t}`;
  }

  /** True while a client holds an open, greeted connection. */
  get connected(): boolean {
    return this.#socket !== undefined && this.#socket.readyState === 1;
  }

  /** Sends a block_actions payload in an `interactive` envelope; returns its envelope id. */
  clickButton(click: BlockActionClick): string {
    return this.deliver(blockActionsPayload(click, this.appId));
  }

  /** Sends any payload in an `interactive` envelope (malformed ones included); returns its envelope id. */
  deliver(payload: unknown): string {
    const id = `fake-envelope-${++this.#envelopeSeq}`;
    const envelope = { envelope_id: id, type: 'interactive', accepts_response_payload: false, payload };
    this.#sent.set(id, { envelope, acked: false });
    this.#send(envelope);
    return id;
  }

  /** Sends an envelope again with retry_attempt/retry_reason (Slack's redelivery of an unacked one, or a duplicate). */
  redeliver(envelopeId: string, reason = 'timeout'): void {
    const s = this.#sent.get(envelopeId);
    if (!s) throw new Error(`FakeSocketMode: no envelope ${envelopeId}`);
    const attempt = Number(s.envelope.retry_attempt ?? 0) + 1;
    s.envelope = { ...s.envelope, retry_attempt: attempt, retry_reason: reason };
    this.#send(s.envelope);
  }

  /** Redelivers every envelope not acknowledged yet; returns their ids. */
  redeliverUnacked(): string[] {
    const ids = [...this.#sent].filter(([, s]) => !s.acked).map(([id]) => id);
    for (const id of ids) this.redeliver(id);
    return ids;
  }

  acked(envelopeId: string): boolean {
    return this.#sent.get(envelopeId)?.acked ?? false;
  }

  /** Slack rotating the connection: `disconnect` with reason refresh_requested, then it closes. */
  refresh(): void {
    this.#send({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-applink' } });
  }

  /** The connection dies without a close frame (a network drop). */
  drop(): void {
    this.#socket?.terminate();
    this.#socket = undefined;
  }

  async close(): Promise<void> {
    for (const c of this.#server.clients) c.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #admit(url: string | undefined): boolean {
    const ticket = new URL(url ?? '/', 'ws://fake').searchParams.get('ticket') ?? '';
    // One use per ticket, as Slack's URLs are.
    return this.#tickets.delete(ticket);
  }

  #accept(ws: WebSocket): void {
    this.#socket?.terminate();
    this.#socket = ws;
    this.connections++;
    ws.on('message', (data) => this.#onMessage(data.toString()));
    ws.on('close', () => {
      if (this.#socket === ws) this.#socket = undefined;
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: this.appId }, debug_info: { host: 'fake-applink', approximate_connection_time: 18060 } }));
  }

  #onMessage(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const id = (frame as { envelope_id?: unknown }).envelope_id;
    if (typeof id !== 'string') return;
    this.acks.push(id);
    const s = this.#sent.get(id);
    if (s) s.acked = true;
  }

  #send(frame: unknown): void {
    if (!this.connected) return; // not delivered; redeliverUnacked() sends it on the next connection
    this.#socket!.send(JSON.stringify(frame));
  }
}

/** The block_actions payload Slack sends when a user clicks a button or picks an option. */
export function blockActionsPayload(click: BlockActionClick, appId = 'A0000PODBELL'): Record<string, unknown> {
  const actionTs = (click.actionTs ?? Date.now() / 1000).toFixed(6);
  const action = click.select
    ? { type: 'static_select', action_id: click.actionId, block_id: 'podbell-actions', selected_option: { text: { type: 'plain_text', text: click.value }, value: click.value }, action_ts: actionTs }
    : { type: 'button', action_id: click.actionId, block_id: 'podbell-actions', value: click.value, text: { type: 'plain_text', text: click.actionId }, action_ts: actionTs };
  const channel = click.channel ?? 'C0001FAKE';
  return {
    type: 'block_actions',
    api_app_id: click.appId ?? appId,
    team: { id: 'T0000FAKE', domain: 'podbell-test' },
    user: { id: click.user, username: click.user.toLowerCase(), team_id: 'T0000FAKE' },
    container: { type: 'message', message_ts: click.messageTs ?? '1700000000.000100', channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: 'alerts' },
    trigger_id: `${Date.now()}.fake.trigger`,
    response_url: 'https://hooks.slack.invalid/actions/fake',
    actions: [action],
  };
}
