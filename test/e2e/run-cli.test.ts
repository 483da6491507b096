import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimCluster, pods, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack } from '../fakes/slack.js';
import { FakeSocketMode } from '../fakes/socket-mode.js';
import { healthPort, podbell } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

const file = (dir: string, text: string) => {
  writeFileSync(join(dir, 'kubeconfig'), text);
  return join(dir, 'kubeconfig');
};

describe('podbell run (the real CLI)', () => {
  let sim: SimCluster;
  let server: SimServer;
  let kubeconfig: string;

  beforeEach(async () => {
    sim = new SimCluster();
    server = await startSimServer({ cluster: sim });
    kubeconfig = join(mkdtempSync(join(tmpdir(), 'podbell-run-')), 'kubeconfig');
    writeFileSync(kubeconfig, simKubeconfigText({ url: server.url }));
  });

  afterEach(async () => {
    await server.close();
  });

  test('invalid configuration: exit 2, every bad variable and value named', async () => {
    const run = podbell(['run'], { KUBECONFIG: kubeconfig, GROUP_WAIT: 'soon', HTTP_PORT: 'eighty', SLACK_CHANNEL: 'Not A Channel' });
    expect(await run.exit).toBe(2);
    for (const s of ['GROUP_WAIT="soon"', 'HTTP_PORT="eighty"', 'SLACK_CHANNEL="Not A Channel"']) expect(run.stderr()).toContain(s);
  });

  test.each([
    ['a missing file', () => '/nope/kubeconfig', /^podbell: KUBECONFIG=\/nope\/kubeconfig: cannot load \/nope\/kubeconfig: no such file$/],
    ['a garbled file', (dir: string) => file(dir, 'this: is: [not yaml\n  - at all\n'), /^podbell: KUBECONFIG=.*: cannot load .*: bad indentation of a mapping entry \(1:9\)$/],
    ['a malformed server URL', (dir: string) => file(dir, simKubeconfigText({ url: 'http://127.0.0.1:1' }).replace('http://127.0.0.1:1', 'not a url')), /^podbell: KUBECONFIG=.*: cluster "podbell-sim" has a malformed server URL "not a url"$/],
    ['no current context', (dir: string) => file(dir, 'apiVersion: v1\nkind: Config\n'), /^podbell: KUBECONFIG=.*: no current-context, so no cluster to talk to$/],
    ['an auth-provider client-node does not implement', (dir: string) => file(dir, simKubeconfigText({ url: 'http://127.0.0.1:1' }).replace(/"token": "[^"]*"/, '"auth-provider": {"name": "weird"}')), /^podbell: KUBECONFIG=.*: user "podbell-sim" uses auth-provider "weird", which podbell cannot use \(only azure, gcp, oidc\); use an exec credential plugin or a token$/],
    ['an exec plugin that is not there', (dir: string) => file(dir, simKubeconfigText({ url: 'http://127.0.0.1:1' }).replace(/"token": "[^"]*"/, '"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "/nonexistent/plugin", "interactiveMode": "Never"}')), /^podbell: KUBECONFIG=.*: cannot use the credentials of context "podbell-sim": spawn \/nonexistent\/plugin ENOENT$/],
  ])('credentials that no retry can heal (%s): exit 2 with one line on stderr, nothing on stdout', async (_what, path, line) => {
    const run = podbell(['run'], { KUBECONFIG: path(mkdtempSync(join(tmpdir(), 'podbell-kc-'))), HTTP_PORT: '0' });
    expect(await run.exit).toBe(2);
    expect(run.stderr().trimEnd().split('\n')).toEqual([expect.stringMatching(line)]);
    expect(run.stdout()).toBe('');
  });

  test('run --help prints what run does; an argument is one line and a pointer to --help', async () => {
    const help = podbell(['run', '--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toMatch(/^usage: podbell run\n/);
    const bad = podbell(['run', 'now']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toBe(`podbell run: unexpected argument "now" (configuration comes from the environment; see .env.example)\nsee 'podbell run --help'\n`);
  });

  test('HTTP_PORT already in use: exit 2 with one line naming the variable and the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const run = podbell(['run'], { KUBECONFIG: kubeconfig, HTTP_PORT: String(port) });
      expect(await run.exit).toBe(2);
      expect(run.stderr().trimEnd().split('\n').filter((l) => !l.startsWith('{'))).toEqual([`podbell: HTTP_PORT=${port}: port ${port} is already in use (set HTTP_PORT to a free port)`]);
      expect(run.stderr() + run.stdout()).not.toContain('EADDRINUSE');
    } finally {
      taken.close();
    }
  });

  test('without a token it prints the thread to stdout, serves health and metrics, and exits 0 on SIGTERM', async () => {
    sim.setNamespace('shop');
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const name = (pod.metadata as { name: string }).name;
    const run = podbell(['run'], { KUBECONFIG: kubeconfig, HTTP_PORT: '0', GROUP_WAIT: '0', LOG_LEVEL: 'info' });
    try {
      const port = await healthPort(run);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await waitFor('/readyz to turn ready after the initial lists', async () => (await fetch(`${base}/readyz`)).status === 200);

      sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'registry.example.com/checkout:1.0.0', restartCount: 1 })]));
      await waitFor('the parent on stdout', () => run.stdout().includes('checkout · Deployment · shop'));
      // Messages alone on stdout, each with its time; the JSON logs on stderr.
      expect(run.stdout().split('\n').find((l) => l.includes('checkout · Deployment · shop'))).toMatch(/^\[\d\d-\d\d \d\d:\d\d:\d\d\]  #alerts  \[t1\]  /);
      expect(run.stdout()).not.toContain('{"level"');
      const startLine = run.stderr().split('\n').find((l) => l.includes('serving /healthz'));
      expect(JSON.parse(startLine!)).toMatchObject({ msg: expect.stringMatching(/^podbell \d+\.\d+\.\d+ serving/), version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/podbell_watch_events_total\{[^}]*resource="pods"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/podbell_failures_detected_total\{reason="Error"\} 1/);
      expect(metrics).toContain('process_resident_memory_bytes');
      expect(metrics).toMatch(/^podbell_build_info\{version="\d+\.\d+\.\d+",node="[\d.]+"\} 1$/m);

      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      expect(run.stderr()).toContain('"msg":"stopped"');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('with SLACK_APP_TOKEN the parent carries buttons and a press over Socket Mode acknowledges it; the app token never reaches the logs', async () => {
    const socket = await FakeSocketMode.start();
    const slack = await FakeSlack.start({ channels: ['#alerts'], socketMode: socket });
    sim.setNamespace('shop');
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const run = podbell(['run'], { KUBECONFIG: kubeconfig, HTTP_PORT: '0', GROUP_WAIT: '0', GROUP_INTERVAL: '300ms', LOG_LEVEL: 'debug', SLACK_BOT_TOKEN: slack.token, SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.url });
    try {
      await waitFor('the Socket Mode connection', () => socket.connected);
      sim.patchStatus('shop', (pod.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'registry.example.com/checkout:1.0.0', restartCount: 1 })]));
      const parent = await waitFor('the parent with buttons', () => slack.threads('#alerts').find((t) => JSON.stringify(t.blocks ?? []).includes('podbell:ack')));
      const env = socket.clickButton({ user: 'U0123ABC', actionId: 'podbell:ack', value: 't1', channel: parent.channel, messageTs: parent.ts });
      await waitFor('the ack', () => socket.acked(env));
      await waitFor('the parent acknowledged', () => slack.threads('#alerts')[0]!.text.includes('👀 acknowledged by <@U0123ABC>'));
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      expect(run.stdout() + run.stderr()).not.toContain(slack.appToken);
    } finally {
      run.child.kill('SIGKILL');
      await socket.close();
      await slack.close();
    }
  });
});
