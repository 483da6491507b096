import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { SimCluster, SimDeployment, pods, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack, type MessageView } from '../fakes/slack.js';
import { metricValue } from '../unit/kube-helpers.js';
import { botHarness, type BotHarness } from '../support/bot-harness.js';
import { waitFor } from '../support/wait.js';

// Evidence end to end: the sim's pods/log and Events -> the Bot's Event watch and log fetch -> the
// evidence stage -> SlackSender -> the fake Slack. Asserted on what a user sees in the thread.
const kubectlPath = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), '.tools/bin/kubectl');

let sim: SimCluster;
let server: SimServer;
let slack: FakeSlack;
let harness: BotHarness | undefined;
let registry: Registry;
let dir: string;

const startBot = async (env: Record<string, string> = {}) => {
  harness = botHarness({ server, slack, env: { GROUP_INTERVAL: '1h', ...env }, postsPerSecond: 50 });
  ({ registry } = harness);
  const { bot } = harness;
  await bot.start();
  await waitFor('the initial lists', () => bot.ready());
};

const kubectl = (...args: string[]): Promise<string> =>
  new Promise((done, fail) => {
    execFile(kubectlPath, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => (err ? fail(new Error(stderr)) : done(stdout)));
  });

const blocksText = (m: MessageView): string => JSON.stringify(m.blocks ?? []);

beforeEach(async () => {
  sim = new SimCluster();
  server = await startSimServer({ cluster: sim });
  slack = await FakeSlack.start({ channels: ['#alerts'] });
  dir = mkdtempSync(join(tmpdir(), 'podbell-evidence-'));
  writeFileSync(join(dir, 'kubeconfig'), simKubeconfigText({ url: server.url }));
});

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await server.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a crash-looping pod: the cause line on the parent, the redacted and escaped log tail and the folded Warning Event in the first reply', async () => {
  const d = new SimDeployment(sim, { namespace: 'shop', name: 'checkout' });
  const pod = d.pods[0]!.name;
  await startBot();

  // The probe failures come before the crash: created with real kubectl (--validate=false: the sim has no OpenAPI).
  writeFileSync(
    join(dir, 'event.yaml'),
    `apiVersion: v1
kind: Event
metadata: {name: ${pod}.liveness, namespace: shop}
involvedObject: {kind: Pod, name: ${pod}, namespace: shop, uid: ${d.pods[0]!.uid}}
type: Warning
reason: Unhealthy
message: "Liveness probe failed: HTTP probe failed with statuscode: 500"
count: 12
firstTimestamp: "${new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z')}"
lastTimestamp: "${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}"
`,
  );
  expect(await kubectl('create', '--validate=false', '-f', join(dir, 'event.yaml'))).toContain('created');
  await waitFor('the Warning Event to reach podbell', async () => (await metricValue(registry, 'podbell_watch_events_total', { resource: 'events' })) >= 1);

  // The crashed run's log, through the sim's CONTRACT endpoint.
  const lines = Array.from({ length: 20 }, (_, i) => `2026-11-30T09:00:${String(i).padStart(2, '0')}Z line ${i + 1}`);
  lines[14] = 'connecting to db with password=hunter2';
  lines[16] = 'paging <!channel> about it';
  const put = await fetch(`${server.url}/sim/v1/namespaces/shop/pods/${pod}/log?container=app&previous=true`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `${lines.join('\n')}\n` });
  expect(put.status).toBe(204);
  sim.patchStatus('shop', pod, pods.podStatus([pods.crashLoop({ name: 'app', image: 'img:1', restartCount: 1 }, { reason: 'Error', exitCode: 137 })]));

  const thread = await waitFor('the parent and its first reply', () => slack.threads().find((t) => t.replies.length >= 1));
  expect(thread.text).toContain('cause: killed by its liveness probe');
  const reply = blocksText(thread.replies[0]!);
  expect(reply).toContain('last 20 log lines of the previous run of app');
  expect(reply).toContain('password=[REDACTED]');
  expect(reply).not.toContain('hunter2');
  expect(reply).toContain('paging &lt;!channel&gt; about it');
  expect(JSON.stringify(thread)).not.toContain('<!channel>');
  expect(reply).toMatch(/line 20```/);
  expect(reply).toContain('Unhealthy ×12: Liveness probe failed: HTTP probe failed with statuscode: 500');
  expect(server.stats.logs).toBe(1);
}, 60_000);

test('a Warning Event after an ImagePullBackOff: the parent first says the fallback, then why the pull failed', async () => {
  const d = new SimDeployment(sim, { namespace: 'shop', name: 'cart' });
  const pod = d.pods[0]!;
  await startBot({ GROUP_INTERVAL: '1s' });

  // The kubelet's order when its Failed Event is late: the status first, with no Event to read yet.
  sim.patchStatus('shop', pod.name, pods.podStatus([pods.imagePullBackOff({ name: 'app', image: 'registry.example.com/cart:9.9.9', restartCount: 0 })], Date.now(), 'Pending'));
  const posted = await waitFor('the parent', () => slack.threads().find((t) => t.text.includes('cart')));
  expect(posted.text).toContain('cause: ImagePullBackOff');

  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  writeFileSync(
    join(dir, 'failed.yaml'),
    `apiVersion: v1
kind: Event
metadata: {name: ${pod.name}.pull, namespace: shop}
involvedObject: {kind: Pod, name: ${pod.name}, namespace: shop, uid: ${pod.uid}}
type: Warning
reason: Failed
message: 'Failed to pull image "registry.example.com/cart:9.9.9": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/cart:9.9.9": failed to resolve reference "registry.example.com/cart:9.9.9": registry.example.com/cart:9.9.9: not found'
count: 1
firstTimestamp: "${now}"
lastTimestamp: "${now}"
`,
  );
  expect(await kubectl('create', '--validate=false', '-f', join(dir, 'failed.yaml'))).toContain('created');
  const edited = await waitFor('the parent edited with the cause', () => slack.threads().find((t) => t.text.includes('cause: image or tag not found')));
  expect(edited.ts).toBe(posted.ts);
  expect(slack.threads()).toHaveLength(1);
}, 60_000);

test('a storm of 30 crashing workloads: at most LOG_FETCHES_PER_INCIDENT log requests per thread, and the storm thread explains its cause once', async () => {
  const workloads = Array.from({ length: 30 }, (_, i) => new SimDeployment(sim, { namespace: 'shop', name: `worker-${String(i).padStart(2, '0')}`, replicas: 3 }));
  await startBot({ LOG_FETCHES_PER_INCIDENT: '2' });
  for (const w of workloads) w.crash();
  // With GROUP_WAIT 0 the first STORM_THRESHOLD (10) workloads go top level, each with a reply per pod
  // (3, none folded: REPLY_BURST is 3); the other 20 are storm members, whose one cause is explained once.
  const podReplies = () => slack.requestsFor('chat.postMessage').filter((r) => r.params.thread_ts !== undefined && /worker-\d+-/.test(String(r.params.text)));
  await waitFor('every reply', () => podReplies().length >= 10 * 3 + 1, 45_000);
  const storm = slack.threads().find((t) => t.text.startsWith('🚨'))!;
  // One reply explains the storm's cause (with its log tail, unless that fetch ran out of time under load).
  expect(storm.replies.filter((r) => /^worker-\d\d · worker-\d\d-/.test(r.text))).toHaveLength(1);
  expect(server.stats.logs).toBeLessThanOrEqual(10 * 2 + 1);
  expect(server.stats.logs).toBeGreaterThan(0);
  // Every reply is accounted for: fetched, skipped over the thread's budget, or sent without its log
  // after 5 s (10 fetches/s cluster-wide).
  const outcome = (o: string) => metricValue(registry, 'podbell_log_fetches_total', { outcome: o });
  const [ok, skipped, timeout] = [await outcome('ok'), await outcome('skipped_budget'), await outcome('timeout')];
  expect(skipped).toBe(10);
  expect(ok + skipped + timeout).toBe(podReplies().length);
  expect(podReplies()).toHaveLength(31);
}, 90_000);

test('no right to read logs: the thread says so once, and podbell carries on', async () => {
  server.authorize = (a) => a.subresource !== 'log';
  const d = new SimDeployment(sim, { namespace: 'shop', name: 'api', replicas: 2 });
  const other = new SimDeployment(sim, { namespace: 'shop', name: 'web' });
  await startBot();
  d.crash();
  const thread = await waitFor('two replies', () => slack.threads().find((t) => t.replies.length >= 2));
  const unavailable = (r: MessageView) => blocksText(r).includes('logs unavailable: podbell may not read pods/log in namespace shop');
  expect(thread.replies.filter(unavailable)).toHaveLength(1);
  // Both fetches may have been in flight before the first 403 came back; none is retried, none follows.
  const asked = server.stats.logs;
  expect(asked).toBeLessThanOrEqual(2);
  expect(await metricValue(registry, 'podbell_log_fetches_total', { outcome: 'forbidden' })).toBe(asked);
  other.crash();
  const second = await waitFor('the other workload\'s thread', () => slack.threads().find((t) => t.text.includes('web') && t.replies.length >= 1));
  expect(second.replies.filter(unavailable)).toHaveLength(1);
  expect(server.stats.logs).toBe(asked);
  // The thread still says why: the cause line from the exit code.
  expect(thread.text).toContain('cause: exited with code 1');
}, 60_000);
