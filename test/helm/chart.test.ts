// The chart as a cluster admin meets it: lint clean, renders valid objects, grants only what
// podbell needs, runs hardened, and never carries the Slack token as a literal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, dig, helm, NAMESPACE, notes, ofKind, only, template, valuesDir, type K8sObject } from './helm.js';
import { problemsOfAll, rbacProblems } from './validate.js';

const VALID_VALUES = ['existing-secret.yaml', 'watch-namespaces.yaml', 'service-monitor.yaml', 'pdb.yaml', 'token.yaml', 'every-setting.yaml', 'no-evidence.yaml'];
const CASES: [string, string[]][] = [['defaults', []], ...VALID_VALUES.map((f): [string, string[]] => [f, [f]])];

const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { apiVersion: string; appVersion: string; version: string };
const values = (f: string) => parse(readFileSync(join(valuesDir, f), 'utf8')) as Record<string, any>;

const rendered = new Map<string, K8sObject[]>();
async function render(name: string, files: string[]): Promise<K8sObject[]> {
  if (!rendered.has(name)) rendered.set(name, await template(files));
  return rendered.get(name)!;
}

function podbellContainer(objs: readonly K8sObject[]): any {
  const d = only(objs, 'Deployment');
  const containers = dig(d, 'spec', 'template', 'spec', 'containers') as any[];
  expect(containers).toHaveLength(1);
  return containers[0];
}

function envOf(objs: readonly K8sObject[]): Map<string, any> {
  return new Map((podbellContainer(objs).env as any[]).map((e) => [e.name, e]));
}

test('Chart.yaml is a v2 application chart whose appVersion is the image tag', () => {
  expect(chart.apiVersion).toBe('v2');
  expect(chart.appVersion).toMatch(/^\d+\.\d+\.\d+/);
});

describe.each(CASES)('rendered with %s', (name, files) => {
  test('helm lint --strict passes', async () => {
    const args = ['lint', '--strict', chartDir, '--namespace', NAMESPACE, ...files.flatMap((f) => ['-f', join(valuesDir, f)])];
    const r = await helm(args);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  test('every object is valid for Kubernetes (types, required fields, no unknown fields where values land)', async () => {
    const objs = await render(name, files);
    expect(objs.length).toBeGreaterThan(0);
    const problems = await problemsOfAll(objs);
    expect(problems).toEqual([]);
    const ids = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('RBAC is least privilege: no wildcards, no Secrets, read-only cluster roles', async () => {
    const objs = await render(name, files);
    expect(rbacProblems(objs, NAMESPACE)).toEqual([]);
  });

  test('every binding names a rendered role and only podbell\'s ServiceAccount', async () => {
    const objs = await render(name, files);
    const sa = only(objs, 'ServiceAccount');
    const bindings = [...ofKind(objs, 'ClusterRoleBinding'), ...ofKind(objs, 'RoleBinding')];
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) {
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NAMESPACE }]);
      const ref = b.roleRef as { kind: string; name: string };
      const role = objs.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (ref.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace));
      expect(role).toBeDefined();
    }
    expect(dig(only(objs, 'Deployment'), 'spec', 'template', 'spec', 'serviceAccountName')).toBe(sa.metadata.name);
  });

  test('the pod runs hardened: non-root fixed UID, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', async () => {
    const objs = await render(name, files);
    const podSc = dig(only(objs, 'Deployment'), 'spec', 'template', 'spec', 'securityContext');
    const c = podbellContainer(objs);
    expect(podSc).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext.privileged).not.toBe(true);
    expect(c.securityContext.capabilities.add ?? []).toEqual([]);
    // The read-only root still leaves podbell a writable /tmp (tsx's compile cache).
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  test('two replicas, rolled one new pod at a time (the Lease keeps one writer while they overlap)', async () => {
    const d = only(await render(name, files), 'Deployment');
    expect(dig(d, 'spec', 'replicas')).toBe(2);
    expect(dig(d, 'spec', 'strategy')).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('leader election: POD_NAME from the downward API, LEASE_NAME the one name the leases Role allows', async () => {
    const objs = await render(name, files);
    const env = envOf(objs);
    expect(env.get('POD_NAME').valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    const role = only(objs, 'Role', 'podbell-leader-election');
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [env.get('LEASE_NAME').value], verbs: ['get', 'update'] },
    ]);
    expect(env.get('LEASE_NAME').value).toBe('podbell');
  });

  test('probes hit /healthz and /readyz on the port podbell listens on (HTTP_PORT)', async () => {
    const objs = await render(name, files);
    const c = podbellContainer(objs);
    const port = Number(envOf(objs).get('HTTP_PORT')?.value);
    expect(c.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.args).toEqual(['run']);
  });

  test('requests are set for CPU and memory; the limit is memory only (a CPU limit would throttle the watch loop)', async () => {
    const c = podbellContainer(await render(name, files));
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(c.resources.limits)).toEqual(['memory']);
  });

  test('the Slack token comes from a Secret via secretKeyRef and never as a literal', async () => {
    const objs = await render(name, files);
    const env = envOf(objs);
    const token = env.get('SLACK_BOT_TOKEN');
    expect(token.value).toBeUndefined();
    expect(token.valueFrom.secretKeyRef).toEqual({ name: expect.any(String), key: expect.any(String) });
    for (const e of env.values()) expect(String(e.value ?? '')).not.toMatch(/xox[a-z]-/);
    expect(JSON.stringify(only(objs, 'Deployment'))).not.toMatch(/xox[a-z]-/);
  });

  test('the metrics Service selects the podbell pod and targets its HTTP port', async () => {
    const objs = await render(name, files);
    const svc = only(objs, 'Service');
    const podLabels = dig(only(objs, 'Deployment'), 'spec', 'template', 'metadata', 'labels');
    expect(podLabels).toMatchObject(dig(svc, 'spec', 'selector'));
    expect(dig(svc, 'spec', 'ports')).toEqual([{ name: 'metrics', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
  });
});

describe('defaults', () => {
  test('cluster mode: one ClusterRole reading pods and namespaces, pods\' logs and Warning Events (evidence), nothing else cluster-wide', async () => {
    const objs = await render('defaults', []);
    const cr = only(objs, 'ClusterRole');
    expect(cr.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
    ]);
    expect(envOf(objs).get('LOGS').value).toBe('on');
    expect(envOf(objs).get('EVENTS').value).toBe('on');
    expect(envOf(objs).has('WATCH_NAMESPACES')).toBe(false);
  });

  test('the release namespace ConfigMap Role covers only podbell\'s state ConfigMap, passed to podbell by name', async () => {
    const objs = await render('defaults', []);
    const role = only(objs, 'Role', 'podbell');
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['podbell-threads'], verbs: ['get', 'update'] },
    ]);
    const env = envOf(objs);
    expect(env.get('THREAD_STORE_CONFIGMAP').value).toBe('podbell-threads');
    // podbell's own defaults (15s, 5s) unless set.
    expect(env.has('LEASE_DURATION')).toBe(false);
    expect(env.has('LEASE_RENEW')).toBe(false);
    expect(env.get('POD_NAMESPACE').valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  test('no Secret is rendered; the pod reads the one the install guide creates (podbell-slack, key token)', async () => {
    const objs = await render('defaults', []);
    expect(ofKind(objs, 'Secret')).toEqual([]);
    expect(envOf(objs).get('SLACK_BOT_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'podbell-slack', key: 'token' });
  });

  test('the image is ghcr.io/podbell/podbell at the chart appVersion', async () => {
    expect(podbellContainer(await render('defaults', [])).image).toBe(`ghcr.io/podbell/podbell:${chart.appVersion}`);
  });

  test('the default channel is #alerts; unset tunables are left to podbell\'s own defaults', async () => {
    const env = envOf(await render('defaults', []));
    expect(env.get('SLACK_CHANNEL').value).toBe('#alerts');
    expect(env.get('HTTP_PORT').value).toBe('8080');
    for (const name of ['CLUSTER_NAME', 'GROUP_WAIT', 'STORM_THRESHOLD', 'LOG_LEVEL', 'SLACK_API_URL']) expect(env.has(name)).toBe(false);
  });

  test('no ServiceMonitor unless asked for', async () => {
    const objs = await render('defaults', []);
    expect(ofKind(objs, 'ServiceMonitor')).toEqual([]);
  });

  test('the ServiceAccount does not automount its token; only the podbell pod opts in', async () => {
    const objs = await render('defaults', []);
    expect(only(objs, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(dig(only(objs, 'Deployment'), 'spec', 'template', 'spec', 'automountServiceAccountToken')).toBe(true);
  });
});

test('resources.limits: {memory: 512Mi} renders exactly that limit, no CPU limit merged in from the defaults', async () => {
  const c = podbellContainer(await template([], ['--set', 'resources.limits.memory=512Mi']));
  expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } });
});

test.each([
  ['podbell', 'podbell-slack'],
  ['pb', 'pb-podbell-slack'],
])('release %s: the chart, NOTES and docs/install.md agree the default Secret is <fullname>-slack (%s)', async (release, secret) => {
  const objs = await template([], [], release);
  expect(envOf(objs).get('SLACK_BOT_TOKEN').valueFrom.secretKeyRef).toEqual({ name: secret, key: 'token' });
  expect(await notes([], release)).toContain(`create secret generic ${secret} --from-literal=token=xoxb-`);
  const install = readFileSync(join(chartDir, '../../docs/install.md'), 'utf8');
  expect(install).toContain('Secret `<fullname>-slack`');
  expect(install).not.toContain('<release>-slack');
  expect(install).toContain(`\`${secret}\``);
});

test('existingSecret: the token is read from the named Secret and key, and the chart creates none', async () => {
  const objs = await render('existing-secret.yaml', ['existing-secret.yaml']);
  expect(ofKind(objs, 'Secret')).toEqual([]);
  expect(envOf(objs).get('SLACK_BOT_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'slack-bot', key: 'bot-token' });
  expect(envOf(objs).get('SLACK_CHANNEL').value).toBe('C0123ABCD');
});

test('slack.token: the chart creates the Secret, the pod reads it by reference and restarts when it changes', async () => {
  const objs = await render('token.yaml', ['token.yaml']);
  const token = values('token.yaml').slack.token as string;
  const secret = only(objs, 'Secret');
  expect(Buffer.from(String(dig(secret, 'data', 'token')), 'base64').toString()).toBe(token);
  expect(envOf(objs).get('SLACK_BOT_TOKEN').valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'token' });
  expect(JSON.stringify(only(objs, 'Deployment'))).not.toContain(token);
  expect(dig(only(objs, 'Deployment'), 'spec', 'template', 'metadata', 'annotations', 'checksum/slack-secret')).toMatch(/^[0-9a-f]{64}$/);
});

describe('watchNamespaces (namespace mode)', () => {
  const files = ['watch-namespaces.yaml'];

  test('pods are readable only through a Role in each watched namespace', async () => {
    const objs = await render('watch-namespaces.yaml', files);
    const podRoles = ofKind(objs, 'Role').filter((r) => (r.rules as any[]).some((x) => x.resources.includes('pods')));
    expect(podRoles.map((r) => r.metadata.namespace).sort()).toEqual(['payments', 'shop']);
    for (const r of podRoles) {
      expect(r.rules).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
      ]);
    }
    const bound = ofKind(objs, 'RoleBinding').map((b) => `${b.metadata.namespace}/${(b.roleRef as any).name}`);
    for (const r of podRoles) expect(bound).toContain(`${r.metadata.namespace}/${r.metadata.name}`);
  });

  test('the only ClusterRole reads exactly the watched Namespace objects (resourceNames), no pods', async () => {
    const objs = await render('watch-namespaces.yaml', files);
    const cr = only(objs, 'ClusterRole');
    expect(cr.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], resourceNames: ['shop', 'payments'], verbs: ['get', 'list', 'watch'] }]);
  });

  test('podbell is told the same namespaces (WATCH_NAMESPACES)', async () => {
    const env = envOf(await render('watch-namespaces.yaml', files));
    expect(env.get('WATCH_NAMESPACES').value).toBe('shop,payments');
    expect(env.get('CLUSTER_NAME').value).toBe('prod-eu');
  });
});

test('serviceMonitor: scrapes /metrics through the Service\'s named port with the labels Prometheus selects on', async () => {
  const objs = await render('service-monitor.yaml', ['service-monitor.yaml']);
  const sm = only(objs, 'ServiceMonitor');
  const svc = only(objs, 'Service');
  expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
  expect(sm.metadata.namespace).toBe(NAMESPACE);
  expect((sm.metadata as any).labels.release).toBe('prometheus');
  expect(dig(sm, 'spec', 'endpoints')).toEqual([{ port: 'metrics', path: '/metrics', interval: '1m', scrapeTimeout: '15s' }]);
  expect(dig(svc, 'spec', 'ports', 0, 'name')).toBe('metrics');
  expect((svc.metadata as any).labels).toMatchObject(dig(sm, 'spec', 'selector', 'matchLabels'));
  expect(dig(sm, 'spec', 'namespaceSelector')).toEqual({ matchNames: [NAMESPACE] });
});

test('podDisruptionBudget by default: a drain evicts one of the two pods at a time (minAvailable 1)', async () => {
  const objs = await render('defaults', []);
  const pdb = only(objs, 'PodDisruptionBudget');
  expect(pdb.apiVersion).toBe('policy/v1');
  expect(dig(pdb, 'spec', 'minAvailable')).toBe(1);
  expect(dig(pdb, 'spec', 'maxUnavailable')).toBeUndefined();
  expect(dig(only(objs, 'Deployment'), 'spec', 'template', 'metadata', 'labels')).toMatchObject(dig(pdb, 'spec', 'selector', 'matchLabels'));
});

test('replicaCount 1: election still runs (same env and Lease Role), and the PDB never blocks a drain (maxUnavailable 1)', async () => {
  const objs = await template([], ['--set', 'replicaCount=1']);
  expect(dig(only(objs, 'Deployment'), 'spec', 'replicas')).toBe(1);
  const pdb = only(objs, 'PodDisruptionBudget');
  expect(dig(pdb, 'spec', 'maxUnavailable')).toBe(1);
  expect(dig(pdb, 'spec', 'minAvailable')).toBeUndefined();
  expect(envOf(objs).get('LEASE_NAME').value).toBe('podbell');
  expect(only(objs, 'Role', 'podbell-leader-election')).toBeDefined();
});

test('soft anti-affinity spreads leader and standby across nodes; a user affinity replaces it', async () => {
  const spec = (objs: K8sObject[]) => dig(only(objs, 'Deployment'), 'spec', 'template', 'spec') as any;
  const soft = spec(await render('defaults', [])).affinity.podAntiAffinity;
  expect(soft.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
  expect(soft.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
    { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'podbell', 'app.kubernetes.io/instance': expect.any(String) } } } },
  ]);
  const own = spec(await template([], ['--set', 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=pool', '--set', 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists'])).affinity;
  expect(own.podAntiAffinity).toBeUndefined();
  expect(own.nodeAffinity).toBeDefined();
});

test('every docs/design.md#environment setting is settable from values and reaches the container env', async () => {
  const objs = await render('every-setting.yaml', ['every-setting.yaml']);
  const env = envOf(objs);
  const literal = (n: string) => env.get(n)?.value;
  expect({
    SLACK_CHANNEL: literal('SLACK_CHANNEL'),
    SLACK_API_URL: literal('SLACK_API_URL'),
    CLUSTER_NAME: literal('CLUSTER_NAME'),
    WATCH_NAMESPACES: literal('WATCH_NAMESPACES'),
    GROUP_WAIT: literal('GROUP_WAIT'),
    GROUP_INTERVAL: literal('GROUP_INTERVAL'),
    REPEAT_INTERVAL: literal('REPEAT_INTERVAL'),
    RESOLVE_AFTER: literal('RESOLVE_AFTER'),
    REOPEN_WINDOW: literal('REOPEN_WINDOW'),
    THREAD_MAX_AGE: literal('THREAD_MAX_AGE'),
    STORM_THRESHOLD: literal('STORM_THRESHOLD'),
    PENDING_AFTER: literal('PENDING_AFTER'),
    HTTP_PORT: literal('HTTP_PORT'),
    LOG_LEVEL: literal('LOG_LEVEL'),
    LEASE_DURATION: literal('LEASE_DURATION'),
    LEASE_RENEW: literal('LEASE_RENEW'),
    HTTPS_PROXY: literal('HTTPS_PROXY'),
    LOG_TAIL_LINES: literal('LOG_TAIL_LINES'),
    LOG_FETCHES_PER_INCIDENT: literal('LOG_FETCHES_PER_INCIDENT'),
    LOG_REDACT: literal('LOG_REDACT'),
  }).toEqual({
    SLACK_CHANNEL: '#platform-alerts',
    SLACK_API_URL: 'https://slack-gov.com/api/',
    CLUSTER_NAME: 'prod-eu',
    WATCH_NAMESPACES: 'shop',
    GROUP_WAIT: '30s',
    GROUP_INTERVAL: '1m',
    REPEAT_INTERVAL: '8h',
    RESOLVE_AFTER: '10m',
    REOPEN_WINDOW: '2h',
    THREAD_MAX_AGE: '48h',
    STORM_THRESHOLD: '25',
    PENDING_AFTER: '15m',
    HTTP_PORT: '9090',
    LOG_LEVEL: 'debug',
    LEASE_DURATION: '30s',
    LEASE_RENEW: '10s',
    HTTPS_PROXY: 'http://proxy.internal:3128',
    LOG_TAIL_LINES: '40',
    LOG_FETCHES_PER_INCIDENT: '0',
    LOG_REDACT: 'cust-[0-9]{6},SSN \\d{3}',
  });
  expect(env.has('SLACK_BOT_TOKEN')).toBe(true);
  // The port moves with HTTP_PORT: container port and probes follow (the probes use the port name).
  expect(podbellContainer(objs).ports[0].containerPort).toBe(9090);
  expect(podbellContainer(objs).image).toBe('ghcr.io/podbell/podbell:0.2.0-rc.1');
});

test('logs.enabled and events.enabled off: podbell is told so, and neither pods/log nor events is granted', async () => {
  for (const [name, files] of [['no-evidence.yaml', ['no-evidence.yaml']], ['no-evidence+ns', ['no-evidence.yaml', 'watch-namespaces.yaml']]] as const) {
    const objs = await render(name, [...files]);
    const env = envOf(objs);
    expect([env.get('LOGS').value, env.get('EVENTS').value]).toEqual(['off', 'off']);
    const granted = [...ofKind(objs, 'ClusterRole'), ...ofKind(objs, 'Role')].flatMap((r) => (r.rules as any[]).flatMap((x) => x.resources as string[]));
    expect(granted).not.toContain('pods/log');
    expect(granted).not.toContain('events');
  }
});

test('an image digest pins the image instead of the tag', async () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  const objs = await template([], ['--set', `image.digest=${digest}`]);
  expect(podbellContainer(objs).image).toBe(`ghcr.io/podbell/podbell@${digest}`);
});

test('OpenShift-style override: a null runAsUser is dropped, the rest of the hardening stays', async () => {
  const objs = await template([], ['--set', 'podSecurityContext.runAsUser=null', '--set', 'securityContext.runAsUser=null']);
  const c = podbellContainer(objs);
  expect(c.securityContext.runAsUser).toBeUndefined();
  expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
});

describe('NOTES.txt after install', () => {
  test('tells how to create the missing Secret and how to test with a pod that cannot pull its image', async () => {
    const text = await notes();
    expect(text).toContain('kubectl -n podbell create secret generic podbell-slack --from-literal=token=xoxb-');
    expect(text).toContain('kubectl -n default run podbell-test --image=registry.invalid/nope:1');
    expect(text).toContain('kubectl -n default delete pod podbell-test');
    expect(text).toContain('kubectl -n podbell rollout status deployment/podbell');
  });

  test('in namespace mode the test pod goes into a watched namespace', async () => {
    const text = await notes(['watch-namespaces.yaml']);
    expect(text).toContain('Watching: namespaces shop, payments');
    expect(text).toContain('kubectl -n shop run podbell-test --image=registry.invalid/nope:1');
  });

  test('with an existing Secret it names that Secret and key; with slack.token it warns about release history', async () => {
    expect(await notes(['existing-secret.yaml'])).toContain('create secret generic slack-bot --from-literal=bot-token=xoxb-');
    const withToken = await notes(['token.yaml']);
    expect(withToken).not.toContain('create secret generic');
    expect(withToken).toContain("stored in Helm's release history");
  });
});

describe('Slack actions (SLACK_APP_TOKEN)', () => {
  test('by default the pod reads the app-level token from the same Secret, key appToken, optionally', async () => {
    const env = envOf(await render('defaults', []));
    expect(env.get('SLACK_APP_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'podbell-slack', key: 'appToken', optional: true });
    expect(env.has('SLACK_ALLOWED_USERS')).toBe(false);
  });

  test('slack.appToken goes into the created Secret, never into the Deployment', async () => {
    const objs = await render('token.yaml', ['token.yaml']);
    const appToken = values('token.yaml').slack.appToken as string;
    expect(Buffer.from(String(dig(only(objs, 'Secret'), 'data', 'appToken')), 'base64').toString()).toBe(appToken);
    expect(JSON.stringify(only(objs, 'Deployment'))).not.toContain(appToken);
  });

  test('allowedUsers and allowedGroups become comma lists', async () => {
    const env = envOf(await render('every-setting.yaml', ['every-setting.yaml']));
    expect(env.get('SLACK_ALLOWED_USERS').value).toBe('U0123ABCD,W0456EFGH');
    expect(env.get('SLACK_ALLOWED_GROUPS').value).toBe('S0ONCALL1');
  });
});
