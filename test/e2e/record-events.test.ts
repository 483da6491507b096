import type { SlackCall } from '../../src/adapters/slack/recording.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { readReplayInput } from '../../src/replay/input.js';
import { KubeRecordSource } from '../../src/replay/kube-source.js';
import { formatRecordLine } from '../../src/replay/record.js';
import { runReplay } from '../../src/replay/run.js';
import { SimCluster, SimDeployment, simKubeConfig, startSimServer } from '../../src/sim/index.js';
import { recordPodEvent } from '../../src/sim/events.js';
import { waitFor } from '../support/wait.js';

// `podbell record` against the sim keeps pods' Warning Events; replaying the recording gives the
// thread the same folded Events `podbell run` would have shown.
test('record captures Warning Events (and only those), and replay turns them into evidence', async () => {
  const sim = new SimCluster();
  const server = await startSimServer({ cluster: sim });
  const lines: string[] = [];
  const source = new KubeRecordSource({ kubeConfig: simKubeConfig({ url: server.url }), namespaces: [], clock: systemClock, log: silentLogger(), events: true });
  try {
    const d = new SimDeployment(sim, { namespace: 'shop', name: 'web', image: 'nginx:nope' });
    source.start((e) => lines.push(formatRecordLine(e.type, e.object, Date.now(), e.kind)));
    await waitFor('the initial lists', () => lines.some((l) => l.includes('"kind":"Pod"')));
    sim.create('events', { metadata: { name: 'normal.1', namespace: 'shop' }, involvedObject: { kind: 'Pod', name: d.pods[0]!.name, namespace: 'shop' }, type: 'Normal', reason: 'Pulling', message: 'Pulling image', lastTimestamp: new Date().toISOString() });
    // The pull failure's Event first, recorded before the pod's status says ImagePullBackOff (pods and
    // Events come on two watch streams, so only a wait makes the recording's order certain).
    recordPodEvent(sim, { namespace: 'shop', pod: d.pods[0]!.name, type: 'Warning', reason: 'Failed', message: 'Failed to pull image "nginx:nope": rpc error: code = NotFound desc = nginx:nope: not found', at: Date.now() });
    await waitFor('the Failed Event in the recording', () => lines.some((l) => l.includes('"reason":"Failed"')));
    d.imagePull();
    await waitFor('the kubelet Warnings in the recording', () => lines.filter((l) => l.includes('"kind":"Event"')).length >= 3);
  } finally {
    await source.stop();
    await server.close();
  }
  const recorded = lines.map((l) => JSON.parse(l) as { object: { kind: string; type?: string } });
  expect(recorded.filter((r) => r.object.kind === 'Event').every((r) => r.object.type === 'Warning')).toBe(true);

  const events = await readReplayInput(recorded.map((value, i) => ({ value, line: i + 1 })), () => undefined);
  const calls: SlackCall[] = [];
  await runReplay(events, { config: loadConfig({ GROUP_WAIT: '0' }), onCall: (c) => calls.push(c), drainMs: 60_000 });
  const parent = calls.find((c) => !c.thread_ts)!;
  expect(parent.text).toContain('cause: image or tag not found');
  const reply = JSON.stringify(calls.find((c) => c.thread_ts)!.blocks);
  expect(reply).toMatch(/Failed ×\d: Failed to pull image/);
  expect(reply).not.toContain('Pulling image');
}, 60_000);
