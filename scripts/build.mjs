#!/usr/bin/env node
// Builds dist/ from src/ with esbuild. Runs by itself as npm's `prepare` step on `npm ci`, so there
// is no build step to remember. Production runs plain JavaScript: a TypeScript loader at run time
// costs memory and start-up time on every pod.
//
// dist/main.js is the CLI; each command is its own chunk, loaded when that command runs (so `check`
// never loads the Kubernetes client). What is bundled and why: scripts/esbuild-options.mjs.
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { shippedOptions } from './esbuild-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const result = await build({
  ...shippedOptions(),
  entryPoints: [join(root, 'src/main.ts')],
  outdir: dist,
  splitting: true,
  // Chunks sit beside main.js: code that finds ../package.json from its own URL works from src/ and dist/ alike.
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  metafile: true,
});
// The stamp bin/podbell.js compares with the sources' times to know dist/ is current.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
// `--metafile FILE`: esbuild's account of which source bytes went into which output (a test reads
// it). Not written by default: 0.6 MB the image has no use for.
const at = process.argv.indexOf('--metafile');
if (at >= 0) writeFileSync(process.argv[at + 1] ?? 'meta.json', JSON.stringify(result.metafile));
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
console.log(`podbell: built ${files} files into ${relative(process.cwd(), dist) || 'dist'}/`);
