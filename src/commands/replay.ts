import type { SlackCall } from '../adapters/slack/recording.js';
import { COMMAND_VARIABLES, VARIABLES } from '../config.js';
import { parseDuration } from '../duration.js';
import { InputError } from '../errors.js';
import { configOrReport } from './config.js';
import { createLogger } from '../log.js';
import { readReplayInput } from '../replay/input.js';
import { jsonValues } from '../json-input.js';
import { DEFAULT_DRAIN_MS, formatCallLine, runReplay } from '../replay/run.js';
import { renderCalls } from '../terminal/render.js';
import { inputName, usageError } from './usage.js';
import type { Command, CommandIO } from './types.js';

const USAGE = `Usage: podbell replay [FILE|-] [--format json|text] [--color] [--drain DURATION] [--set NAME=VALUE]...

Runs recorded watch events (JSON lines {"type","object","at"} of Pods, Namespaces and Warning Events;
{"type":"LOG"} and {"type":"ACTION"} lines: docs/design.md, docs/slack-actions.md) through the real
pipeline on a virtual clock and prints what podbell would have sent to Slack:
  --format json   one JSON line per Web API call: {"at","method","channel","ts","thread_ts","text","blocks"} (default)
  --format text   the channels and threads as Slack would show them at the end
  --color         ANSI colours in text format
  --drain D       after the last event, run timers for at most D (default 24h)
  --set N=V       override one setting, e.g. --set GROUP_WAIT=30s (repeatable; wins over the environment)
FILE defaults to stdin. Events without "at" happen at the previous event's time; when no event
before them has one, at 1970-01-01T00:00:00Z. See docs/tuning.md.`;

interface ReplayArgs {
  readonly file: string | undefined;
  readonly format: 'json' | 'text';
  readonly color: boolean;
  readonly drainMs: number;
  readonly overrides: Readonly<Record<string, string>>;
}

/** Parses argv or returns the usage problem. */
export function parseReplayArgs(argv: readonly string[]): ReplayArgs | string {
  let file: string | undefined;
  let format: 'json' | 'text' = 'json';
  let color = false;
  let drainMs = DEFAULT_DRAIN_MS;
  const overrides: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--format') {
      const v = value();
      if (v !== 'json' && v !== 'text') return `--format must be json or text, got ${JSON.stringify(v ?? '')}`;
      format = v;
    } else if (flag === '--color' || flag === '--colour') {
      if (inline !== undefined) return `${flag} takes no value (leave it out for no colour), got ${JSON.stringify(arg)}`;
      color = true;
    } else if (flag === '--drain') {
      const v = value();
      const ms = v === undefined ? undefined : parseDuration(v);
      if (ms === undefined) return `--drain must be a duration like 30m or 24h, got ${JSON.stringify(v ?? '')}`;
      drainMs = ms;
    } else if (flag === '--set') {
      const v = value();
      const m = v === undefined ? null : /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(v);
      if (!m) return `--set expects NAME=VALUE (like GROUP_WAIT=30s), got ${JSON.stringify(v ?? '')}`;
      if (!VARIABLES.includes(m[1]!)) return `--set ${m[1]}: not a podbell setting (one of ${VARIABLES.join(', ')})`;
      overrides[m[1]!] = m[2]!;
    } else if (arg === '-' || !arg.startsWith('-')) {
      if (file !== undefined) return `one input file at most, got ${JSON.stringify(file)} and ${JSON.stringify(arg)}`;
      file = arg;
    } else {
      return `unknown option ${arg}`;
    }
  }
  return { file, format, color, drainMs, overrides };
}

export const replayCommand: Command = async (argv: readonly string[], io: CommandIO): Promise<number> => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const args = parseReplayArgs(argv);
  if (typeof args === 'string') {
    return usageError(io, 'replay', args);
  }
  const env = { ...io.env, ...args.overrides };
  // A value given with --set is not the one .env set: a problem with it must not send the user there.
  const fromEnvFile = new Set([...(io.fromEnvFile ?? [])].filter((name) => !Object.hasOwn(args.overrides, name)));
  const config = configOrReport({ ...io, env, fromEnvFile }, COMMAND_VARIABLES.alerting);
  if (!config) return 2;
  const source = inputName(args.file);

  let events;
  try {
    events = await readReplayInput(jsonValues(args.file, io.stdin, source), (w) => io.stderr.write(`podbell replay: ${source}:${w.line}: ${w.message}\n`));
  } catch (err) {
    if (err instanceof InputError) {
      // The reader's errors name SOURCE:LINE already; an event's own errors name only the line.
      io.stderr.write(`podbell replay: ${/^\d+: /.test(err.message) ? `${source}:` : ''}${err.message}\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') {
      io.stderr.write(`podbell replay: cannot read ${source}: ${e.message}\n`);
      return 2;
    }
    throw err;
  }

  // Pipeline logs (a stage error, say) go to stderr; only warnings unless LOG_LEVEL asks for more.
  const log = createLogger({ level: env.LOG_LEVEL ? config.logLevel : 'warn', destination: { write: (s: string) => void io.stderr.write(s) } });
  // `podbell replay night.jsonl | head` closes stdout early: stop writing quietly, as Unix tools do.
  // The listener stays: the stream reports EPIPE on a later tick, after the replay has returned.
  let closed = false;
  const stdout = io.stdout as CommandIO['stdout'] & { on?: (event: 'error', fn: (err: NodeJS.ErrnoException) => void) => unknown };
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (!closed && err.code !== 'EPIPE') io.stderr.write(`podbell replay: cannot write output: ${err.message}\n`);
    closed = true;
  };
  stdout.on?.('error', onStdoutError);
  const write = (s: string) => {
    if (!closed) stdout.write(s);
  };
  const calls: SlackCall[] = [];
  const summary = await runReplay(events, {
    config,
    drainMs: args.drainMs,
    log,
    onCall: args.format === 'json' ? (call) => write(`${formatCallLine(call)}\n`) : (call) => calls.push(call),
    onProblem: (p) => io.stderr.write(`podbell replay: at ${p.at} thread ${p.thread}: ${p.why}\n`),
  });
  if (args.format === 'text') write(renderCalls(calls, { color: args.color }));
  if (summary.outOfScope > 0) io.stderr.write(`podbell replay: ${summary.outOfScope} events outside WATCH_NAMESPACES ignored\n`);
  if (summary.pendingTimers > 0) {
    const next = summary.nextTimerAt === undefined ? '' : `, the next at ${new Date(summary.nextTimerAt).toISOString()}`;
    io.stderr.write(`podbell replay: stopped at ${new Date(summary.endedAt).toISOString()} (--drain) with ${summary.pendingTimers} timer(s) still pending${next}\n`);
  }
  return 0;
};
