import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../src/kubeconfig.js';
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

  test.each([
    ['a missing file', join(dir, 'missing'), 'no such file'],
    ['a file that does not parse', broken, 'cannot load'],
  ])('%s is reported naming KUBECONFIG and the file', (_what, file, why) => {
    expect(() => loadKubeConfig(file, false)).toThrow(`KUBECONFIG=${file}: cannot load ${file}`);
    expect(() => loadKubeConfig(file, false)).toThrow(why);
  });
});
