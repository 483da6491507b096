import type { SimResource } from './store.js';

/**
 * coordination.k8s.io/v1 Leases in the simulated API server: their URL routes and the discovery
 * documents that make `kubectl get leases` (and client-go's discovery) find them. The objects live
 * in SimCluster like every other resource, with its resourceVersion and watch history.
 */
export const COORDINATION_GROUP = 'coordination.k8s.io';
const GROUP_VERSION = `${COORDINATION_GROUP}/v1`;
const LEASE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface LeaseRoute {
  readonly resource: SimResource;
  readonly namespace?: string;
  readonly name?: string;
}

/** /apis/coordination.k8s.io/v1/leases and /apis/coordination.k8s.io/v1/namespaces/NS/leases[/NAME]; segments already decoded. */
export function parseLeaseRoute(p: readonly string[]): LeaseRoute | undefined {
  if (p[0] !== 'apis' || p[1] !== COORDINATION_GROUP || p[2] !== 'v1') return undefined;
  const rest = p.slice(3);
  if (rest.length === 1 && rest[0] === 'leases') return { resource: 'leases' };
  if (rest[0] !== 'namespaces' || rest[2] !== 'leases') return undefined;
  if (rest.length === 3) return { resource: 'leases', namespace: rest[1]! };
  if (rest.length === 4) return { resource: 'leases', namespace: rest[1]!, name: rest[3]! };
  return undefined;
}

const groupVersion = { groupVersion: GROUP_VERSION, version: 'v1' };
const API_GROUP = { name: COORDINATION_GROUP, versions: [groupVersion], preferredVersion: groupVersion };

/** /apis/coordination.k8s.io/v1 as an APIResourceList. */
const LEASE_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GROUP_VERSION,
  resources: [{ name: 'leases', singularName: 'lease', namespaced: true, kind: 'Lease', verbs: LEASE_VERBS, storageVersionHash: 'gqkMMb/YqFM=' }],
};

/** /apis with the aggregated (v2) discovery Accept header: the coordination group with its one resource. */
const APIS_AGGREGATED = {
  kind: 'APIGroupDiscoveryList',
  apiVersion: 'apidiscovery.k8s.io/v2',
  metadata: {},
  items: [
    {
      metadata: { name: COORDINATION_GROUP, creationTimestamp: null },
      versions: [
        {
          version: 'v1',
          resources: [{ resource: 'leases', responseKind: { group: COORDINATION_GROUP, version: 'v1', kind: 'Lease' }, scope: 'Namespaced', singularResource: 'lease', verbs: LEASE_VERBS }],
          freshness: 'Current',
        },
      ],
    },
  ],
};

/**
 * The discovery document for a path under /apis, or undefined when the path is not one. `aggregated`:
 * the client asked for apidiscovery.k8s.io/v2 (kubectl does; only /apis answers that way).
 */
export function apisDiscovery(path: string, aggregated: boolean): object | undefined {
  if (path === '/apis') return aggregated ? APIS_AGGREGATED : { kind: 'APIGroupList', apiVersion: 'v1', groups: [API_GROUP] };
  if (path === `/apis/${COORDINATION_GROUP}`) return { kind: 'APIGroup', apiVersion: 'v1', ...API_GROUP };
  if (path === `/apis/${GROUP_VERSION}`) return LEASE_RESOURCES;
  return undefined;
}
