import { k8sTime, pods } from '../src/sim/index.js';

/**
 * Pods as a real cluster serves them, for benchmarks: a Deployment pod with the env, probes,
 * volumes, tolerations, conditions and managedFields a kube-apiserver returns (4-8 KB of JSON).
 * A benchmark against 600-byte toy pods would flatter every number that matters.
 */
type Obj = Record<string, unknown>;

export interface BenchPodOptions {
  readonly namespace: string;
  readonly deployment: string;
  /** Distinguishes replicas of one deployment (the pod name suffix is derived from it). */
  readonly replica: number;
  readonly node?: string;
  /** Time the status describes (ms since epoch). */
  readonly at?: number;
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character pod name suffix in Kubernetes' alphabet, unique per replica number (27^5 of them). */
export function replicaSuffix(n: number): string {
  let out = '';
  for (let i = 0, v = n; i < 5; i++, v = Math.floor(v / ALPHABET.length)) out = ALPHABET[v % ALPHABET.length] + out;
  return out;
}

export const benchImage = (deployment: string) => `registry.example.com/shop/${deployment}:2.14.3`;

/** A realistic healthy Deployment pod (status Running, one app container and a native sidecar-free layout). */
export function benchPod(o: BenchPodOptions): Obj {
  const at = o.at ?? Date.now();
  const image = benchImage(o.deployment);
  const base = pods.deploymentPod({
    namespace: o.namespace,
    deployment: o.deployment,
    suffix: replicaSuffix(o.replica),
    containers: [{ name: 'app', image }],
    node: o.node ?? `node-${o.replica % 12}`,
    labels: { 'app.kubernetes.io/name': o.deployment, 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/version': '2.14.3' },
    annotations: {
      'kubectl.kubernetes.io/restartedAt': k8sTime(at - 86_400_000),
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
    },
  });
  const meta = base.metadata as Obj;
  const spec = base.spec as Obj;
  const t = k8sTime(at - 3_600_000);
  meta.creationTimestamp = t;
  meta.managedFields = managedFields(t);
  spec.containers = [appContainer(o.deployment, image)];
  spec.volumes = [
    { name: 'config', configMap: { name: `${o.deployment}-config`, defaultMode: 420 } },
    { name: 'tmp', emptyDir: {} },
    {
      name: 'kube-api-access-x7k2p',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ];
  Object.assign(spec, {
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    schedulerName: 'default-scheduler',
    securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    serviceAccount: 'default',
    terminationGracePeriodSeconds: 30,
    tolerations: [
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ],
  });
  base.status = healthyStatus(o.deployment, at);
  return base;
}

/** The status a kubelet writes for the pod running fine; `at` moves its timestamps (status churn). */
export function healthyStatus(deployment: string, at: number, restartCount = 0): Obj {
  return pods.podStatus([pods.running({ name: 'app', image: benchImage(deployment), restartCount, at: at - 60_000 })], at);
}

/** The status of the pod's app container in CrashLoopBackOff (what the latency benchmark injects). */
export function crashLoopStatus(deployment: string, at: number, restartCount = 1): Obj {
  return pods.podStatus([pods.crashLoop({ name: 'app', image: benchImage(deployment), restartCount, at })], at);
}

function appContainer(deployment: string, image: string): Obj {
  const env = [
    ['LOG_LEVEL', 'info'],
    ['LOG_FORMAT', 'json'],
    ['HTTP_PORT', '8080'],
    ['METRICS_PORT', '9090'],
    ['DATABASE_HOST', 'postgres.shop.svc.cluster.local'],
    ['DATABASE_PORT', '5432'],
    ['DATABASE_NAME', deployment.replace(/-/g, '_')],
    ['REDIS_URL', 'redis://redis-master.shop.svc.cluster.local:6379/0'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://otel-collector.observability.svc.cluster.local:4317'],
    ['OTEL_SERVICE_NAME', deployment],
    ['FEATURE_FLAGS', 'checkout-v2,async-payments,new-cart'],
    ['JAVA_TOOL_OPTIONS', '-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError'],
  ].map(([name, value]) => ({ name, value }));
  env.push(
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } } as never,
    { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } } as never,
    { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: `${deployment}-db`, key: 'password' } } } as never,
  );
  const probe = (path: string, delay: number) => ({
    httpGet: { path, port: 8080, scheme: 'HTTP' },
    initialDelaySeconds: delay,
    periodSeconds: 10,
    timeoutSeconds: 2,
    successThreshold: 1,
    failureThreshold: 3,
  });
  return {
    name: 'app',
    image,
    imagePullPolicy: 'IfNotPresent',
    args: ['--config=/etc/app/config.yaml', '--listen=:8080'],
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ],
    env,
    resources: { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
    livenessProbe: probe('/healthz', 10),
    readinessProbe: probe('/readyz', 5),
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
  };
}

/** What server-side apply bookkeeping looks like on a real pod: one entry per field manager. */
function managedFields(t: string): Obj[] {
  const keys = (names: readonly string[]) => Object.fromEntries(names.map((n) => [`f:${n}`, {}]));
  return [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: t,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/restartedAt': {}, 'f:prometheus.io/port': {}, 'f:prometheus.io/scrape': {} },
          'f:generateName': {},
          'f:labels': { '.': {}, 'f:app': {}, 'f:app.kubernetes.io/name': {}, 'f:app.kubernetes.io/part-of': {}, 'f:app.kubernetes.io/version': {}, 'f:pod-template-hash': {} },
          'f:ownerReferences': { '.': {}, 'k:{"uid":"4f6b0b2e-3c1d-4d7e-9a8b-2f1e0c9d8a7b"}': {} },
        },
        'f:spec': {
          'f:containers': {
            'k:{"name":"app"}': {
              '.': {},
              ...keys(['args', 'image', 'imagePullPolicy', 'name', 'terminationMessagePath', 'terminationMessagePolicy']),
              'f:env': { '.': {}, 'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} }, 'k:{"name":"DATABASE_HOST"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
              'f:livenessProbe': { '.': {}, 'f:failureThreshold': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} }, 'f:initialDelaySeconds': {}, 'f:periodSeconds': {} },
              'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} } },
              'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
              'f:volumeMounts': { '.': {}, 'k:{"mountPath":"/etc/app"}': { '.': {}, 'f:mountPath': {}, 'f:name': {}, 'f:readOnly': {} } },
            },
          },
          ...keys(['dnsPolicy', 'enableServiceLinks', 'restartPolicy', 'schedulerName', 'securityContext', 'terminationGracePeriodSeconds']),
          'f:volumes': { '.': {}, 'k:{"name":"config"}': { '.': {}, 'f:configMap': { '.': {}, 'f:defaultMode': {}, 'f:name': {} }, 'f:name': {} } },
        },
      },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: t,
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: {
        'f:status': {
          'f:conditions': {
            'k:{"type":"ContainersReady"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
            'k:{"type":"Initialized"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
            'k:{"type":"PodReadyToStartContainers"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
            'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
          },
          ...keys(['containerStatuses', 'hostIP', 'hostIPs', 'phase', 'podIP', 'startTime']),
          'f:podIPs': { '.': {}, 'k:{"ip":"10.244.0.17"}': { '.': {}, 'f:ip': {} } },
        },
      },
    },
  ];
}
