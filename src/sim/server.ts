import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { systemClock, type Clock } from '../clock.js';
import { SimAccess } from './access.js';
import type { SimContext } from './context.js';
import { FaultDice, type SimFaults } from './faults.js';
import { SimLists } from './list.js';
import { SimPartitions } from './partition.js';
import { handleRequest } from './requests.js';
import { sendFailure } from './respond.js';
import type { SimRequestAttributes } from './routes.js';
import { emptyStats, type SimStats } from './stats.js';
import type { SimCluster } from './store.js';
import { SIM_SERVER_CERT_PEM, SIM_SERVER_KEY_PEM } from './tls.js';

/**
 * The simulated API server's lifecycle: options, listening over real HTTP(S) on loopback, and the
 * handle tests hold (faults, authorizer, stats, partitions, close). What a request does is in
 * requests.ts and the handlers it routes to.
 */

export type { SimFaults } from './faults.js';
export type { SimRequestAttributes } from './routes.js';

export interface SimServerOptions {
  readonly cluster: SimCluster;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /**
   * Serve https with the sim's own certificate for 127.0.0.1/localhost (trust SIM_CA_PEM, which the
   * sim kubeconfig helpers embed). Needed for kubectl to send a bearer token; default false (http).
   */
  readonly tls?: boolean;
  /**
   * When set, a request carrying any other Authorization header gets 401. Requests with none are
   * let through unless `requireToken`: kubectl 1.35 never sends a bearer token over plain http://,
   * while client-node (what podbell uses) does.
   */
  readonly token?: string;
  /** More tokens accepted besides `token`: one per client, so a test can partition one of them (see `partitions`). */
  readonly tokens?: readonly string[];
  readonly requireToken?: boolean;
  /** Return false to refuse a request with 403 Forbidden, like RBAC (changeable later through `authorize`). */
  readonly authorize?: (a: SimRequestAttributes) => boolean;
  readonly faults?: SimFaults;
  /** How often watch streams that asked for bookmarks get one (default 10 s; real servers: about 1 min). */
  readonly bookmarkMs?: number;
  /** Timers (bookmarks, watch timeouts) and Table ages; default the system clock. */
  readonly clock?: Clock;
}

export interface SimServer {
  /** http://127.0.0.1:PORT (https:// with `tls`) */
  readonly url: string;
  readonly port: number;
  /** Replaces the fault settings (and reseeds) for requests and streams from now on. */
  setFaults(faults: SimFaults | undefined): void;
  /** Replaces the authorizer. */
  authorize: ((a: SimRequestAttributes) => boolean) | undefined;
  /** Counts of what the server did, for tests that want to see faults really happened. */
  readonly stats: SimStats;
  /** Ends every open stream so clients see the connection close. */
  closeStreams(): void;
  /** Cuts one client (by its bearer token) off the server and back: see SimPartitions. */
  readonly partitions: SimPartitions;
  close(): Promise<void>;
}

/** Starts the simulated API server over real HTTP; resolves once it listens. */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const ctx = contextOf(options);
  const partitions = new SimPartitions();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (partitions.holds(req, res)) return;
    handleRequest(ctx, req, res).catch((err: unknown) => sendFailure(res, err));
  };
  const server = options.tls ? https.createServer({ cert: SIM_SERVER_CERT_PEM, key: SIM_SERVER_KEY_PEM }, listener) : http.createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const closeStreams = () => {
    for (const c of [...ctx.streams]) c();
  };
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    setFaults: (f) => ctx.dice.set(f),
    get authorize() {
      return ctx.access.authorize;
    },
    set authorize(fn) {
      ctx.access.authorize = fn;
    },
    stats: ctx.stats,
    partitions,
    closeStreams,
    async close() {
      closeStreams();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** Checks the options and builds what the handlers share. */
function contextOf(options: SimServerOptions): SimContext {
  if (!options?.cluster) throw new TypeError('startSimServer: options.cluster (a SimCluster) is required');
  const bookmarkMs = options.bookmarkMs ?? 10_000;
  if (!(bookmarkMs > 0)) throw new TypeError(`startSimServer: options.bookmarkMs must be > 0, got ${bookmarkMs}`);
  const { cluster } = options;
  const clock = options.clock ?? systemClock;
  const stats = emptyStats();
  const tokens = new Set([...(options.token !== undefined ? [options.token] : []), ...(options.tokens ?? [])]);
  return {
    cluster,
    clock,
    stats,
    dice: new FaultDice(options.faults),
    access: new SimAccess(tokens, options.requireToken ?? false, options.authorize),
    lists: new SimLists(cluster, clock, stats),
    streams: new Set(),
    bookmarkMs,
  };
}

/** Resolves with the port once the server listens. */
function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}
