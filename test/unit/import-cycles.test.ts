// No import cycles, and the layers point one way (core <- ports <- pipeline/state <- adapters).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO } from '../support/cli.js';

const filesIn = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesIn(p) : p.endsWith('.ts') ? [p] : [];
  });
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);

test('scripts/check-cycles.mjs finds no import cycle in src/ (static, type-only and dynamic imports)', () => {
  const out = execFileSync(process.execPath, ['scripts/check-cycles.mjs', 'src'], { cwd: REPO, encoding: 'utf8' });
  expect(out).toMatch(/^no import cycles in \d+ modules/);
});

test('the pure core imports only the core; persistence imports no adapter', () => {
  const outside = (dir: string, forbidden: (target: string) => boolean) =>
    filesIn(join(REPO, dir)).flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('.') && forbidden(resolve(dirname(f), i)))
        .map((i) => `${f.slice(REPO.length)}: ${i}`),
    );
  // src/duration.ts is pure formatting with no imports of its own, shared with config.
  const pure = new Set([join(REPO, 'src/duration.js')]);
  expect(outside('src/core', (t) => !t.startsWith(join(REPO, 'src/core/')) && !pure.has(t))).toEqual([]);
  expect(outside('src/state', (t) => t.startsWith(join(REPO, 'src/adapters/')))).toEqual([]);
});
