import { ScopedWatches } from '../../src/adapters/kube/scope.js';
import type { Watch } from '../../src/adapters/kube/types.js';

/** A watch that records its start and is synced when the test says so. */
class FakeWatch implements Watch {
  started = false;
  stopped = false;
  synced = false;
  constructor(readonly what: string, private readonly onSynced: () => void, private readonly log: string[]) {}
  start(): void {
    this.started = true;
    this.log.push(`start ${this.what}`);
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  sync(): void {
    this.synced = true;
    this.onSynced();
  }
}

function scope(namespaces: string[]) {
  const log: string[] = [];
  const ns: FakeWatch[] = [];
  const pods: FakeWatch[] = [];
  let podsSynced = 0;
  const s = new ScopedWatches({
    namespaces,
    namespaceWatch: (name, onSynced) => (ns.push(new FakeWatch(`namespaces ${name ?? '*'}`, onSynced, log)), ns.at(-1)!),
    podWatch: (namespace, onSynced) => (pods.push(new FakeWatch(`pods ${namespace ?? '*'}`, onSynced, log)), pods.at(-1)!),
    onPodsSynced: () => podsSynced++,
  });
  return { s, log, ns, pods, podsSynced: () => podsSynced };
}

describe('ScopedWatches', () => {
  test.each([
    [[], ['start namespaces *', 'start pods *']],
    [['shop', 'pay'], ['start namespaces shop', 'start namespaces pay', 'start pods shop', 'start pods pay']],
  ])('namespaces %j: pod watches start only after every namespace watch has its list', (namespaces, order) => {
    const { s, log, ns, pods, podsSynced } = scope(namespaces);
    s.start();
    expect(pods).toHaveLength(0);
    ns.slice(0, -1).forEach((w) => w.sync());
    expect(pods).toHaveLength(0);
    ns.at(-1)!.sync();
    expect(log).toEqual(order);
    expect(s.synced).toBe(false);
    pods.forEach((w) => w.sync());
    expect(s.synced).toBe(true);
    expect(podsSynced()).toBe(1);
  });

  test('stopped before the namespaces are listed: no pod watch is ever started', async () => {
    const { s, ns, pods } = scope([]);
    s.start();
    await s.stop();
    ns[0]!.sync();
    expect(pods).toHaveLength(0);
    expect(ns[0]!.stopped).toBe(true);
  });
});
