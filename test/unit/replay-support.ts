import { Readable } from 'node:stream';
import { replayCommand } from '../../src/commands/replay.js';
import { deploymentPod, watchLine, type ContainerCondition } from '../support/replay-pods.js';

/** The contract keys of a replay output line, in order (docs/design.md#commands). */
export const CALL_KEYS = ['at', 'method', 'channel', 'ts', 'thread_ts', 'text', 'blocks'];

export interface Call {
  at: string;
  method: string;
  channel: string;
  ts: string;
  thread_ts: string | null;
  text: string;
  blocks: unknown[] | null;
}

export const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
export const sec = (n: number) => n * 1000;
export const min = (n: number) => n * 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** Runs `podbell replay` in-process on the given input lines. */
export async function replay(lines: readonly string[], argv: readonly string[] = [], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await replayCommand(argv, {
    stdin: Readable.from(lines.length ? [lines.join('\n') + '\n'] : []),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  const calls = stdout
    .split('\n')
    .filter((l) => l !== '' && argv[argv.indexOf('--format') + 1] !== 'text')
    .map((l) => JSON.parse(l) as Call);
  return { code, stdout, stderr, calls };
}

/** A pod of deployment `deployment` (pod `suffix`) in `condition` at time `at`, as a replay line. */
export function podLine(type: 'ADDED' | 'MODIFIED' | 'DELETED', o: { namespace?: string; deployment: string; suffix?: string; restartCount?: number; condition: ContainerCondition }, at?: number): string {
  return watchLine(type, deploymentPod({ namespace: o.namespace ?? 'shop', deployment: o.deployment, suffix: o.suffix ?? 'x2k4q', restartCount: o.restartCount ?? 0, condition: o.condition, ...(at !== undefined && { at }) }), at);
}

/**
 * A container that crash-loops: added healthy at `from`, then a restart every `every` ms, `times`
 * times; optionally healthy again at `recoverAt`.
 */
export function crashLoop(o: { namespace?: string; deployment: string; suffix?: string; from: number; every: number; times: number; recoverAt?: number; message?: string }): string[] {
  const p = { namespace: o.namespace, deployment: o.deployment, suffix: o.suffix };
  const lines = [podLine('ADDED', { ...p, condition: { state: 'running' } }, o.from)];
  for (let i = 1; i <= o.times; i++) {
    lines.push(podLine('MODIFIED', { ...p, restartCount: i, condition: { state: 'crashloop', exitCode: 1, ...(o.message !== undefined && { message: o.message }) } }, o.from + i * o.every));
  }
  if (o.recoverAt !== undefined) lines.push(podLine('MODIFIED', { ...p, restartCount: o.times, condition: { state: 'running' } }, o.recoverAt));
  return lines;
}

/** Lines of several stories merged into one time-ordered input (stable for equal times). */
export function merge(...stories: string[][]): string[] {
  const all = stories.flat().map((l, i) => ({ l, i, at: Date.parse((JSON.parse(l) as { at: string }).at) }));
  return all.sort((a, b) => a.at - b.at || a.i - b.i).map((x) => x.l);
}

export const topLevel = (calls: readonly Call[]) => calls.filter((c) => c.method === 'chat.postMessage' && c.thread_ts === null);
export const replies = (calls: readonly Call[]) => calls.filter((c) => c.method === 'chat.postMessage' && c.thread_ts !== null);
export const updates = (calls: readonly Call[]) => calls.filter((c) => c.method === 'chat.update');

/** Replay input lines as the reader hands them over: parsed values with the line each starts on. */
export const valuesOf = (lines: readonly string[]) => lines.map((l, i) => ({ value: JSON.parse(l) as unknown, line: i + 1 }));
