// Runs the real helm binary (installed by scripts/kube-tools.sh into .tools/bin) and parses what it renders.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chartDir = join(repoRoot, 'helm/podbell');
export const valuesDir = join(repoRoot, 'test/helm/values');
export const helmBin = process.env.HELM_BIN ?? join(repoRoot, '.tools/bin/helm');

/** Throws (so the test fails, never skips) when helm is not installed. */
export function requireHelm(): void {
  try {
    accessSync(helmBin, constants.X_OK);
  } catch {
    throw new Error(`helm not found at ${helmBin}: run \`bash scripts/kube-tools.sh\` (CI does before npm test)`);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Helm keeps caches and config under HOME; point them at a throwaway directory so tests are hermetic.
const helmHome = mkdtempSync(join(tmpdir(), 'podbell-helm-'));
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(helmHome, 'cache'),
  HELM_CONFIG_HOME: join(helmHome, 'config'),
  HELM_DATA_HOME: join(helmHome, 'data'),
};

export function run(file: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    execFile(file, [...args], { cwd: repoRoot, env: helmEnv, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function helm(args: readonly string[]): Promise<RunResult> {
  requireHelm();
  return run(helmBin, args);
}

/** A rendered Kubernetes object (loosely typed: tests read nested fields with `dig`). */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

export const RELEASE = 'podbell';
export const NAMESPACE = 'podbell';

/** `helm template` with the given values files (relative to test/helm/values) and --set flags. */
export async function template(valuesFiles: readonly string[] = [], extra: readonly string[] = [], release = RELEASE): Promise<K8sObject[]> {
  const args = ['template', release, chartDir, '--namespace', NAMESPACE];
  for (const f of valuesFiles) args.push('-f', join(valuesDir, f));
  args.push(...extra);
  const r = await helm(args);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return parseManifests(r.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  const docs = parseAllDocuments(text);
  const out: K8sObject[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
    const v = d.toJS() as unknown;
    if (v !== null && v !== undefined) out.push(v as K8sObject);
  }
  return out;
}

export function dig(o: unknown, ...path: (string | number)[]): any {
  let cur: any = o;
  for (const p of path) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[p];
  }
  return cur;
}

export function only(objs: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

export function ofKind(objs: readonly K8sObject[], kind: string): K8sObject[] {
  return objs.filter((o) => o.kind === kind);
}

/** The NOTES.txt a user sees after `helm install` (a client-side dry run: no cluster needed). */
export async function notes(valuesFiles: readonly string[] = [], release = RELEASE): Promise<string> {
  const args = ['install', release, chartDir, '--namespace', NAMESPACE, '--dry-run=client'];
  for (const f of valuesFiles) args.push('-f', join(valuesDir, f));
  const r = await helm(args);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  const at = r.stdout.indexOf('\nNOTES:\n');
  if (at < 0) throw new Error('helm install --dry-run printed no NOTES');
  return r.stdout.slice(at + '\nNOTES:\n'.length);
}
