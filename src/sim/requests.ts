import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_VERSIONS, AGGREGATED_DISCOVERY, CORE_V1_RESOURCES, SIM_VERSION, coreAggregated } from './discovery.js';
import type { SimContext } from './context.js';
import { SimApiError, notFound } from './errors.js';
import { apisDiscovery } from './leases.js';
import { handleSimLogPut, serveLog } from './logs.js';
import { readBodyBytes } from './media.js';
import { openApiAnswer } from './openapi-route.js';
import { sendJson, sendText } from './respond.js';
import { parseRoute, verbOf, type Route, type SimVerb } from './routes.js';
import { qualifiedResource } from './store.js';
import { toTable, type IncludeObject } from './table.js';
import { serveWatch } from './watch-stream.js';
import { serveCreate, serveDelete, servePatch, serveUpdate, type WriteRequest } from './writes.js';

/**
 * One request's way through the sim, in the order a real API server takes it: public paths
 * (discovery, health, OpenAPI), the test-only log PUT, routing (404), authentication (401),
 * authorization (403), injected request faults (500, 429), then the handler for its verb.
 */

const TABLE_ACCEPT = /as=Table/;

export async function handleRequest(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const accept = String(req.headers.accept ?? '');
  const method = req.method ?? 'GET';
  if (method === 'GET' && (await servePublic(req, res, path, accept))) return;

  const { cluster, stats } = ctx;
  if (await handleSimLogPut(req, res, path, url, (ns, name) => cluster.get('pods', ns, name), cluster.logs)) return;
  const route = parseRoute(path);
  if (!route) throw new SimApiError(404, 'NotFound', `the server could not find the requested resource (${method} ${path})`);
  stats.requests++;
  // Every read of a log counts, refused ones too: tests hold podbell's fetch bounds against it.
  if (route.subresource === 'log') stats.logs++;
  ctx.access.authenticate(req);
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb = verbOf(method, route.name !== undefined, watch);
  ctx.access.check(route, verb);
  ctx.dice.failRequest(res, stats);

  const table = TABLE_ACCEPT.test(accept);
  const include = (url.searchParams.get('includeObject') as IncludeObject | null) ?? 'Metadata';
  if (route.subresource === 'log') {
    if (verb !== 'get') throw new SimApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
    return serveLog(res, cluster.get('pods', route.namespace, route.name!), cluster.logs, route.namespace!, route.name!, url);
  }
  if (verb === 'watch') return serveWatch(ctx, res, url, route, table, include);
  if (verb === 'list') return ctx.lists.serve(res, url, route, table, include);
  if (verb === 'get') return serveGet(ctx, res, route, table, include);
  return WRITES[verb]({ cluster, req, res, url, route, body: await readBodyBytes(req) });
}

/** Discovery and health: never faulted, no auth needed (like the real server's public paths). False for any other path. */
async function servePublic(req: IncomingMessage, res: ServerResponse, path: string, accept: string): Promise<boolean> {
  const aggregated = accept.includes('apidiscovery.k8s.io');
  if (path === '/version') sendJson(res, 200, SIM_VERSION);
  else if (path === '/healthz' || path === '/readyz' || path === '/livez') sendText(res, 200, 'ok');
  else if (path === '/api') {
    if (aggregated) sendJson(res, 200, coreAggregated(), AGGREGATED_DISCOVERY);
    else sendJson(res, 200, API_VERSIONS(`${req.headers.host ?? '127.0.0.1'}`));
  } else {
    const apis = apisDiscovery(path, aggregated);
    if (apis) sendJson(res, 200, apis, path === '/apis' && aggregated ? AGGREGATED_DISCOVERY : 'application/json');
    else if (path === '/api/v1') sendJson(res, 200, CORE_V1_RESOURCES);
    else {
      const openApi = await openApiAnswer(path, accept);
      if (!openApi) return false;
      sendJson(res, 200, openApi.body);
    }
  }
  return true;
}

function serveGet({ cluster, clock }: SimContext, res: ServerResponse, route: Route, table: boolean, include: IncludeObject): void {
  const o = cluster.get(route.resource, route.namespace, route.name!);
  if (!o) throw notFound(qualifiedResource(route.resource), route.name!);
  sendJson(res, 200, table ? toTable(route.resource, [o], clock.now(), { include, resourceVersion: cluster.resourceVersion }) : o);
}

const WRITES: Readonly<Record<Exclude<SimVerb, 'get' | 'list' | 'watch'>, (w: WriteRequest) => Promise<void> | void>> = {
  create: serveCreate,
  update: serveUpdate,
  patch: servePatch,
  delete: serveDelete,
};
