import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../support/cli.js';

// bin/podbell.js runs dist/ when it is at least as new as every source, else the sources through tsx.
describe('bin/podbell.js', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podbell-bin-'));
  for (const p of ['bin', 'src', 'scripts', 'package.json']) cpSync(join(REPO, p), join(dir, p), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const version = (env: Record<string, string> = {}) =>
    execFileSync(process.execPath, [join(dir, 'bin/podbell.js'), 'version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } }).trim();

  test('without a build it runs the sources', () => {
    expect(version()).toMatch(/^podbell \d+\.\d+\.\d+ \(sources\)$/);
  });

  test('after the build (what npm ci runs as prepare) it runs dist/', () => {
    execFileSync(process.execPath, [join(dir, 'scripts/build.mjs')], { cwd: dir });
    expect(version()).toMatch(/\(dist\)$/);
  });

  test('a source edited after the build wins over the stale dist/', () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src/core/detect.ts'), future, future);
    expect(version()).toMatch(/\(sources\)$/);
  });

  test('PODBELL_FROM_SOURCE=1 forces the sources', () => {
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'src/core/detect.ts'), past, past);
    execFileSync(process.execPath, [join(dir, 'scripts/build.mjs')], { cwd: dir });
    expect(version()).toMatch(/\(dist\)$/);
    expect(version({ PODBELL_FROM_SOURCE: '1' })).toMatch(/\(sources\)$/);
  });
});
