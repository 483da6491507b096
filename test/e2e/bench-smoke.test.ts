import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = fileURLToPath(new URL('../../bin/podbell-bench.js', import.meta.url));

/** The headline figures `npm run bench` promises on its last line (BENCHMARKS.md reads them). */
const KEYS = ['cpuPerEventRatio', 'rssMiB50k', 'rssMiB10k', 'p50LatencyMs', 'p99LatencyMs', 'idleCpuPct10k', 'pollingCpuPct10k'] as const;

function runBench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH, ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Only that the benchmark runs end to end and reports every figure: never how fast (no thresholds here).
describe('npm run bench -- --smoke', () => {
  test('completes and ends with one JSON line holding every figure as a finite number', async () => {
    const { code, stdout, stderr } = await runBench(['--smoke']);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    for (const k of KEYS) {
      expect([k, typeof last[k]]).toEqual([k, 'number']);
      expect([k, Number.isFinite(last[k])]).toEqual([k, true]);
    }
    // The readable table comes first and names what was measured.
    expect(stdout).toContain('CPU per watch event');
    expect(stdout).toContain('chat.postMessage p99');
  }, 180_000);

  test.each([
    [['--only', 'nope'], /--only takes memory, idle, cpu, latency, polling/],
    [['--fast'], /unknown argument "--fast"/],
  ])('bad arguments %j: exit 2 with a message saying what is accepted', async (args, message) => {
    const { code, stderr, stdout } = await runBench(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });
});
