import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { checkCommand } from '../../src/commands/check.js';
import { jsonErrorOffset } from '../../src/json-input.js';
import { editPod, loadPod, POD_DIR } from '../fixtures/pods.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONTRACT_KEYS = ['namespace', 'pod', 'container', 'reason', 'exitCode', 'restartCount', 'message'];

interface Run {
  readonly code: number;
  readonly lines: Record<string, unknown>[];
  readonly stdout: string;
  /** Standard error without the closing notice about missing Namespace objects (see `noNamespaces`). */
  readonly stderr: string;
  /** Whether check said the input had pods but no Namespace objects. */
  readonly noNamespaces: boolean;
}

const NO_NAMESPACES_NOTICE = 'podbell check: the input has pods but no Namespace objects, so mutes set on namespaces were not applied; include them: kubectl get pods,namespaces -A -o json | podbell check\n';

/** Runs `podbell check ARGV` in-process, stdin fed from `input` (a string, or chunks as they would arrive). */
async function check(argv: string[], input: string | string[] = '', env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await checkCommand(argv, {
    stdin: Readable.from(Array.isArray(input) ? input : [input]),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return {
    code,
    stdout,
    stderr: stderr.replace(NO_NAMESPACES_NOTICE, ''),
    noNamespaces: stderr.includes(NO_NAMESPACES_NOTICE),
    get lines() {
      return stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

const brief = (l: Record<string, unknown>) => `${l.pod}/${l.container ?? '(pod)'} ${l.reason}${l.muted ? ' muted' : ''}`;
const fixtureFile = (name: string) => join(POD_DIR, `${name}.json`);
/** `kubectl get pods -o json` prints a v1 List of Pods, pretty-printed with 4 spaces. */
const kubectlList = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4);
const namespace = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { annotations, creationTimestamp: '2026-01-10T10:00:00Z', labels: { 'kubernetes.io/metadata.name': name }, name, resourceVersion: '812', uid: `ns-${name}` },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

describe('podbell check FILE: one JSON line per failure, exactly the contract keys', () => {
  test('a crash-looping pod from `kubectl get pod -o json`', async () => {
    const r = await check([fixtureFile('crashloop-backoff')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.lines).toHaveLength(1);
    expect(Object.keys(r.lines[0]!)).toEqual([...CONTRACT_KEYS, 'backOff']);
    expect(r.lines[0]).toEqual({
      namespace: 'shop',
      pod: 'checkout-7d9f8b6c5d-x2k4q',
      container: 'app',
      // the crash is named by its cause; backOff says kubectl shows CrashLoopBackOff
      reason: 'Error',
      backOff: true,
      exitCode: 1,
      restartCount: 5,
      message: 'Error: connect ECONNREFUSED 10.0.3.7:5432\n    at TCPConnectWrapper.afterConnect [as oncomplete] (node:net:1607:16)',
    });
  });

  test.each([
    ['evicted', { container: null, reason: 'Evicted', exitCode: null, restartCount: 0 }],
    ['image-pull-backoff', { container: 'app', reason: 'ImagePullBackOff', exitCode: null }],
    ['oomkilled-terminated', { reason: 'OOMKilled', exitCode: 137, message: null }],
    ['init-crashloop', { container: 'wait-for-db', reason: 'Error', exitCode: 1, init: true, backOff: true }],
    ['init-error-restart-always', { container: 'wait-for-db', reason: 'Error', exitCode: 1, init: true }],
    ['error-restart-always', { container: 'app', reason: 'Error', exitCode: 1, restartCount: 0 }],
    ['container-status-unknown', { container: 'app', reason: 'ContainerStatusUnknown', exitCode: 137 }],
    ['unknown-exit-255', { container: 'app', reason: 'Unknown', exitCode: 255 }],
    ['oomkilled-then-crashloop', { container: 'app', reason: 'OOMKilled', exitCode: 137, backOff: true }],
    ['sidecar-crashloop', { container: 'istio-proxy', sidecar: true }],
    ['ephemeral-err-image-pull', { container: 'debugger-7xk2q', reason: 'ErrImagePull', ephemeral: true }],
  ])('%s: absent values are null, container kinds are marked', async (name, expected) => {
    const r = await check([fixtureFile(name)]);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject(expected);
    for (const k of CONTRACT_KEYS) expect(r.lines[0]).toHaveProperty(k);
  });

  test('a 2 KB termination message is printed whole (no Slack limits here)', async () => {
    const r = await check([fixtureFile('long-termination-message')]);
    const raw = loadPod('long-termination-message');
    expect(r.lines[0]?.message).toBe(raw.status.containerStatuses[0].lastState.terminated.message);
  });

  test.each(['healthy', 'restarted-long-ago', 'completed-job', 'sidecar-running', 'liveness-137-running', 'disruption-drain'])(
    '%s: no output, exit 0',
    async (name) => {
      const r = await check([fixtureFile(name), '--fail-on-failure']);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    },
  );
});

describe('input shapes', () => {
  const items = ['healthy', 'crashloop-backoff', 'evicted', 'completed-job', 'two-containers-failing'].map(loadPod);
  const expected = ['checkout-7d9f8b6c5d-x2k4q/app Error', 'checkout-7d9f8b6c5d-e1v2c/(pod) Evicted', 'orders-0/app Error', 'orders-0/metrics OOMKilled'];

  test('`kubectl get pods -A -o json` (a pretty-printed List) on stdin with -', async () => {
    const r = await check(['-'], kubectlList(items));
    expect(r.lines.map(brief)).toEqual(expected);
    expect(r.code).toBe(0);
  });

  test('a raw API PodList, whose items carry no kind', async () => {
    const r = await check([], JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '99' }, items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) }));
    expect(r.lines.map(brief)).toEqual(expected);
  });

  test('JSON lines of pods, blank lines allowed', async () => {
    const r = await check([], items.map((p) => JSON.stringify(p)).join('\n\n') + '\n');
    expect(r.lines.map(brief)).toEqual(expected);
  });

  test('pretty-printed pods one after another (`kubectl get pods -w -o json`)', async () => {
    const r = await check([], items.map((p) => JSON.stringify(p, null, 4)).join('\n'));
    expect(r.lines.map(brief)).toEqual(expected);
  });

  test('a top-level JSON array of pods, with a byte-order mark', async () => {
    const r = await check([], `\ufeff${JSON.stringify(items)}`);
    expect(r.lines.map(brief)).toEqual(expected);
  });

  test('the same List split into 7-character chunks gives the same lines (stdin arrives in pieces)', async () => {
    const text = kubectlList(items);
    const chunks = text.match(/[\s\S]{1,7}/g) ?? [];
    const r = await check([], chunks);
    expect(r.lines.map(brief)).toEqual(expected);
  });

  test('a watch stream (`--output-watch-events`): each new failure once, re-deliveries and bookmarks silent', async () => {
    const bumped = editPod('crashloop-backoff', (p) => (p.status.containerStatuses[0].restartCount = 6));
    const events = [
      { type: 'ADDED', object: editPod('crashloop-backoff', (p) => (p.status.containerStatuses[0] = loadPod('healthy').status.containerStatuses[0])) },
      { type: 'MODIFIED', object: loadPod('crashloop-backoff') },
      { type: 'MODIFIED', object: loadPod('crashloop-backoff') },
      { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '4821999' } } },
      { type: 'MODIFIED', object: bumped },
      { type: 'DELETED', object: bumped },
      { type: 'ADDED', object: bumped },
    ];
    const r = await check([], events.map((e) => JSON.stringify(e)).join('\n'));
    expect(r.lines.map((l) => `${l.reason} ${l.restartCount}`)).toEqual(['Error 5', 'Error 6', 'Error 6']);
    expect(r.stderr).toBe('');
  });

  test('a watch ERROR event is reported on stderr and reading goes on', async () => {
    const events = [
      { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 4821337 (4829999)', reason: 'Expired', code: 410 } },
      { type: 'ADDED', object: loadPod('oomkilled-terminated') },
    ];
    const r = await check([], events.map((e) => JSON.stringify(e)).join('\n'));
    expect(r.lines.map((l) => l.reason)).toEqual(['OOMKilled']);
    expect(r.stderr).toContain('<stdin>:1: watch ERROR event: too old resource version');
    expect(r.code).toBe(0);
  });

  test('objects that are not pods are skipped with a note naming where they are', async () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'checkout', namespace: 'shop' }, spec: {} };
    const r = await check([], [JSON.stringify(deployment), '\n', JSON.stringify(loadPod('crashloop-backoff'))].join(''));
    expect(r.lines).toHaveLength(1);
    expect(r.stderr).toBe('podbell check: <stdin>:1: skipped a Deployment (podbell check reads Pods, Namespaces, lists and watch events of them)\n');
    expect(r.code).toBe(0);
  });

  test.each([
    ['{"apiVersion":"v1","data":{"a":"b"}}', 'skipped an object without kind'],
    ['{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"x"}}', 'skipped an Ingress'],
    ['{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}', 'skipped a Deployment'],
  ])('the skip note reads as English: %s', async (input, note) => {
    expect((await check([], input)).stderr).toContain(`<stdin>:1: ${note} (podbell check reads`);
  });

  test('a pod without metadata is judged all the same, printed with pod null', async () => {
    const r = await check([], kubectlList([loadPod('healthy'), loadPod('no-metadata')]));
    expect(r.lines).toEqual([expect.objectContaining({ namespace: 'default', pod: null, container: 'app', reason: 'Error', exitCode: 1 })]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('a status-only evicted pod, as pasted from a ticket, is a Pod (not a Namespace without a name)', async () => {
    const r = await check([fixtureFile('status-only-evicted')]);
    expect(r.lines).toEqual([{ namespace: 'default', pod: null, container: null, reason: 'Evicted', exitCode: null, restartCount: 0, message: expect.stringMatching(/^The node was low on resource: ephemeral-storage/) }]);
    expect(r.stderr).toBe('');
  });

  test('two unnamed pods in one stream are two pods; PodList items without kind and odd containers are judged', async () => {
    const noKind = ({ kind: _k, apiVersion: _a, ...rest }: Record<string, any>) => rest;
    const items = ['status-only-evicted', 'status-only-evicted', 'waiting-empty', 'running-null', 'bad-timestamps', 'container-status-unknown'].map((n) => noKind(loadPod(n)));
    const r = await check(['--now', '2026-11-21T09:15:00Z'], JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: {}, items }));
    // waiting-empty: scheduled at 08:00, its container still not started at 09:15
    expect(r.lines.map(brief)).toEqual(['null/(pod) Evicted', 'null/(pod) Evicted', 'checkout-7d9f8b6c5d-w0e1m/(pod) PendingTooLong', 'checkout-7d9f8b6c5d-b4d7t/app OOMKilled', 'checkout-7d9f8b6c5d-u7k3n/app ContainerStatusUnknown']);
    expect(r.stderr).toBe('');
  });
});

describe('stuck pods, judged at --now against PENDING_AFTER', () => {
  test.each([
    // pending-unschedulable: Unschedulable since 09:00:30; container-creating: scheduled 08:00:00
    ['pending-unschedulable', '2026-11-21T09:10:00Z', {}, []],
    ['pending-unschedulable', '2026-11-21T09:11:00Z', {}, ['checkout-7d9f8b6c5d-g8h9j/(pod) Unschedulable']],
    ['pending-unschedulable', '2026-11-21T09:11:00Z', { PENDING_AFTER: '15m' }, []],
    ['container-creating', '2026-11-21T08:09:00Z', {}, []],
    ['container-creating', '2026-11-21T08:11:00Z', {}, ['checkout-7d9f8b6c5d-c4r8e/(pod) PendingTooLong']],
    ['pod-initializing', '2026-11-21T08:11:00Z', {}, ['checkout-7d9f8b6c5d-p1n2t/(pod) PendingTooLong']],
  ])('%s at %s %j', async (name, now, env, expected) => {
    const r = await check([fixtureFile(name), '--now', now], '', env);
    expect(r.lines.map(brief)).toEqual(expected);
    expect(r.stderr).toBe('');
  });

  test('without --now, the current time: a pod pending since 2026-11-21 is stuck today', async () => {
    const r = await check([fixtureFile('pending-unschedulable')]);
    expect(r.lines).toEqual([expect.objectContaining({ container: null, reason: 'Unschedulable', message: expect.stringMatching(/^0\/3 nodes are available/) })]);
  });

  test('a mangled lastTransitionTime: not judged stuck, and said so on stderr (never skipped silently)', async () => {
    const mangled = editPod('pending-unschedulable', (p) => (p.status.conditions[0].lastTransitionTime = 'yesterday'));
    const r = await check(['--now', '2026-11-22T00:00:00Z'], JSON.stringify(mangled));
    expect(r.lines).toEqual([]);
    expect(r.stderr).toBe('podbell check: <stdin>:1: pod checkout-7d9f8b6c5d-g8h9j is Pending, but when its PodScheduled condition changed cannot be read: not judged as stuck\n');
  });

  test('a bad PENDING_AFTER: exit 2 naming it', async () => {
    const r = await check([fixtureFile('pending-unschedulable')], '', { PENDING_AFTER: 'soon' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PENDING_AFTER="soon"');
  });
});

describe('mutes from Namespaces in the input', () => {
  const shopMuted = namespace('shop', { 'podbell.io/mute': 'true' });

  test('a muted namespace before its pods: lines say muted and why; --fail-on-failure ignores them', async () => {
    const input = [shopMuted, loadPod('crashloop-backoff')].map((o) => JSON.stringify(o)).join('\n');
    const r = await check(['--fail-on-failure'], input);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({ reason: 'Error', muted: true });
    expect(r.lines[0]?.mutedWhy).toEqual(expect.stringContaining('namespace shop'));
    expect(r.code).toBe(0);
  });

  test('a Namespace without kind (with spec and status, as the API returns them) is read as a Namespace, as replay does', async () => {
    const { kind: _k, ...kindless } = { ...shopMuted, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as Record<string, unknown>;
    const r = await check(['--fail-on-failure'], [kindless, loadPod('crashloop-backoff')].map((o) => JSON.stringify(o)).join('\n'));
    expect(r.lines.map(brief)).toEqual(['checkout-7d9f8b6c5d-x2k4q/app Error muted']);
    expect(r.code).toBe(0);
  });

  test('in one List, the Namespace mutes its pods even when it comes last (`kubectl get pods,ns -o json`)', async () => {
    const r = await check([], kubectlList([loadPod('crashloop-backoff'), loadPod('evicted'), shopMuted]));
    expect(r.lines.map(brief)).toEqual(['checkout-7d9f8b6c5d-x2k4q/app Error muted', 'checkout-7d9f8b6c5d-e1v2c/(pod) Evicted muted']);
  });

  test('another namespace muted: shop still alerts, and --fail-on-failure exits 1', async () => {
    const r = await check(['--fail-on-failure'], kubectlList([namespace('staging', { 'podbell.io/mute': 'true' }), namespace('shop'), loadPod('crashloop-backoff')]));
    expect(r.lines.map(brief)).toEqual(['checkout-7d9f8b6c5d-x2k4q/app Error']);
    expect(r.lines[0]).not.toHaveProperty('muted');
    expect(r.code).toBe(1);
  });

  test('a watch stream of Namespaces and Pods: a mute applies while the Namespace says so', async () => {
    const unmuted = namespace('shop');
    const bumped = editPod('crashloop-backoff', (p) => (p.status.containerStatuses[0].restartCount = 6));
    const events = [
      { type: 'ADDED', object: shopMuted },
      { type: 'ADDED', object: loadPod('crashloop-backoff') },
      { type: 'MODIFIED', object: unmuted },
      { type: 'MODIFIED', object: bumped },
      { type: 'MODIFIED', object: shopMuted },
      { type: 'DELETED', object: shopMuted },
      { type: 'MODIFIED', object: editPod('crashloop-backoff', (p) => (p.status.containerStatuses[0].restartCount = 7)) },
    ];
    const r = await check([], events.map((e) => JSON.stringify(e)).join('\n'));
    expect(r.lines.map((l) => `${l.restartCount}${l.muted ? ' muted' : ''}`)).toEqual(['5 muted', '6', '7']);
  });

  test.each([
    ['2026-11-22T05:59:59Z', true],
    ['2026-11-22T06:00:00Z', false],
  ])('podbell.io/mute-until 06:00 evaluated --now %s: muted %s', async (now, muted) => {
    const ns = namespace('shop', { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' });
    const r = await check(['--now', now, '--fail-on-failure'], kubectlList([ns, loadPod('crashloop-backoff')]));
    expect(r.lines[0]?.muted ?? false).toBe(muted);
    expect(r.code).toBe(muted ? 0 : 1);
  });

  test('pods without any Namespace in the input: said once at the end, pointing at get pods,namespaces', async () => {
    const pods = JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [1, 2, 3].map((i) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name: `p${i}`, namespace: 'shop', uid: `u${i}` }, status: { phase: 'Running' } })) });
    let stderr = '';
    await checkCommand([], { stdin: Readable.from([pods]), stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} });
    expect(stderr).toBe(NO_NAMESPACES_NOTICE);
    const withNamespace = JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [{ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'shop' } }, ...JSON.parse(pods).items] });
    expect((await check([], withNamespace)).noNamespaces).toBe(false);
  });

  test('every warning about one annotation is printed once, however many pods and failures meet it', async () => {
    const ns = { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'shop', annotations: { 'podbell.io/channel': 'not a channel', 'podbell.io/mute-reasons': 'OOMKilled,Bogus' } } };
    const crashing = (i: number) => ({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: `p${i}`, namespace: 'shop', uid: `u${i}`, annotations: { 'podbell.io/mute-until': 'tomorrow' } },
      status: { phase: 'Running', containerStatuses: ['a', 'b'].map((name) => ({ name, image: 'x', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } })) },
    });
    const input = [ns, crashing(1), crashing(1), crashing(2)].map((o) => JSON.stringify(o)).join('\n');
    const r = await check([], input);
    expect(r.lines).toHaveLength(4);
    const warnings = r.stderr.trimEnd().split('\n');
    expect(warnings).toHaveLength(4);
    expect(warnings.filter((l) => l.includes('podbell.io/channel="not a channel"'))).toEqual([expect.stringMatching(/namespace shop: .*; alerts go to SLACK_CHANNEL instead$/)]);
    expect(warnings.filter((l) => l.includes('mute-reasons'))).toEqual([expect.stringMatching(/the mute still applies to OOMKilled$/)]);
    expect(warnings.filter((l) => l.includes('mute-until')).map((l) => l.replace(/^.*?: pod /, 'pod '))).toEqual([expect.stringMatching(/^pod shop\/p1: .*pod shop\/p1 is not muted$/), expect.stringMatching(/^pod shop\/p2: /)]);
  });

  test('mute-reasons CrashLoopBackOff still mutes a crash loop (now named by its cause), not a crash that is not in back-off', async () => {
    const ns = namespace('shop', { 'podbell.io/mute-reasons': 'CrashLoopBackOff' });
    const r = await check(['--fail-on-failure'], kubectlList([ns, loadPod('crashloop-backoff'), loadPod('oomkilled-terminated')]));
    expect(r.lines.map(brief)).toEqual(['checkout-7d9f8b6c5d-x2k4q/app Error muted', 'checkout-7d9f8b6c5d-b8m2p/app OOMKilled']);
    expect(r.code).toBe(1);
  });

  test('a malformed mute annotation is named once on stderr and mutes nothing', async () => {
    const ns = namespace('shop', { 'podbell.io/mute': 'ture' });
    const r = await check([], kubectlList([ns, loadPod('crashloop-backoff'), loadPod('evicted')]));
    expect(r.lines.map(brief)).toEqual(['checkout-7d9f8b6c5d-x2k4q/app Error', 'checkout-7d9f8b6c5d-e1v2c/(pod) Evicted']);
    expect(r.stderr.split('\n').filter((l) => l.includes('podbell.io/mute="ture"'))).toHaveLength(1);
  });

  test('a pod annotated podbell.io/ignore is muted without any Namespace', async () => {
    const pod = editPod('oomkilled-terminated', (p) => (p.metadata.annotations = { 'podbell.io/ignore': 'true' }));
    const r = await check([], JSON.stringify(pod));
    expect(r.lines[0]).toMatchObject({ reason: 'OOMKilled', muted: true, mutedWhy: expect.stringMatching(/ignore/) });
  });
});

describe('exit status and errors', () => {
  test('failures found: exit 0 by default, 1 with --fail-on-failure', async () => {
    expect((await check([fixtureFile('crashloop-backoff')])).code).toBe(0);
    expect((await check([fixtureFile('crashloop-backoff'), '--fail-on-failure'])).code).toBe(1);
  });

  test('--help documents the output and exit status, --now and PENDING_AFTER', async () => {
    const r = await check(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--now TIME +judge at this RFC 3339 time/);
    expect(r.stdout).toContain('PENDING_AFTER');
    expect(r.stdout).toContain('Usage: podbell check [FILE|-]');
    expect(r.stdout).toContain('--fail-on-failure');
    expect(r.stdout).toMatch(/Exit status:\n {2}0 .*\n {2}1 .*\n {2}2 /);
  });

  test.each([
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['a.json', 'b.json'], 'one input at a time'],
    [['--now', 'tomorrow'], '--now needs an RFC 3339 time'],
  ])('bad usage %j: exit 2 and says what is wrong', async (argv, message) => {
    const r = await check(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  test('a file that does not exist: exit 2 naming it', async () => {
    const r = await check(['/nonexistent/pods.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^podbell check: cannot read \/nonexistent\/pods\.json: ENOENT/);
  });

  test('a broken JSON line: exit 2 naming the file and line; the lines before it were printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podbell-check-'));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, [JSON.stringify(loadPod('crashloop-backoff')), JSON.stringify(loadPod('healthy')), '{"type":"MODIFIED","object":{"kind":"Pod",}}'].join('\n'));
    const r = await check([file]);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^podbell check: ${file.replace(/[.\\/]/g, '\\$&')}:3: invalid JSON: `));
  });

  test('an error inside a pretty-printed document names the line inside it', async () => {
    const text = JSON.stringify(loadPod('healthy'), null, 2).replace('"phase": "Running"', '"phase": Running');
    const line = text.split('\n').findIndex((l) => l.includes('"phase": Running')) + 1;
    const r = await check([], text);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`<stdin>:${line}: invalid JSON`);
  });

  test('a truncated document: exit 2 naming where it starts', async () => {
    const r = await check([], `${JSON.stringify(loadPod('healthy'))}\n\n${JSON.stringify(loadPod('crashloop-backoff'), null, 2).slice(0, 500)}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('podbell check: <stdin>:3: the JSON value starting here never ends (truncated input?)\n');
  });

  test('text that is not JSON (YAML, say): exit 2 naming the line', async () => {
    const r = await check([], '\napiVersion: v1\nkind: Pod\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('podbell check: <stdin>:2: expected a JSON object (JSON lines, or documents such as kubectl get pods -o json), found "apiVersion: v1"\n');
  });

  test('brackets and quotes inside strings do not confuse the reader', async () => {
    const pod = editPod('crashloop-backoff', (p) => (p.status.containerStatuses[0].lastState.terminated.message = 'unbalanced } ] { [ "quoted \\" text" \\\\'));
    const r = await check([], JSON.stringify(pod) + '\n' + JSON.stringify(pod, null, 1));
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => l.message)).toEqual(['unbalanced } ] { [ "quoted \\" text" \\\\']);
  });
});

describe('jsonErrorOffset: where an error is, whatever V8 says', () => {
  test.each([
    ['{"a": [1, 2.5e3, true, false, null, "x\\"y"], "b": {}}', -1],
    ['{"a": Running}', 6],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[1 2]', 3],
    ['{"a": "unterminated', 19],
    ['{"a": 01}', 7],
    ['{} {}', 3],
  ])('%s -> %d', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    if (offset === -1) expect(() => JSON.parse(text)).not.toThrow();
    else expect(() => JSON.parse(text)).toThrow();
  });
});

describe('over real process stdio', () => {
  // The real CLI: bin/podbell.js -> src/main.ts -> checkCommand. (Without src/main.ts, as on this branch
  // before main was merged in, the command runs in a child process over real stdio instead.)
  const runner = `import { checkCommand } from './src/commands/check.ts';
process.exitCode = await checkCommand(process.argv.slice(1), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });`;
  const cli = (args: string[], input?: string) =>
    existsSync(join(ROOT, 'src', 'main.ts'))
      ? spawnSync(process.execPath, [join(ROOT, 'bin', 'podbell.js'), 'check', ...args], { cwd: ROOT, input, encoding: 'utf8' })
      : spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runner, '--', ...args], { cwd: ROOT, input, encoding: 'utf8' });

  test('check FILE --fail-on-failure prints the failure lines and exits 1', () => {
    const r = cli([fixtureFile('two-containers-failing'), '--fail-on-failure']);
    expect(r.stderr.replace(/^npm warn.*\n/gm, '')).toBe(NO_NAMESPACES_NOTICE);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').map((l) => brief(JSON.parse(l) as Record<string, unknown>))).toEqual(['orders-0/app Error', 'orders-0/metrics OOMKilled']);
  });

  test('check - reads a List piped on stdin', () => {
    const r = cli(['-'], kubectlList([loadPod('healthy'), loadPod('init-crashloop')]));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ container: 'wait-for-db', reason: 'Error', init: true });
  });
});
