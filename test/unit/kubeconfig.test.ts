import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { prepareKubeRequest } from '../../src/adapters/kube/request.js';
import { loadKubeConfig, openKubeConfig } from '../../src/kubeconfig.js';
import { simKubeconfigText } from '../../src/sim/kubeconfig.js';

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podbell-kc-'));
  const good = join(dir, 'good');
  writeFileSync(good, simKubeconfigText({ url: 'http://127.0.0.1:6443', name: 'one' }));
  const other = join(dir, 'other');
  writeFileSync(other, simKubeconfigText({ url: 'http://127.0.0.1:7443', name: 'two' }));
  const broken = join(dir, 'broken');
  writeFileSync(broken, '{ this is not yaml: [');

  test('KUBECONFIG with several files merges them like kubectl (first file picks the context)', () => {
    const kc = loadKubeConfig(`${good}:${other}`, false);
    expect(kc.getCurrentContext()).toBe('one');
    expect(kc.getClusters().map((c) => c.server)).toEqual(['http://127.0.0.1:6443', 'http://127.0.0.1:7443']);
  });

  test('a name defined in two files: the first file wins, as in kubectl (no "duplicate" error)', () => {
    const same = join(dir, 'same');
    writeFileSync(same, simKubeconfigText({ url: 'http://127.0.0.1:9999', name: 'one' }));
    const kc = loadKubeConfig(`${good}:${same}`, false);
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:6443');
  });

  test('a first file without current-context (credentials only) takes it from a later file', () => {
    const creds = join(dir, 'creds');
    writeFileSync(creds, JSON.stringify({ apiVersion: 'v1', kind: 'Config', users: [{ name: 'extra', user: { token: 't' } }] }));
    const kc = loadKubeConfig(`${creds}:${other}`, false);
    expect(kc.getCurrentContext()).toBe('two');
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:7443');
    expect(kc.getUsers().map((u) => u.name).sort()).toEqual(['extra', 'two']);
  });

  test('an http:// server without insecure-skip-tls-verify is accepted, as kubectl accepts it (kubectl proxy, the sim)', async () => {
    const plain = join(dir, 'plain');
    writeFileSync(plain, 'apiVersion: v1\nkind: Config\nclusters:\n- name: proxy\n  cluster: {server: "http://127.0.0.1:8001"}\ncontexts:\n- name: proxy\n  context: {cluster: proxy}\ncurrent-context: proxy\n');
    const raw = new KubeConfig();
    raw.loadFromFile(plain);
    // What client-node alone does with it: the refusal podbell used to retry forever.
    await expect(prepareKubeRequest(raw, 'GET', '/version')).rejects.toThrow('HTTP protocol is not allowed');
    const prepared = await prepareKubeRequest(await openKubeConfig(plain, false), 'GET', '/api/v1/pods');
    expect(prepared.url.href).toBe('http://127.0.0.1:8001/api/v1/pods');
  });

  test('an https server keeps TLS verification', () => {
    const tls = join(dir, 'tls');
    writeFileSync(tls, simKubeconfigText({ url: 'https://127.0.0.1:6443' }));
    expect(loadKubeConfig(tls, false).getCurrentCluster()?.skipTLSVerify).toBeFalsy();
  });

  test.each([
    ['a missing file', join(dir, 'missing'), 'no such file'],
    ['a file that does not parse', broken, 'cannot load'],
  ])('%s is reported naming KUBECONFIG and the file', (_what, file, why) => {
    expect(() => loadKubeConfig(file, false)).toThrow(`KUBECONFIG=${file}: cannot load ${file}`);
    expect(() => loadKubeConfig(file, false)).toThrow(why);
  });
});
