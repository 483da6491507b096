import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/podbell.js', import.meta.url));

/** The real CLI as a user runs it: `node bin/podbell.js ARGS`, with only the given environment (plus PATH/HOME). */
export function podbell(args: readonly string[], env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** The port of `podbell run`'s health server, from its "… serving …" log line (logs go to stderr). */
export function healthPort(run: { stderr: () => string }): Promise<number> {
  return waitFor('the health server log line', () => {
    for (const line of run.stderr().split('\n')) {
      if (!line.startsWith('{')) continue;
      const l = JSON.parse(line) as { msg?: string; port?: number };
      if (l.msg?.includes('serving /healthz') && l.port) return l.port;
    }
    return undefined;
  });
}
