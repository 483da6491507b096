import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runSim } from '../../src/commands/sim.js';
import type { CommandIO } from '../../src/commands/types.js';
import { waitFor } from './kube-helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kubectlPath = join(root, '.tools/bin/kubectl');

function io(): { io: CommandIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdin: Readable.from([]), stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} },
    out: () => out,
    err: () => err,
  };
}

test.each([
  [[], 'http'],
  [['--tls'], 'https'],
])('podbell sim %j prints a %s URL and an export KUBECONFIG line that real kubectl can use, and cleans up on stop', async (extra, scheme) => {
  if (!existsSync(kubectlPath)) throw new Error(`real kubectl not found at ${kubectlPath}: run scripts/kube-tools.sh first`);
  const t = io();
  let stop!: () => void;
  const done = runSim(['--listen', '127.0.0.1:0', ...extra], t.io, new Promise<void>((r) => (stop = r)));
  await waitFor('the banner', () => t.out().includes('export KUBECONFIG='));
  expect(t.out()).toMatch(new RegExp(`listening on ${scheme}://127\\.0\\.0\\.1:\\d+`));
  const kubeconfig = /export KUBECONFIG=(\S+)/.exec(t.out())![1]!;
  const stdout = await new Promise<string>((ok, fail) =>
    execFile(kubectlPath, ['get', 'namespaces', '-o', 'name', '--cache-dir', join(dirname(kubeconfig), 'cache')], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' }, (e, so, se) => (e ? fail(new Error(se)) : ok(so))),
  );
  expect(stdout.trim().split('\n')).toEqual(['namespace/default', 'namespace/kube-system']);
  stop();
  expect(await done).toBe(0);
  expect(existsSync(kubeconfig)).toBe(false);
});

test.each([
  [['--listen', 'localhost'], /is not HOST:PORT/],
  [['--listen', '127.0.0.1:99999'], /is not HOST:PORT/],
  [['--listen'], /needs a value/],
  [['--port', '1'], /unknown argument "--port"/],
  [['--faults', 'drop=2,bogus=1'], /--faults: drop=2 is not a rate from 0 to 1; "bogus" is not one of drop, stall/],
  [['--faults'], /--faults needs a value/],
])('podbell sim %j is a usage error (exit 2) that says what is wrong', async (argv, message) => {
  const t = io();
  expect(await runSim(argv, t.io, Promise.resolve())).toBe(2);
  expect(t.err()).toMatch(message);
  expect(t.err()).toContain("see 'podbell sim --help'");
});

test('--faults reaches the server: with error=1 every API request is a 500, discovery still answers', async () => {
  const t = io();
  let stop!: () => void;
  const done = runSim(['--faults', 'error=1,seed=3'], t.io, new Promise<void>((r) => (stop = r)));
  await waitFor('the banner', () => t.out().includes('export KUBECONFIG='));
  expect(t.out()).toContain('(faults: {"errorRate":1,"seed":3})');
  const url = /listening on (http:\/\/\S+)/.exec(t.out())![1]!;
  expect((await fetch(`${url}/api/v1/pods`)).status).toBe(500);
  expect((await fetch(`${url}/version`)).status).toBe(200);
  stop();
  expect(await done).toBe(0);
});
