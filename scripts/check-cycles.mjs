#!/usr/bin/env node
// Import cycles in src/ (type-only imports included): prints each cycle found and exits 1, else
// prints "no import cycles in N modules". Run: node scripts/check-cycles.mjs [dir]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const files = [];
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
};
walk(root);

// Static imports and re-exports (type-only ones too), side-effect imports, and import('…') calls.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;
const edges = new Map();
for (const f of files) {
  const deps = new Set();
  for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
    if (files.includes(target)) deps.add(target);
  }
  edges.set(f, [...deps]);
}

const cycles = [];
const state = new Map(); // 1 = on the stack, 2 = done
const stack = [];
const visit = (f) => {
  state.set(f, 1);
  stack.push(f);
  for (const d of edges.get(f)) {
    if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map((p) => relative(process.cwd(), p)));
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
};
for (const f of files) if (!state.has(f)) visit(f);

if (cycles.length) {
  for (const c of cycles) console.log(`cycle: ${c.join(' -> ')}`);
  process.exit(1);
}
console.log(`no import cycles in ${files.length} modules`);
