/** Discovery documents for the core group, the subset of a real API server that kubectl needs. */
const POD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NS_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];
const CM_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const EVENT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const SIM_VERSION = {
  major: '1',
  minor: '35',
  gitVersion: 'v1.35.0-podbell-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.25.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** /api/v1 as an APIResourceList. */
export const CORE_V1_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'v1',
  resources: [
    { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: CM_VERBS, shortNames: ['cm'], storageVersionHash: 'qFsyl6wFWjQ=' },
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: EVENT_VERBS, shortNames: ['ev'], storageVersionHash: 'r2yiGXH7wu8=' },
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: NS_VERBS, shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M=' },
    { name: 'namespaces/status', singularName: '', namespaced: false, kind: 'Namespace', verbs: STATUS_VERBS },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: POD_VERBS, shortNames: ['po'], categories: ['all'], storageVersionHash: 'xPOwRZ+Yhw8=' },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: STATUS_VERBS },
  ],
};

/** /api with the aggregated (v2) discovery Accept header. */
export function coreAggregated(): Record<string, unknown> {
  const resource = (resource: string, singular: string, kind: string, scope: string, verbs: string[], shortNames: string[], categories?: string[], status = true) => ({
    resource,
    responseKind: { group: '', version: 'v1', kind },
    scope,
    singularResource: singular,
    verbs,
    shortNames,
    ...(categories && { categories }),
    ...(status && { subresources: [{ subresource: 'status', responseKind: { group: '', version: 'v1', kind }, verbs: STATUS_VERBS }] }),
  });
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [
      {
        metadata: { creationTimestamp: null },
        versions: [
          {
            version: 'v1',
            resources: [
              resource('configmaps', 'configmap', 'ConfigMap', 'Namespaced', CM_VERBS, ['cm'], undefined, false),
              resource('events', 'event', 'Event', 'Namespaced', EVENT_VERBS, ['ev'], undefined, false),
              resource('namespaces', 'namespace', 'Namespace', 'Cluster', NS_VERBS, ['ns']),
              resource('pods', 'pod', 'Pod', 'Namespaced', POD_VERBS, ['po'], ['all']),
            ],
            freshness: 'Current',
          },
        ],
      },
    ],
  };
}


export const API_VERSIONS = (host: string) => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
});
