#!/usr/bin/env node
// Transpiles src/**/*.ts to dist/ (one .js file per module, same layout) with esbuild. Runs by itself
// as npm's `prepare` step on `npm ci`, so there is no build step to remember. Production runs plain
// JavaScript: a TypeScript loader at run time costs memory and start-up time on every pod.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

/** Every .ts file under dir (no declaration files). */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

rmSync(dist, { recursive: true, force: true });
const entryPoints = sources(src);
await build({
  entryPoints,
  outdir: dist,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// The stamp bin/podbell.js compares with the sources' times to know dist/ is current.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
console.log(`podbell: built ${entryPoints.length} modules into ${relative(process.cwd(), dist) || 'dist'}/`);
