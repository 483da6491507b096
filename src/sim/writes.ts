import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYamlText } from 'yaml';
import { type Obj, objOrEmpty as obj } from '../core/json.js';
import { SimApiError, badRequest, notFound } from './errors.js';
import { validateFields } from './field-validation.js';
import { parseAnyJson, parseJson, requestObject } from './media.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { sendJson } from './respond.js';
import type { Route } from './routes.js';
import { qualifiedResource, type SimCluster } from './store.js';

/**
 * The writing verbs on one object or collection: create (POST), update (PUT), patch (the four patch
 * types kubectl sends, server-side apply included) and delete, with dryRun=All and field validation
 * as a real API server does them. The store (SimCluster) keeps the resourceVersion rules.
 */

/** One write request: its body already read, so every verb sees the same bytes. */
export interface WriteRequest {
  readonly cluster: SimCluster;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly route: Route;
  readonly body: Buffer;
}

export async function serveCreate({ cluster, req, res, url, route, body }: WriteRequest): Promise<void> {
  const { resource, namespace, name } = route;
  if (name !== undefined) throw new SimApiError(405, 'MethodNotAllowed', 'POST to a named object is not allowed');
  const input = requestObject(req, body);
  await validateFields(url, res, resource, input);
  const meta = obj(input.metadata);
  if (namespace !== undefined && meta.namespace !== undefined && meta.namespace !== namespace) {
    throw badRequest(`the namespace of the provided object (${String(meta.namespace)}) does not match the namespace sent on the request (${namespace ?? ''})`);
  }
  if (isDryRun(url)) return sendJson(res, 201, input);
  const created = cluster.create(resource, { ...input, metadata: { ...meta, ...(namespace !== undefined && { namespace }) } });
  sendJson(res, 201, created);
}

export async function serveUpdate({ cluster, req, res, url, route, body }: WriteRequest): Promise<void> {
  const { resource, namespace, name, subresource } = route;
  const input = requestObject(req, body);
  await validateFields(url, res, resource, input);
  if (isDryRun(url)) return sendJson(res, 200, input);
  sendJson(res, 200, cluster.replace(resource, namespace, name!, input, subresource === 'status' ? { subresource } : {})); // pods/log is read-only: answered before any write
}

export async function servePatch(w: WriteRequest): Promise<void> {
  const { cluster, req, res, url, route } = w;
  const { resource, namespace, name } = route;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
  const cur = cluster.get(resource, namespace, name!);
  if (type === 'application/apply-patch+yaml') return serveApply(w, cur);
  if (!cur) throw notFound(qualifiedResource(resource), name!);
  const text = w.body.toString('utf8');
  const objectPatch = type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json' ? parseJson(text) : undefined;
  if (objectPatch) await validateFields(url, res, resource, objectPatch);
  let patched: unknown;
  if (type === 'application/merge-patch+json') patched = mergePatch(cur, objectPatch);
  else if (type === 'application/strategic-merge-patch+json') patched = strategicMerge(cur, objectPatch);
  else if (type === 'application/json-patch+json') patched = jsonPatch(cur, parseAnyJson(text));
  else throw new SimApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  if (isDryRun(url)) return sendJson(res, 200, patched);
  sendJson(res, 200, writePatched(cluster, route, cur, obj(patched)));
}

/** Server-side apply: creates the object when missing, else merges the applied fields into it. */
async function serveApply({ cluster, res, url, route, body }: WriteRequest, cur: Obj | undefined): Promise<void> {
  const { resource, namespace, name, subresource } = route;
  const applied = parseYaml(body.toString('utf8'));
  await validateFields(url, res, resource, applied);
  if (!cur) {
    if (subresource) throw notFound(qualifiedResource(resource), name!);
    return sendJson(res, 201, cluster.create(resource, { ...applied, metadata: { ...obj(applied.metadata), name, ...(namespace && { namespace }) } }));
  }
  sendJson(res, 200, writePatched(cluster, route, cur, strategicMerge(cur, stripMeta(applied)) as Obj));
}

export function serveDelete({ cluster, res, route }: WriteRequest): void {
  const gone = cluster.remove(route.resource, route.namespace, route.name!);
  if (!gone) throw notFound(qualifiedResource(route.resource), route.name!);
  sendJson(res, 200, gone);
}

/** A patch of the main resource never changes status; one of the status subresource changes only status. */
function writePatched(cluster: SimCluster, route: Route, cur: Obj, patched: Obj): Obj {
  const meta = obj(patched.metadata);
  const curRv = obj(cur.metadata).resourceVersion;
  // A patch carrying a stale resourceVersion is a conflict, like the real server.
  const input = { ...patched, metadata: { ...meta, resourceVersion: meta.resourceVersion === curRv ? undefined : meta.resourceVersion } };
  return cluster.replace(route.resource, route.namespace, route.name!, input, route.subresource ? { subresource: 'status' } : {});
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
