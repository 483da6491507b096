#!/usr/bin/env node
// Runs dist/ (plain JavaScript, built by `npm ci` through the prepare script). When a source file is
// newer than that build (a developer editing src/), runs the TypeScript sources through tsx instead,
// so `npx podbell` always runs the code you see.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return -1;
  }
}

let main;
if (process.env.PODBELL_FROM_SOURCE !== '1' && builtAt() >= newestSource(`${root}src`)) {
  ({ main } = await import('../dist/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
