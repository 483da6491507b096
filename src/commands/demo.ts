import { Registry } from 'prom-client';
import { createSender } from '../adapters/slack/create.js';
import { MemoryThreadStore } from '../adapters/store/memory.js';
import { systemClock } from '../clock.js';
import { runDemo } from '../demo/run.js';
import { DEMO_ENV } from '../demo/story.js';
import { formatSummary } from '../demo/summary.js';
import { createLogger } from '../log.js';
import { COMMAND_VARIABLES } from '../config.js';
import { configOrReport } from './config.js';
import { usageError } from './usage.js';
import type { Command, CommandIO } from './types.js';

const USAGE = `usage: podbell demo [--speed N]

Plays a scripted story on an embedded simulated cluster (a crash-looping Deployment, an OOMKilled
worker, a bad image tag, a muted namespace, a storm of 14 failing workloads, a recovery) while the
real bot watches it, and shows the Slack threads it makes. About 40 s; ends with a summary.

  --speed N   run the story and every window N times faster (default 1)

Settings come from the environment as for \`podbell run\`; where unset, the demo uses
${Object.entries(DEMO_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}
(KUBECONFIG, WATCH_NAMESPACES and HTTP_PORT are not used). With SLACK_BOT_TOKEN and SLACK_CHANNEL
set, it posts to that Slack channel instead of only showing the threads here.
`;

/** `--speed N` / `--speed=N`, `--help`; an error message for anything else. */
export function parseDemoArgs(argv: readonly string[]): { speed: number } | 'help' | { error: string } {
  let speed = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--speed' || a.startsWith('--speed=')) {
      const v = a === '--speed' ? argv[++i] : a.slice('--speed='.length);
      const n = Number(v);
      if (v === undefined || v.trim() === '' || !(n > 0 && n <= 1000)) return { error: `--speed ${v ?? ''}: must be a number above 0 and at most 1000 (e.g. --speed 5, or 0.5 for half speed)` };
      speed = n;
    } else return { error: `unexpected argument ${JSON.stringify(a)}` };
  }
  return { speed };
}

/** The user's environment with the demo's windows where the user set nothing; the demo's own cluster only. */
export function demoEnv(env: CommandIO['env']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { LOG_LEVEL: 'warn', ...env, KUBECONFIG: undefined, WATCH_NAMESPACES: undefined };
  for (const [k, v] of Object.entries({ LOG_LEVEL: 'warn', ...DEMO_ENV })) if (out[k] === undefined || out[k]!.trim() === '') out[k] = v;
  return out;
}

/** `podbell demo`: the simulated cluster, the bot, its Slack threads in the terminal, and a summary. */
export const demoCommand: Command = async (argv, io) => {
  const args = parseDemoArgs(argv);
  if (args === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in args) {
    return usageError(io, 'demo', args.error);
  }
  const env = demoEnv(io.env);
  const config = configOrReport({ ...io, env }, [...COMMAND_VARIABLES.alerting, ...COMMAND_VARIABLES.slack]);
  if (!config) return 2;
  if (config.slackToken !== undefined && (env.SLACK_CHANNEL ?? '').trim() === '') {
    // The demo posts a few dozen messages: never into the default #alerts of a real workspace by accident.
    io.stderr.write('podbell demo: SLACK_BOT_TOKEN is set but SLACK_CHANNEL is not: set SLACK_CHANNEL to a channel the demo may post in\n');
    return 2;
  }
  const log = createLogger({ level: config.logLevel, secrets: [config.slackToken], destination: { write: (s: string) => void io.stderr.write(s) } });
  const registry = new Registry();
  const slack =
    config.slackToken === undefined
      ? undefined
      : createSender({ config, clock: systemClock, log, registry, store: new MemoryThreadStore(), write: (s) => io.stdout.write(s) });

  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true && env.TERM !== 'dumb';
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const summary = await runDemo({
      config,
      speed: args.speed,
      log,
      registry,
      write: (s) => io.stdout.write(s),
      redraw: tty,
      color: tty && (env.NO_COLOR ?? '') === '',
      ...(slack && { slack, flushDeadlineMs: 60_000 }),
      signal: stop.signal,
    });
    io.stdout.write(`\n${formatSummary(summary)}`);
    return 0;
  } catch (err) {
    io.stderr.write(`podbell demo: ${(err as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};
