import { VirtualClock } from '../../src/clock.js';
import { makeRecordCommand, runRecord } from '../../src/commands/record.js';
import { parseReplayValue } from '../../src/replay/input.js';
import { deploymentPod, namespaceObject } from '../support/replay-pods.js';
import { formatRecordLine, type RecordEvent, type RecordSource } from '../../src/replay/record.js';
import { Readable } from 'node:stream';

const T = Date.UTC(2026, 10, 21, 9, 0, 0);

/** An in-memory RecordSource: delivers the given events on start, records stop. */
class ListSource implements RecordSource {
  stopped = false;
  constructor(readonly events: readonly RecordEvent[], readonly clock?: VirtualClock) {}
  start(onEvent: (e: RecordEvent) => void): void {
    for (const [i, e] of this.events.entries()) {
      this.clock?.advance(i === 0 ? 0 : 1500);
      onEvent(e);
    }
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

describe('formatRecordLine', () => {
  test('writes at, type, object; strips managedFields; fills kind for LIST items without one', () => {
    const pod = deploymentPod({ namespace: 'shop', deployment: 'checkout', condition: { state: 'running' } });
    const { kind: _k, apiVersion: _a, ...listItem } = pod;
    const withManaged = { ...listItem, metadata: { ...(pod.metadata as object), managedFields: [{ manager: 'kubelet', fieldsV1: {} }] } };
    const line = JSON.parse(formatRecordLine('ADDED', withManaged, T + 7, 'Pod')) as { at: string; type: string; object: Record<string, unknown> };
    expect(Object.keys(line)).toEqual(['at', 'type', 'object']);
    expect(line.at).toBe('2026-11-21T09:00:00.007Z');
    expect(line.object.kind).toBe('Pod');
    expect((line.object.metadata as Record<string, unknown>).managedFields).toBeUndefined();
    expect((line.object.metadata as Record<string, unknown>).uid).toBe('uid-checkout-7d9f8b6c5d-x2k4q');
  });

  test('a kind already present is kept, and a recorded line is valid replay input for the same object', () => {
    const ns = namespaceObject('shop', { 'podbell.io/mute': 'true' });
    const text = formatRecordLine('MODIFIED', ns, T, 'Pod');
    expect((JSON.parse(text) as { object: { kind: string } }).object.kind).toBe('Namespace');
    const r = parseReplayValue(JSON.parse(text), 1, 0);
    expect(r.event).toMatchObject({ at: T, type: 'MODIFIED', kind: 'Namespace', namespace: { name: 'shop', annotations: { 'podbell.io/mute': 'true' } } });
  });

  test('a time that is not a number fails at once', () => {
    expect(() => formatRecordLine('ADDED', {}, Number.NaN)).toThrow(TypeError);
  });
});

describe('runRecord and the record command', () => {
  test('stamps every event with the clock at its arrival and stops the source when told', async () => {
    const clock = new VirtualClock(T);
    const events: RecordEvent[] = [
      { type: 'ADDED', kind: 'Namespace', object: namespaceObject('shop') },
      { type: 'MODIFIED', kind: 'Pod', object: deploymentPod({ namespace: 'shop', deployment: 'checkout', restartCount: 1, condition: { state: 'crashloop' } }) },
    ];
    const source = new ListSource(events, clock);
    const lines: string[] = [];
    const n = await runRecord({ source, clock, write: (l) => lines.push(l), until: Promise.resolve() });
    expect(n).toBe(2);
    expect(source.stopped).toBe(true);
    expect(lines.map((l) => (JSON.parse(l) as { at: string }).at)).toEqual(['2026-11-21T09:00:00.000Z', '2026-11-21T09:00:01.500Z']);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  test('the command writes to stdout without --out and reports the count on stderr', async () => {
    const source = new ListSource([{ type: 'ADDED', kind: 'Namespace', object: namespaceObject('shop') }]);
    const command = makeRecordCommand({ clock: new VirtualClock(T), source: () => source, stop: () => Promise.resolve() });
    let stdout = '';
    let stderr = '';
    const code = await command([], { stdin: Readable.from([]), stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {} });
    expect(code).toBe(0);
    expect(stdout).toBe(`${formatRecordLine('ADDED', namespaceObject('shop'), T)}\n`);
    expect(stderr).toBe('podbell record: 1 events written\n');
  });

  test('--out=FILE works like --out FILE', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'podbell-rec-')), 'night.jsonl');
    const source = new ListSource([{ type: 'ADDED', kind: 'Namespace', object: namespaceObject('shop') }]);
    const command = makeRecordCommand({ clock: new VirtualClock(T), source: () => source, stop: () => Promise.resolve() });
    const code = await command([`--out=${file}`], { stdin: Readable.from([]), stdout: { write: () => true }, stderr: { write: () => true }, env: {} });
    expect(code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(`${formatRecordLine('ADDED', namespaceObject('shop'), T)}\n`);
  });

  test('an API server that never answers: record gives up with exit 1, says why, and keeps its --out file', async () => {
    const { mkdtempSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { KubeRecordSource } = await import('../../src/replay/kube-source.js');
    const { simKubeConfig } = await import('../../src/sim/index.js');
    const { systemClock } = await import('../../src/clock.js');
    const file = join(mkdtempSync(join(tmpdir(), 'podbell-rec-')), 'night.jsonl');
    // Port 1 on loopback: nothing listens there, every list fails.
    const command = makeRecordCommand({
      source: (config, _io, log) => new KubeRecordSource({ kubeConfig: simKubeConfig({ url: 'http://127.0.0.1:1' }), namespaces: config.watchNamespaces, clock: systemClock, log }),
      stop: () => new Promise(() => undefined),
      connectWithinMs: 300,
    });
    let stderr = '';
    const code = await command(['--out', file], { stdin: Readable.from([]), stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: { LOG_LEVEL: 'error' } });
    expect(code).toBe(1);
    expect(stderr).toContain(`podbell record: gave up: no complete list from the API server within 0.3s`);
    expect(stderr).toContain(`0 events written to ${file}`);
    expect(existsSync(file)).toBe(true);
  });

  test.each([
    [['--for', 'later'], '--for must be a duration'],
    [['--for=later'], '--for must be a duration'],
    [['--out'], '--out needs a value'],
    [['--verbose'], 'unknown argument --verbose'],
  ])('usage error %j exits 2', async (argv, message) => {
    const command = makeRecordCommand({ source: () => new ListSource([]), stop: () => Promise.resolve() });
    let stderr = '';
    const code = await command(argv, { stdin: Readable.from([]), stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} });
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
