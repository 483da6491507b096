import { Readable } from 'node:stream';
import { main } from '../../src/main.js';

/** The CLI's own surface, in-process: help, version and usage errors of every command. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdin: Readable.from([]), stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
  return { code, out, err };
}

test.each(['run', 'demo', 'sim', 'check', 'replay', 'record'])('podbell %s --help prints its usage and exits 0', async (command) => {
  const r = await cli(command, '--help');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(new RegExp(`^usage: podbell ${command}`, 'i'));
  expect(r.err).toBe('');
});

test.each([['--version'], ['version']])('podbell %s prints the version', async (arg) => {
  const r = await cli(arg);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^podbell \d+\.\d+\.\d+ \((sources|dist)\)\n$/);
});

test.each([
  [['nope'], 'podbell: unknown command "nope"', 'podbell'],
  [['demo', '--fast'], 'podbell demo: unexpected argument "--fast"', 'podbell demo'],
  [['sim', '--port', '1'], 'podbell sim: unknown argument "--port"', 'podbell sim'],
  [['check', '--strict'], 'podbell check: unknown option --strict', 'podbell check'],
  [['replay', '--format', 'yaml'], 'podbell replay: --format must be json or text, got "yaml"', 'podbell replay'],
  [['record', '--out'], 'podbell record: --out needs a value', 'podbell record'],
  [['run', 'now'], 'podbell run: unexpected argument "now"', 'podbell run'],
])('usage error %j: the one line that matters and a pointer to --help, not the whole help', async (argv, line, who) => {
  const r = await cli(...argv);
  expect(r.code).toBe(2);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain(line);
  expect(lines[1]).toBe(`see '${who} --help'`);
});

test('demo --speed 0 is refused with a message that matches the range', async () => {
  const r = await cli('demo', '--speed', '0');
  expect(r.code).toBe(2);
  expect(r.err).toContain('--speed 0: must be a number above 0 and at most 1000');
});

/** A CommandIO whose `env` came partly from .env (`fromEnvFile`), collecting stderr. */
function ioFromEnvFile(env: Record<string, string>, fromEnvFile: string[]) {
  const out = { err: '' };
  return { out, io: { stdin: Readable.from(['']), stdout: { write: () => true }, stderr: { write: (s: string) => (out.err += s) }, env, fromEnvFile: new Set(fromEnvFile) } };
}

test('check names .env when a bad PENDING_AFTER came from it, like every other command', async () => {
  const check = ioFromEnvFile({ PENDING_AFTER: 'soon' }, ['PENDING_AFTER']);
  expect(await main(['check'], check.io)).toBe(2);
  expect(check.out.err).toContain('PENDING_AFTER="soon" (set in .env): not a duration');
});

test('replay --set: a bad value given with --set is not blamed on .env, which set the same variable too', async () => {
  const replay = ioFromEnvFile({ GROUP_WAIT: '30s' }, ['GROUP_WAIT']);
  expect(await main(['replay', '--set', 'GROUP_WAIT=bogus'], replay.io)).toBe(2);
  expect(replay.out.err).toContain('GROUP_WAIT="bogus": not a duration');
  expect(replay.out.err).not.toContain('(set in .env)');
});

test('a bad GROUP_WAIT from .env stops replay, naming .env, and not record, which does not use it', async () => {
  const io = (env: Record<string, string>) => {
    const out = { err: '' };
    return { out, io: { stdin: Readable.from(['']), stdout: { write: () => true }, stderr: { write: (s: string) => (out.err += s) }, env, fromEnvFile: new Set(['GROUP_WAIT']) } };
  };
  const replay = io({ GROUP_WAIT: 'soon' });
  expect(await main(['replay'], replay.io)).toBe(2);
  expect(replay.out.err).toContain('GROUP_WAIT="soon" (set in .env): not a duration');
  const record = io({ GROUP_WAIT: 'soon', KUBECONFIG: '/nope/kubeconfig' });
  expect(await main(['record'], record.io)).toBe(2);
  expect(record.out.err).toBe('podbell record: KUBECONFIG=/nope/kubeconfig: cannot load /nope/kubeconfig: no such file\n');
});
