import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parse as parseYamlText } from 'yaml';
import { systemClock, type Cancel, type Clock } from '../clock.js';
import { API_VERSIONS, AGGREGATED_DISCOVERY, CORE_V1_RESOURCES, SIM_VERSION, coreAggregated } from './discovery.js';
import { apisDiscovery, parseLeaseRoute } from './leases.js';
import { SimPartitions } from './partition.js';
import { SimApiError, badRequest, notFound } from './errors.js';
import { handleSimLogPut, serveLog } from './logs.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { seededRandom } from './random.js';
import { parseAnyJson, parseJson, readBodyBytes, requestObject } from './media.js';
import { openApiAnswer } from './openapi-route.js';
import { validateFields } from './field-validation.js';
import { fieldSelector, labelSelector, type Matcher } from './selectors.js';
import { SIM_API_VERSIONS, SIM_KINDS, qualifiedResource, type SimCluster, type SimEvent, type SimResource } from './store.js';
import { toTable, type IncludeObject } from './table.js';
import { SIM_SERVER_CERT_PEM, SIM_SERVER_KEY_PEM } from './tls.js';
import { type Obj, objOrEmpty as obj } from '../core/json.js';


/**
 * Faults the server injects, drawn from a seeded PRNG so a failing run can be replayed. Stream
 * faults are rolled once per line written to a watch stream (events and bookmarks); request
 * faults once per API request (discovery is never faulted).
 */
export interface SimFaults {
  readonly seed?: number;
  /** Destroy the socket mid-stream (no clean end). */
  readonly dropRate?: number;
  /** Stop writing but keep the socket open (only the client's watchdog gets out of it). */
  readonly stallRate?: number;
  /** Send an ERROR event with a 410 Expired Status and end the stream, like a compacted watch cache. */
  readonly expireRate?: number;
  /** Answer an API request with HTTP 500. */
  readonly errorRate?: number;
  /** Answer an API request with HTTP 429 and Retry-After. */
  readonly throttleRate?: number;
  /** Retry-After seconds sent with 429 (default 1). */
  readonly retryAfterSeconds?: number;
}

/** What a request asks to do, for the authorizer. */
export interface SimRequestAttributes {
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  readonly resource: SimResource;
  readonly subresource?: 'status' | 'log';
  readonly namespace?: string;
  readonly name?: string;
}

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
  readonly stats: { requests: number; watches: number; drops: number; stalls: number; expiries: number; errors: number; throttles: number; gone: number; logs: number };
  /** Ends every open stream so clients see the connection close. */
  closeStreams(): void;
  /** Cuts one client (by its bearer token) off the server and back: see SimPartitions. */
  readonly partitions: SimPartitions;
  close(): Promise<void>;
}

const TABLE_ACCEPT = /as=Table/;

/** Starts the simulated API server over real HTTP; resolves once it listens. */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  if (!options?.cluster) throw new TypeError('startSimServer: options.cluster (a SimCluster) is required');
  const cluster = options.cluster;
  const clock = options.clock ?? systemClock;
  const bookmarkMs = options.bookmarkMs ?? 10_000;
  if (!(bookmarkMs > 0)) throw new TypeError(`startSimServer: options.bookmarkMs must be > 0, got ${bookmarkMs}`);
  let faults: SimFaults = {};
  let random = Math.random;
  const setFaults = (f: SimFaults | undefined) => {
    faults = f ?? {};
    random = seededRandom(faults.seed ?? 1);
  };
  setFaults(options.faults);
  const roll = (rate: number | undefined) => (rate ?? 0) > 0 && random() < rate!;
  const stats = { requests: 0, watches: 0, drops: 0, stalls: 0, expiries: 0, errors: 0, throttles: 0, gone: 0, logs: 0 };
  const sockets = new Set<Socket>();
  const streams = new Set<() => void>();
  /** Consistent LIST pagination: the first page snapshots the whole result; continue tokens point into it. */
  const snapshots = new Map<string, { items: Obj[]; rv: string }>();

  const api: { authorize: SimServerOptions['authorize'] } = { authorize: options.authorize };

  const partitions = new SimPartitions();
  const tokens = new Set([...(options.token !== undefined ? [options.token] : []), ...(options.tokens ?? [])]);
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (partitions.holds(req, res)) return;
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof SimApiError ? err : new SimApiError(500, 'InternalError', `internal error: ${(err as Error)?.message ?? String(err)}`);
      if (!res.headersSent) sendJson(res, e.status, e.toStatus());
      else res.destroy();
    });
  };
  const server = options.tls ? https.createServer({ cert: SIM_SERVER_CERT_PEM, key: SIM_SERVER_KEY_PEM }, listener) : http.createServer(listener);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = String(req.headers.accept ?? '');
    const method = req.method ?? 'GET';

    // Discovery and health: never faulted, no auth needed (like the real server's public paths).
    if (method === 'GET') {
      if (path === '/version') return sendJson(res, 200, SIM_VERSION);
      if (path === '/healthz' || path === '/readyz' || path === '/livez') return sendText(res, 200, 'ok');
      if (path === '/api') {
        if (accept.includes('apidiscovery.k8s.io')) return sendJson(res, 200, coreAggregated(), AGGREGATED_DISCOVERY);
        return sendJson(res, 200, API_VERSIONS(`${req.headers.host ?? '127.0.0.1'}`));
      }
      const apis = apisDiscovery(path, accept.includes('apidiscovery.k8s.io'));
      if (apis) return sendJson(res, 200, apis, path === '/apis' && accept.includes('apidiscovery.k8s.io') ? AGGREGATED_DISCOVERY : 'application/json');
      if (path === '/api/v1') return sendJson(res, 200, CORE_V1_RESOURCES);
      const openApi = await openApiAnswer(path, accept);
      if (openApi) return sendJson(res, openApi.status, openApi.body, openApi.contentType);
    }

    if (await handleSimLogPut(req, res, path, url, (ns, name) => cluster.get('pods', ns, name), cluster.logs)) return;
    const route = parseRoute(path);
    if (!route) throw new SimApiError(404, 'NotFound', `the server could not find the requested resource (${method} ${path})`);
    stats.requests++;
    // Every read of a log counts, refused ones too: tests hold podbell's fetch bounds against it.
    if (route.subresource === 'log') stats.logs++;

    const auth = req.headers.authorization;
    if (tokens.size > 0 && (auth !== undefined || options.requireToken) && !(auth?.startsWith('Bearer ') && tokens.has(auth.slice('Bearer '.length)))) {
      throw new SimApiError(401, 'Unauthorized', 'Unauthorized');
    }
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb = verbOf(method, route.name !== undefined, watch);
    const attrs: SimRequestAttributes = { verb, resource: route.resource, ...(route.subresource && { subresource: route.subresource }), ...(route.namespace && { namespace: route.namespace }), ...(route.name && { name: route.name }) };
    if (api.authorize && !api.authorize(attrs)) {
      const scope = route.namespace ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
      throw new SimApiError(403, 'Forbidden', `${route.resource}${route.name ? ` "${route.name}"` : ''} is forbidden: User "system:serviceaccount:podbell:podbell" cannot ${verb} resource "${route.resource}"${route.subresource ? `/${route.subresource}` : ''} in API group "${SIM_API_VERSIONS[route.resource].split('/').slice(0, -1).join('')}" ${scope}`, { kind: route.resource, ...(route.name && { name: route.name }) });
    }
    if (roll(faults.errorRate)) {
      stats.errors++;
      throw new SimApiError(500, 'InternalError', 'Internal error occurred: injected fault');
    }
    if (roll(faults.throttleRate)) {
      stats.throttles++;
      const e = new SimApiError(429, 'TooManyRequests', 'Too many requests, please try again later.');
      res.setHeader('Retry-After', String(faults.retryAfterSeconds ?? 1));
      throw e;
    }

    const table = TABLE_ACCEPT.test(accept);
    const include = (url.searchParams.get('includeObject') as IncludeObject | null) ?? 'Metadata';
    const { resource, namespace, name, subresource } = route;

    if (subresource === 'log') {
      if (verb !== 'get') throw new SimApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
      return serveLog(res, cluster.get('pods', namespace, name!), cluster.logs, namespace!, name!, url);
    }
    if (verb === 'watch') return serveWatch(req, res, url, route, table, include);
    if (verb === 'list') return serveList(res, url, route, table, include);
    if (verb === 'get') {
      const o = cluster.get(resource, namespace, name!);
      if (!o) throw notFound(qualifiedResource(resource), name!);
      return sendJson(res, 200, table ? toTable(resource, [o], clock.now(), { include, resourceVersion: cluster.resourceVersion }) : o);
    }
    const raw = await readBodyBytes(req);
    const body = raw.toString('utf8');
    if (verb === 'create') {
      if (name !== undefined) throw new SimApiError(405, 'MethodNotAllowed', 'POST to a named object is not allowed');
      const input = requestObject(req, raw);
      await validateFields(url, res, resource, input);
      const meta = obj(input.metadata);
      if (namespace !== undefined && meta.namespace !== undefined && meta.namespace !== namespace) {
        throw badRequest(`the namespace of the provided object (${String(meta.namespace)}) does not match the namespace sent on the request (${namespace ?? ''})`);
      }
      if (isDryRun(url)) return sendJson(res, 201, input);
      const created = cluster.create(resource, { ...input, metadata: { ...meta, ...(namespace !== undefined && { namespace }) } });
      return sendJson(res, 201, created);
    }
    if (verb === 'update') {
      const input = requestObject(req, raw);
      await validateFields(url, res, resource, input);
      if (isDryRun(url)) return sendJson(res, 200, input);
      return sendJson(res, 200, cluster.replace(resource, namespace, name!, input, subresource ? { subresource } : {}));
    }
    if (verb === 'patch') {
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const cur = cluster.get(resource, namespace, name!);
      if (type === 'application/apply-patch+yaml') {
        const applied = parseYaml(body);
        await validateFields(url, res, resource, applied);
        if (!cur) {
          if (subresource) throw notFound(qualifiedResource(resource), name!);
          return sendJson(res, 201, cluster.create(resource, { ...applied, metadata: { ...obj(applied.metadata), name, ...(namespace && { namespace }) } }));
        }
        return sendJson(res, 200, writePatched(route, cur, strategicMerge(cur, stripMeta(applied)) as Obj));
      }
      if (!cur) throw notFound(qualifiedResource(resource), name!);
      let patched: unknown;
      const objectPatch = type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json' ? parseJson(body) : undefined;
      if (objectPatch) await validateFields(url, res, resource, objectPatch);
      if (type === 'application/merge-patch+json') patched = mergePatch(cur, objectPatch);
      else if (type === 'application/strategic-merge-patch+json') patched = strategicMerge(cur, objectPatch);
      else if (type === 'application/json-patch+json') patched = jsonPatch(cur, parseAnyJson(body));
      else throw new SimApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
      if (isDryRun(url)) return sendJson(res, 200, patched);
      return sendJson(res, 200, writePatched(route, cur, obj(patched)));
    }
    if (verb === 'delete') {
      const gone = cluster.remove(resource, namespace, name!);
      if (!gone) throw notFound(qualifiedResource(resource), name!);
      return sendJson(res, 200, gone);
    }
    throw new SimApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
  }

  /** A patch of the main resource never changes status; one of the status subresource changes only status. */
  function writePatched(route: Route, cur: Obj, patched: Obj): Obj {
    const meta = obj(patched.metadata);
    const curRv = obj(cur.metadata).resourceVersion;
    // A patch carrying a stale resourceVersion is a conflict, like the real server.
    const input = { ...patched, metadata: { ...meta, resourceVersion: meta.resourceVersion === curRv ? undefined : meta.resourceVersion } };
    return cluster.replace(route.resource, route.namespace, route.name!, input, route.subresource ? { subresource: 'status' } : {});
  }

  function serveList(res: ServerResponse, url: URL, route: Route, table: boolean, include: IncludeObject): void {
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const token = url.searchParams.get('continue');
    let items: Obj[];
    let rv: string;
    let offset = 0;
    if (token) {
      const [id, off] = token.split(':');
      const snap = snapshots.get(id ?? '');
      if (!snap) {
        stats.gone++;
        throw new SimApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      items = snap.items;
      rv = snap.rv;
      offset = Number(off);
    } else {
      const lsel = labelSelector(url.searchParams.get('labelSelector'));
      const fsel = fieldSelector(url.searchParams.get('fieldSelector'));
      items = cluster.list(route.resource, route.namespace).filter((o) => lsel(o) && fsel(o));
      rv = cluster.resourceVersion;
    }
    let page = items.slice(offset);
    let next: string | undefined;
    if (limit > 0 && page.length > limit) {
      page = page.slice(0, limit);
      let id = token?.split(':')[0];
      if (!id) {
        id = randomUUID();
        snapshots.set(id, { items, rv });
        // Bounded: the oldest snapshots expire, as continue tokens do on a real server.
        if (snapshots.size > 64) snapshots.delete(snapshots.keys().next().value!);
      }
      next = `${id}:${offset + limit}`;
    } else if (token) snapshots.delete(token.split(':')[0]!);
    if (table) return sendJson(res, 200, toTable(route.resource, page, clock.now(), { include, resourceVersion: rv, ...(next && { continue: next }) }));
    sendJson(res, 200, {
      kind: `${SIM_KINDS[route.resource]}List`,
      apiVersion: SIM_API_VERSIONS[route.resource],
      metadata: { resourceVersion: rv, ...(next && { continue: next, remainingItemCount: items.length - offset - page.length }) },
      items: page,
    });
  }

  function serveWatch(req: IncomingMessage, res: ServerResponse, url: URL, route: Route, table: boolean, include: IncludeObject): void {
    stats.watches++;
    const lsel = labelSelector(url.searchParams.get('labelSelector'));
    const fsel = fieldSelector(url.searchParams.get('fieldSelector'));
    const matches: Matcher = (o) => {
      if (route.namespace && route.resource !== 'namespaces' && obj(o.metadata).namespace !== route.namespace) return false;
      if (route.name && obj(o.metadata).name !== route.name) return false;
      return lsel(o) && fsel(o);
    };
    const rvParam = url.searchParams.get('resourceVersion') ?? '';
    if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${JSON.stringify(rvParam)}`);
    const bookmarks = url.searchParams.get('allowWatchBookmarks') === 'true';
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '') || 1800;

    res.writeHead(200, { 'Content-Type': table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let stalled = false;
    let ended = false;
    let first = true;
    const timers: Cancel[] = [];
    const end = (how: 'end' | 'destroy') => {
      if (ended) return;
      ended = true;
      unsubscribe();
      for (const c of timers) c();
      streams.delete(closer);
      if (how === 'destroy') res.destroy();
      else res.end();
    };
    const closer = () => end('end');
    streams.add(closer);
    const render = (o: Obj): Obj => {
      if (!table) return o;
      const t = toTable(route.resource, [o], clock.now(), { include, columns: first });
      first = false;
      return t;
    };
    /** Writes one line unless a fault strikes first; returns false once the stream is over. */
    const write = (line: Obj): boolean => {
      if (ended) return false;
      if (stalled) return true;
      if (roll(faults.dropRate)) {
        stats.drops++;
        end('destroy');
        return false;
      }
      if (roll(faults.stallRate)) {
        stats.stalls++;
        stalled = true;
        for (const c of timers) c();
        return true;
      }
      if (roll(faults.expireRate)) {
        stats.expiries++;
        res.write(`${JSON.stringify(expiredEvent())}\n`);
        end('end');
        return false;
      }
      res.write(`${JSON.stringify(line)}\n`);
      return true;
    };
    const send = (e: SimEvent) => {
      if (e.resource !== route.resource) return;
      const now = matches(e.object);
      const before = e.prev !== undefined && matches(e.prev);
      let type: string = e.type;
      if (e.type === 'MODIFIED') {
        if (now && !before) type = 'ADDED';
        else if (!now && before) type = 'DELETED';
        else if (!now) return;
      } else if (!now) return;
      write({ type, object: render(e.object) });
    };
    let unsubscribe: () => void = () => undefined;
    // The response closes when the client goes away (or we end it): stop publishing to it.
    res.on('close', () => end('end'));

    if (rvParam === '' || rvParam === '0') {
      // "Start at most recent": the current state as ADDED events, then live changes.
      for (const o of cluster.list(route.resource, route.namespace)) if (matches(o) && !write({ type: 'ADDED', object: render(o) })) return;
    } else {
      const past = cluster.since(Number(rvParam));
      if (past === 'expired') {
        stats.gone++;
        res.write(`${JSON.stringify(expiredEvent(rvParam))}\n`);
        end('end');
        return;
      }
      for (const e of past) {
        send(e);
        if (ended) return;
      }
    }
    unsubscribe = cluster.subscribe(send);
    timers.push(clock.setTimer(timeoutSeconds * 1000, () => end('end')));
    if (bookmarks) {
      const tick = () => {
        if (ended || stalled) return;
        write({ type: 'BOOKMARK', object: { kind: SIM_KINDS[route.resource], apiVersion: SIM_API_VERSIONS[route.resource], metadata: { resourceVersion: cluster.resourceVersion } } });
        if (!ended && !stalled) timers.push(clock.setTimer(bookmarkMs, tick));
      };
      timers.push(clock.setTimer(bookmarkMs, tick));
    }
  }

  const expiredEvent = (rv?: string) => ({
    type: 'ERROR',
    object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: rv ? `too old resource version: ${rv} (${cluster.resourceVersion})` : 'The resourceVersion for the provided watch is too old.', reason: 'Expired', code: 410 },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    setFaults,
    get authorize() {
      return api.authorize;
    },
    set authorize(fn) {
      api.authorize = fn;
    },
    stats,
    partitions,
    closeStreams() {
      for (const c of [...streams]) c();
    },
    async close() {
      for (const c of [...streams]) c();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

// ---- helpers ----

interface Route {
  readonly resource: SimResource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: 'status' | 'log';
}

function parseRoute(path: string): Route | undefined {
  const p = path.split('/').slice(1).map(decodeURIComponent);
  const lease = parseLeaseRoute(p);
  if (lease) return lease;
  if (p[0] !== 'api' || p[1] !== 'v1') return undefined;
  const rest = p.slice(2);
  // /api/v1/pods
  if (rest.length === 1 && rest[0] === 'pods') return { resource: 'pods' };
  if (rest.length === 1 && rest[0] === 'configmaps') return { resource: 'configmaps' };
  if (rest.length === 1 && rest[0] === 'events') return { resource: 'events' };
  if (rest[0] !== 'namespaces') return undefined;
  if (rest.length === 1) return { resource: 'namespaces' };
  const ns = rest[1]!;
  if (rest.length === 2) return { resource: 'namespaces', name: ns };
  if (rest.length === 3 && rest[2] === 'status') return { resource: 'namespaces', name: ns, subresource: 'status' };
  // ConfigMaps: namespaced, no status subresource.
  if (rest[2] === 'configmaps' || rest[2] === 'events') {
    if (rest.length === 3) return { resource: rest[2], namespace: ns };
    if (rest.length === 4) return { resource: rest[2], namespace: ns, name: rest[3]! };
    return undefined;
  }
  if (rest[2] !== 'pods') return undefined;
  if (rest.length === 3) return { resource: 'pods', namespace: ns };
  if (rest.length === 4) return { resource: 'pods', namespace: ns, name: rest[3]! };
  if (rest.length === 5 && rest[4] === 'status') return { resource: 'pods', namespace: ns, name: rest[3]!, subresource: 'status' };
  if (rest.length === 5 && rest[4] === 'log') return { resource: 'pods', namespace: ns, name: rest[3]!, subresource: 'log' };
  return undefined;
}

function verbOf(method: string, named: boolean, watch: boolean): SimRequestAttributes['verb'] {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      throw new SimApiError(405, 'MethodNotAllowed', `method ${method} is not allowed`);
  }
}

const isDryRun = (url: URL) => url.searchParams.getAll('dryRun').includes('All');

function stripMeta(o: Obj): Obj {
  const meta = { ...obj(o.metadata) };
  delete meta.managedFields;
  delete meta.resourceVersion;
  return { ...o, metadata: meta };
}

function parseYaml(body: string): Obj {
  let v: unknown;
  try {
    // Plain YAML to plain objects, as the API server stores them (client-node's loadYaml would turn
    // them into typed models, timestamps into Dates, and pull every model into the build).
    v = parseYamlText(body);
  } catch (e) {
    throw badRequest(`the apply patch is not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest('the apply patch must be an object');
  return v as Obj;
}

function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
