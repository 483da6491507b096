import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { replayCommand } from '../../src/commands/replay.js';
import { deploymentPod, namespaceObject } from '../support/replay-pods.js';
import { CALL_KEYS, crashLoop, sec, T0 } from '../unit/replay-support.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/podbell.js');
const dir = mkdtempSync(join(tmpdir(), 'podbell-replay-'));

describe('node bin/podbell.js replay FILE', () => {
  test('prints one JSON line per Slack call with the contract keys', () => {
    const file = join(dir, 'night.jsonl');
    writeFileSync(file, crashLoop({ deployment: 'checkout', from: T0, every: sec(20), times: 4, recoverAt: T0 + sec(120) }).join('\n') + '\n');
    const r = spawnSync(process.execPath, [bin, 'replay', file], { cwd: dir, env: { PATH: process.env.PATH ?? '', GROUP_WAIT: '30s' }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const calls = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const c of calls) expect(Object.keys(c)).toEqual(CALL_KEYS);
    // GROUP_WAIT from the environment applies: the parent comes 30 s after the first restart.
    expect(calls[0]).toMatchObject({ method: 'chat.postMessage', thread_ts: null, at: new Date(T0 + sec(20) + sec(30)).toISOString() });
    expect(calls.at(-1)).toMatchObject({ method: 'chat.update', ts: calls[0]!.ts });
    expect(String(calls.at(-1)!.text)).toMatch(/resolved/i);
  });
});

describe('node bin/podbell.js replay FILE | head -1', () => {
  test('a reader that stops early ends the replay quietly with status 0', async () => {
    const file = join(dir, 'long.jsonl');
    const stories = Array.from({ length: 40 }, (_, i) => crashLoop({ namespace: `ns-${i}`, deployment: `app-${i}`, from: T0 + sec(i), every: sec(20), times: 30, recoverAt: T0 + sec(700) }));
    writeFileSync(file, stories.flat().join('\n') + '\n');
    const child = spawn(process.execPath, [bin, 'replay', file], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const first = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout!.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(first.startsWith('{"at":')).toBe(true);
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

/** A loopback API server speaking LIST and WATCH for pods and namespaces, as kube-apiserver does. */
function fakeApiServer(pods: Record<string, unknown>[], namespaces: Record<string, unknown>[], watched: Record<string, unknown>[]) {
  const seen: { url: string; auth: string | undefined }[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ url: url.pathname + url.search, auth: req.headers.authorization });
    const items = url.pathname === '/api/v1/pods' ? pods : url.pathname === '/api/v1/namespaces' ? namespaces : undefined;
    if (!items) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    if (['1', 'true'].includes(url.searchParams.get('watch') ?? '')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (url.pathname === '/api/v1/pods') for (const o of watched) res.write(`${JSON.stringify({ type: 'MODIFIED', object: o })}\n`);
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: url.pathname === '/api/v1/pods' ? 'Pod' : 'Namespace', metadata: { resourceVersion: '99' } } })}\n`);
      open.add(res);
      res.on('close', () => open.delete(res));
      return;
    }
    // LIST items carry no kind, as the real API server sends them.
    const listed = items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '42' }, items: listed }));
  });
  return {
    seen,
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.close(() => resolve());
      }),
  };
}

function waitForLines(file: string, n: number, child: ChildProcess): Promise<string[]> {
  let tries = 0;
  return new Promise((resolve, reject) => {
    const check = () => {
      let lines: string[] = [];
      try {
        lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
      } catch {
        // not created yet
      }
      if (lines.length >= n) return resolve(lines);
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`record exited early with ${child.exitCode ?? child.signalCode}`));
      if (++tries > 400) return reject(new Error(`only ${lines.length} of ${n} lines recorded`));
      setTimeout(check, 50);
    };
    check();
  });
}

describe('node bin/podbell.js record --out FILE, then replay it', () => {
  test('records LIST and WATCH events as replay lines with kinds, times, no managedFields; the recording replays', async () => {
    const withManaged = (o: Record<string, unknown>) => ({ ...o, metadata: { ...(o.metadata as object), managedFields: [{ manager: 'kubelet' }] } });
    const healthy = withManaged(deploymentPod({ namespace: 'shop', deployment: 'checkout', condition: { state: 'running' } }));
    const crashing = [1, 2, 3].map((n) => {
      const pod = deploymentPod({ namespace: 'shop', deployment: 'checkout', restartCount: n, condition: { state: 'crashloop', exitCode: 1 } });
      return { ...pod, metadata: { ...(pod.metadata as object), resourceVersion: String(50 + n) } };
    });
    const api = fakeApiServer([healthy], [namespaceObject('shop')], crashing);
    const port = await api.listen();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: test-token-123}}]
contexts: [{name: c, context: {cluster: fake, user: u}}]
current-context: c
`,
    );
    const out = join(dir, 'recorded.jsonl');
    const child = spawn(process.execPath, [bin, 'record', '--out', out], { cwd: dir, env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const lines = await waitForLines(out, 5, child);
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(0);
      expect(stderr).toContain('events written');
      const events = lines.map((l) => JSON.parse(l) as { at: string; type: string; object: { kind: string; metadata: Record<string, unknown> } });
      for (const e of events) {
        expect(Object.keys(e)).toEqual(['at', 'type', 'object']);
        expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(e.object.metadata.managedFields).toBeUndefined();
      }
      expect(events.filter((e) => e.type === 'ADDED').map((e) => e.object.kind).sort()).toEqual(['Namespace', 'Pod']);
      expect(events.filter((e) => e.type === 'MODIFIED')).toHaveLength(3);
      expect(api.seen.every((s) => s.auth === 'Bearer test-token-123')).toBe(true);
      expect(api.seen.some((s) => /watch=(1|true)/.test(s.url) && s.url.includes('resourceVersion=42'))).toBe(true);

      // The recording is replay input as it stands.
      let stdout = '';
      let err = '';
      const status = await replayCommand([out, '--drain', '30m'], { stdin: Readable.from([]), stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
      expect(err).not.toMatch(/line \d+/);
      expect(status).toBe(0);
      const calls = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { method: string; thread_ts: string | null; text: string });
      expect(calls.filter((c) => c.method === 'chat.postMessage' && c.thread_ts === null)).toHaveLength(1);
      expect(calls[0]!.text).toContain('checkout');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await api.close();
    }
  });
});
