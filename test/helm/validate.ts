// Offline checks of rendered manifests: kubernetes-models' OpenAPI validation (types, required
// fields) plus our own unknown-field checks where a typo would silently drop a setting.
import { dig, type K8sObject } from './helm.js';

type Validating = new (o: unknown) => { validate(): void };

/** apiVersion/kind -> kubernetes-models module. ServiceMonitor is a CRD: checked by hand below. */
const MODELS: Record<string, string> = {
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role': 'kubernetes-models/rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
};

// Loaded one at a time and cached: jest's ESM loader fails on concurrent imports of a shared module.
const loaded = new Map<string, Record<string, Validating>>();
async function loadModel(path: string): Promise<Record<string, Validating>> {
  let mod = loaded.get(path);
  if (!mod) {
    mod = (await import(path)) as Record<string, Validating>;
    loaded.set(path, mod);
  }
  return mod;
}

/** Validates objects one after the other (see loadModel). */
export async function problemsOfAll(objs: readonly K8sObject[]): Promise<string[]> {
  const out: string[] = [];
  for (const o of objs) out.push(...(await problemsOf(o)));
  return out;
}

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

// Field names of the Kubernetes types the chart fills from values or writes by hand.
const KNOWN: Record<string, readonly string[]> = {
  deploymentSpec: ['replicas', 'revisionHistoryLimit', 'strategy', 'selector', 'template', 'minReadySeconds', 'paused', 'progressDeadlineSeconds'],
  podSpec: ['serviceAccountName', 'automountServiceAccountToken', 'imagePullSecrets', 'priorityClassName', 'terminationGracePeriodSeconds',
    'securityContext', 'containers', 'volumes', 'nodeSelector', 'tolerations', 'affinity'],
  container: ['name', 'image', 'imagePullPolicy', 'args', 'command', 'ports', 'env', 'startupProbe', 'livenessProbe', 'readinessProbe',
    'resources', 'securityContext', 'volumeMounts'],
  containerSecurityContext: ['allowPrivilegeEscalation', 'appArmorProfile', 'capabilities', 'privileged', 'procMount', 'readOnlyRootFilesystem',
    'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seLinuxOptions', 'seccompProfile', 'windowsOptions'],
  podSecurityContext: ['appArmorProfile', 'fsGroup', 'fsGroupChangePolicy', 'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seLinuxChangePolicy',
    'seLinuxOptions', 'seccompProfile', 'supplementalGroups', 'supplementalGroupsPolicy', 'sysctls', 'windowsOptions'],
  probe: ['httpGet', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold', 'initialDelaySeconds', 'terminationGracePeriodSeconds'],
  envVar: ['name', 'value', 'valueFrom'],
  resources: ['requests', 'limits', 'claims'],
  serviceMonitorSpec: ['namespaceSelector', 'selector', 'endpoints', 'jobLabel', 'targetLabels', 'podTargetLabels', 'sampleLimit'],
  serviceMonitorEndpoint: ['port', 'path', 'interval', 'scrapeTimeout', 'scheme', 'honorLabels', 'relabelings', 'metricRelabelings'],
  pdbSpec: ['selector', 'minAvailable', 'maxUnavailable', 'unhealthyPodEvictionPolicy'],
};

function unknownKeys(where: string, o: unknown, known: readonly string[]): string[] {
  if (o === null || typeof o !== 'object') return [];
  return Object.keys(o).filter((k) => !known.includes(k)).map((k) => `${where}: unknown field "${k}"`);
}

/** Every problem found in one rendered object; an empty list means it is a valid object. */
export async function problemsOf(o: K8sObject): Promise<string[]> {
  const id = `${o?.kind ?? '?'} ${o?.metadata?.name ?? '?'}`;
  const problems: string[] = [];
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') return [`${id}: missing apiVersion or kind`];
  if (typeof o.metadata?.name !== 'string' || !DNS_SUBDOMAIN.test(o.metadata.name)) problems.push(`${id}: metadata.name is not a DNS subdomain`);
  if (!CLUSTER_SCOPED.has(o.kind) && typeof o.metadata.namespace !== 'string') {
    problems.push(`${id}: namespaced object without metadata.namespace (kubectl apply would put it in the current namespace)`);
  }
  if (CLUSTER_SCOPED.has(o.kind) && o.metadata.namespace !== undefined) problems.push(`${id}: cluster-scoped object with a namespace`);

  const key = `${o.apiVersion}/${o.kind}`;
  const modulePath = MODELS[key];
  if (modulePath) {
    const mod = await loadModel(modulePath);
    const Model = mod[o.kind];
    if (!Model) throw new Error(`kubernetes-models has no ${o.kind} in ${modulePath}`);
    try {
      new Model(o).validate();
    } catch (e) {
      problems.push(`${id}: ${(e as Error).message}`);
    }
  } else if (key === 'monitoring.coreos.com/v1/ServiceMonitor') {
    const spec = dig(o, 'spec');
    problems.push(...unknownKeys(`${id} spec`, spec, KNOWN.serviceMonitorSpec!));
    if (!Array.isArray(spec?.endpoints) || spec.endpoints.length === 0) problems.push(`${id}: no endpoints`);
    for (const ep of spec?.endpoints ?? []) problems.push(...unknownKeys(`${id} endpoint`, ep, KNOWN.serviceMonitorEndpoint!));
    if (typeof dig(spec, 'selector', 'matchLabels') !== 'object') problems.push(`${id}: no selector.matchLabels`);
  } else {
    problems.push(`${id}: unexpected kind ${key} rendered by the chart`);
  }

  if (o.kind === 'Deployment') {
    const spec = dig(o, 'spec');
    const pod = dig(spec, 'template', 'spec');
    problems.push(...unknownKeys(`${id} spec`, spec, KNOWN.deploymentSpec!));
    problems.push(...unknownKeys(`${id} pod spec`, pod, KNOWN.podSpec!));
    problems.push(...unknownKeys(`${id} pod securityContext`, pod?.securityContext, KNOWN.podSecurityContext!));
    for (const c of pod?.containers ?? []) {
      const cid = `${id} container ${c.name}`;
      problems.push(...unknownKeys(cid, c, KNOWN.container!));
      problems.push(...unknownKeys(`${cid} securityContext`, c.securityContext, KNOWN.containerSecurityContext!));
      problems.push(...unknownKeys(`${cid} resources`, c.resources, KNOWN.resources!));
      for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) problems.push(...unknownKeys(`${cid} ${p}`, c[p], KNOWN.probe!));
      for (const e of c.env ?? []) problems.push(...unknownKeys(`${cid} env ${e.name}`, e, KNOWN.envVar!));
    }
  }
  if (o.kind === 'PodDisruptionBudget') problems.push(...unknownKeys(`${id} spec`, dig(o, 'spec'), KNOWN.pdbSpec!));
  return problems;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

/**
 * Least privilege, as a reviewer would check it: no wildcards, nothing about Secrets, only read
 * verbs cluster-wide (and only on pods and namespaces), and writes in the release namespace only
 * on podbell's own state ConfigMap (`create` cannot be restricted by name).
 */
/** What podbell may read cluster-wide: pods, their logs (LOGS) and Warning Events (EVENTS), namespaces. */
const CLUSTER_READABLE: ReadonlySet<string> = new Set(['pods', 'pods/log', 'events', 'namespaces']);

export function rbacProblems(objs: readonly K8sObject[], releaseNamespace: string): string[] {
  const problems: string[] = [];
  for (const o of objs) {
    if (o.kind !== 'ClusterRole' && o.kind !== 'Role') continue;
    const id = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    if (o.aggregationRule !== undefined) problems.push(`${id}: aggregationRule pulls in other roles' rules`);
    for (const r of (o.rules ?? []) as Rule[]) {
      const all = [...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? []), ...(r.resourceNames ?? [])];
      if (all.some((x) => x.includes('*'))) problems.push(`${id}: wildcard in ${JSON.stringify(r)}`);
      if (r.nonResourceURLs) problems.push(`${id}: nonResourceURLs ${JSON.stringify(r.nonResourceURLs)}`);
      if ((r.resources ?? []).some((x) => x === 'secrets' || x.startsWith('secrets/'))) problems.push(`${id}: grants access to Secrets`);
      // pods/log (LOGS=on) is the one subresource podbell reads, and only with get.
      const subresources = (r.resources ?? []).filter((x) => x.includes('/'));
      if (subresources.some((x) => x !== 'pods/log') || (subresources.length > 0 && (r.verbs ?? []).some((v) => v !== 'get'))) problems.push(`${id}: grants a subresource ${JSON.stringify(r.resources)} ${JSON.stringify(r.verbs)}`);
      if ((r.resources ?? []).includes('events') && (r.verbs ?? []).some((v) => v !== 'list' && v !== 'watch')) problems.push(`${id}: more than list/watch on events`);
      const writes = (r.verbs ?? []).filter((v) => !READ_VERBS.has(v));
      if (o.kind === 'ClusterRole') {
        if (writes.length > 0) problems.push(`${id}: write verbs ${writes.join(',')} in a ClusterRole`);
        const extra = (r.resources ?? []).filter((x) => !CLUSTER_READABLE.has(x));
        if (extra.length > 0 || (r.apiGroups ?? []).some((g) => g !== '')) problems.push(`${id}: cluster-wide access beyond pods, their logs and events, and namespaces`);
      } else if (o.metadata.namespace !== releaseNamespace) {
        if (writes.length > 0) problems.push(`${id}: write verbs ${writes.join(',')} in a watched namespace`);
        if ((r.resources ?? []).some((x) => x !== 'pods' && x !== 'pods/log' && x !== 'events')) problems.push(`${id}: more than pods, their logs and events in a watched namespace`);
      } else {
        const resources = r.resources ?? [];
        // Its own state ConfigMap, and its own Lease for leader election.
        const own = (g: string, x: string) => (g === '' && x === 'configmaps') || (g === 'coordination.k8s.io' && x === 'leases');
        if (resources.some((x) => !(r.apiGroups ?? []).every((g) => own(g, x)))) problems.push(`${id}: release-namespace access beyond configmaps and leases`);
        const named = (r.resourceNames ?? []).length > 0;
        if (writes.some((v) => v !== 'create') && !named) problems.push(`${id}: ${writes.join(',')} not limited to podbell's own objects`);
        if ((r.verbs ?? []).some((v) => v === 'list' || v === 'watch' || v === 'delete' || v === 'deletecollection')) {
          problems.push(`${id}: ${(r.verbs ?? []).join(',')} on ${resources.join(',')} is more than podbell needs`);
        }
      }
    }
  }
  return problems;
}
