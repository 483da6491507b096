import { SimApiError } from './errors.js';
import { parseLeaseRoute } from './leases.js';
import type { SimResource } from './store.js';

/**
 * The sim's routing table: which API paths name which resource, namespace, object and subresource,
 * and which verb an HTTP method is on them. The authorizer and every handler work from this, so the
 * paths the sim answers are listed in one place.
 */

/** What a request asks to do, for the authorizer. */
export interface SimRequestAttributes {
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  readonly resource: SimResource;
  readonly subresource?: 'status' | 'log';
  readonly namespace?: string;
  readonly name?: string;
}

export type SimVerb = SimRequestAttributes['verb'];

/** An API path, parsed. */
export interface Route {
  readonly resource: SimResource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: 'status' | 'log';
}

/** The route of an API path (trailing slashes already removed), or undefined for a path the sim does not serve. */
export function parseRoute(path: string): Route | undefined {
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

/** The verb of a request: GET is get, list or watch by whether it names an object and asks to watch. */
export function verbOf(method: string, named: boolean, watch: boolean): SimVerb {
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

/** The authorizer's view of a routed request. */
export const requestAttributes = (route: Route, verb: SimVerb): SimRequestAttributes => ({
  verb,
  resource: route.resource,
  ...(route.subresource && { subresource: route.subresource }),
  ...(route.namespace && { namespace: route.namespace }),
  ...(route.name && { name: route.name }),
});
