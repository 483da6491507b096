import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, utimesSync } from 'node:fs';
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
    execFileSync(process.execPath, [join(dir, 'scripts/build.mjs'), '--metafile', join(dir, 'meta.json')], { cwd: dir });
    expect(version()).toMatch(/\(dist\)$/);
  });

  test('the build ships KubeConfig without the Kubernetes API models, and check without any Kubernetes client', () => {
    // esbuild's metafile, written by the build: which source bytes went into which output file.
    type Meta = { outputs: Record<string, { imports: { path: string; kind: string }[]; inputs: Record<string, { bytesInOutput: number }> }> };
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
    /** Bytes of code from inputs matching `from` in everything `command` loads (its chunk and its static imports). */
    const loaded = (command: string, from: RegExp) => {
      const entry = Object.keys(meta.outputs).find((f) => f.startsWith(`dist/${command}-`) && f.endsWith('.js'));
      expect(entry).toBeDefined();
      const seen = new Set<string>();
      const visit = (f: string) => {
        if (seen.has(f)) return;
        seen.add(f);
        for (const i of meta.outputs[f]!.imports) if (i.kind === 'import-statement' && meta.outputs[i.path]) visit(i.path);
      };
      visit(entry!);
      let bytes = 0;
      for (const f of seen) for (const [input, v] of Object.entries(meta.outputs[f]!.inputs)) if (from.test(input)) bytes += v.bytesInOutput;
      return bytes;
    };
    // Loading client-node's index evaluates every API class and model: +70 MiB of RSS for a bot
    // that needs KubeConfig only (BENCHMARKS.md). The bundle keeps what KubeConfig reaches.
    expect(loaded('run', /@kubernetes\/client-node\/dist\/config\.js$/)).toBeGreaterThan(0);
    expect(loaded('run', /@kubernetes\/client-node\/dist\/gen\/(apis|models|types)\//)).toBe(0);
    expect(loaded('run', /@kubernetes\/client-node\//)).toBeLessThan(100_000);
    expect(loaded('check', /node_modules\//)).toBe(0);
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
