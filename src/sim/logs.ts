import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimApiError, badRequest, notFound } from './errors.js';
import { readBodyBytes } from './media.js';
import { type Obj, objOrEmpty as obj } from '../core/json.js';

/**
 * Container logs of the simulated cluster: one text per (pod, container, run), where the run is the
 * current one or the previous one, as the kubelet keeps them. A pod's logs go with the pod.
 */
export class SimLogs {
  readonly #texts = new Map<string, string>();

  set(namespace: string, pod: string, container: string, previous: boolean, text: string): void {
    this.#texts.set(key(namespace, pod, container, previous), text);
  }

  /** The container restarted: the current run's log becomes the previous run's; the new run starts empty. */
  rotate(namespace: string, pod: string, container: string): void {
    const cur = this.#texts.get(key(namespace, pod, container, false));
    this.#texts.set(key(namespace, pod, container, true), cur ?? '');
    this.#texts.delete(key(namespace, pod, container, false));
  }

  get(namespace: string, pod: string, container: string, previous: boolean): string | undefined {
    return this.#texts.get(key(namespace, pod, container, previous));
  }

  /** The pod was deleted. */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const k of [...this.#texts.keys()]) if (k.startsWith(prefix)) this.#texts.delete(k);
  }
}

const key = (namespace: string, pod: string, container: string, previous: boolean): string => `${namespace}/${pod}/${container}/${previous ? 'previous' : 'current'}`;

/** Every container name of a pod spec (init, app, ephemeral), in the order the API server lists them. */
function containerNames(pod: Obj): string[] {
  const spec = obj(pod.spec);
  const names: string[] = [];
  for (const k of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[k];
    if (Array.isArray(list)) for (const c of list) if (typeof obj(c).name === 'string') names.push(obj(c).name as string);
  }
  return names;
}

function statusOf(pod: Obj, container: string): Obj | undefined {
  const status = obj(pod.status);
  for (const k of ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses']) {
    const list = status[k];
    if (Array.isArray(list)) for (const c of list) if (obj(c).name === container) return obj(c);
  }
  return undefined;
}

/** The container a log request is about: the `container` parameter, or the pod's only container. Errors as the API server words them. */
function pickContainer(pod: Obj, name: string, asked: string | null): string {
  const names = containerNames(pod);
  if (asked) {
    if (!names.includes(asked)) throw badRequest(`container ${asked} is not valid for pod ${name}`);
    return asked;
  }
  if (names.length === 1) return names[0]!;
  const app = (obj(pod.spec).containers as unknown[] | undefined)?.map((c) => obj(c).name) ?? [];
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${app.join(' ')}]`);
}

/** The last `tailLines` lines, then at most `limitBytes` bytes (from the start of that tail, as the kubelet cuts). */
function cut(text: string, tailLines: number | undefined, limitBytes: number | undefined): Buffer {
  let t = text;
  if (tailLines !== undefined) {
    if (tailLines === 0) t = '';
    else {
      const body = t.endsWith('\n') ? t.slice(0, -1) : t;
      const lines = body === '' ? [] : body.split('\n');
      t = lines.length ? `${lines.slice(-tailLines).join('\n')}\n` : '';
    }
  }
  const buf = Buffer.from(t, 'utf8');
  return limitBytes !== undefined && buf.length > limitBytes ? buf.subarray(0, limitBytes) : buf;
}

function wholeParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`invalid ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}

/** GET /api/v1/namespaces/{ns}/pods/{name}/log: what the kubelet would stream, as one plain-text body. */
export function serveLog(res: ServerResponse, pod: Obj | undefined, logs: SimLogs, namespace: string, name: string, url: URL): void {
  if (!pod) throw notFound('pods', name);
  const container = pickContainer(pod, name, url.searchParams.get('container'));
  const previous = url.searchParams.get('previous') === 'true';
  const status = statusOf(pod, container);
  if (previous) {
    const ran = obj(obj(status?.lastState).terminated).finishedAt !== undefined || Number(status?.restartCount ?? 0) > 0;
    if (!ran) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  } else {
    const waiting = obj(obj(status?.state).waiting);
    const never = !status || (waiting.reason !== undefined && Number(status.restartCount ?? 0) === 0);
    if (never) {
      const why = waiting.reason === 'ImagePullBackOff' || waiting.reason === 'ErrImagePull' ? 'trying and failing to pull image' : String(waiting.reason ?? 'ContainerCreating');
      throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${why}`);
    }
  }
  const text = logs.get(namespace, name, container, previous) ?? '';
  const body = cut(text, wholeParam(url, 'tailLines'), wholeParam(url, 'limitBytes'));
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}

const SIM_LOG_PATH = /^\/sim\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;

/**
 * The test-only way to set a container's log (CONTRACT):
 * `PUT /sim/v1/namespaces/{ns}/pods/{name}/log?container=C&previous=true|false` with a text/plain body
 * replaces that run's log. Returns false when `path` is not this endpoint.
 */
export async function handleSimLogPut(req: IncomingMessage, res: ServerResponse, path: string, url: URL, getPod: (ns: string, name: string) => Obj | undefined, logs: SimLogs): Promise<boolean> {
  const m = SIM_LOG_PATH.exec(path);
  if (!m) return false;
  if (req.method !== 'PUT') throw new SimApiError(405, 'MethodNotAllowed', `${req.method ?? ''} is not supported on ${path}; use PUT with a text/plain body`);
  const [namespace, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
  const pod = getPod(namespace, name);
  if (!pod) throw notFound('pods', name);
  const container = pickContainer(pod, name, url.searchParams.get('container'));
  const previous = url.searchParams.get('previous');
  if (previous !== null && previous !== 'true' && previous !== 'false') throw badRequest(`previous must be true or false, got ${JSON.stringify(previous)}`);
  const body = await readBodyBytes(req, 16 * 1024 * 1024, 'log body too large (16 MiB at most)');
  logs.set(namespace, name, container, previous === 'true', body.toString('utf8'));
  res.writeHead(204);
  res.end();
  return true;
}
