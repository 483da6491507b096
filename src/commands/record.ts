import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { systemClock, type Clock } from '../clock.js';
import { COMMAND_VARIABLES, type Config } from '../config.js';
import { parseDuration } from '../duration.js';
import { KubeConfigError, openKubeConfig } from '../kubeconfig.js';
import { createLogger, type Logger } from '../log.js';
import { configOrReport } from './config.js';
import { KubeRecordSource } from '../replay/kube-source.js';
import { formatRecordLine, type RecordSource } from '../replay/record.js';
import { usageError } from './usage.js';
import type { Command, CommandIO } from './types.js';

const USAGE = `Usage: podbell record [--out FILE] [--for DURATION]

Watches the configured cluster (KUBECONFIG, WATCH_NAMESPACES) and writes its pod and namespace
events (and pods' Warning Events, unless EVENTS=off) as \`podbell replay\` input: one JSON line {"at","type","object"} per event, the current
state first (as ADDED). Stops on Ctrl-C / SIGTERM, or after --for (e.g. 8h).
  --out FILE   write there (replaced if it exists); default stdout`;

/** Writes each event of `source` as a replay line stamped with `clock`, until `until` settles; returns how many. */
export async function runRecord(options: { readonly source: RecordSource; readonly clock: Clock; readonly write: (line: string) => void; readonly until: Promise<unknown> }): Promise<number> {
  let n = 0;
  options.source.start((e) => {
    options.write(`${formatRecordLine(e.type, e.object, options.clock.now(), e.kind)}\n`);
    n += 1;
  });
  try {
    await options.until;
  } finally {
    await options.source.stop();
  }
  return n;
}

/** What the command needs from the outside world; tests and the lead's wiring may pass their own. */
export interface RecordDeps {
  readonly clock?: Clock;
  /** Builds the event source; default: the kube list+watch over the KubeConfig, keeping whole objects. */
  readonly source?: (config: Config, io: CommandIO, log: Logger) => RecordSource;
  /** Settles when recording should stop; default: SIGINT or SIGTERM. */
  readonly stop?: () => Promise<unknown>;
  /** How long to wait for the initial lists before giving up (default 30 s). */
  readonly connectWithinMs?: number;
}

/** A CLI gives up on an API server it cannot reach, where the bot keeps retrying. */
const CONNECT_WITHIN_MS = 30_000;

/** Settles on SIGINT or SIGTERM; `dispose` removes the handlers. */
function signals(): { readonly stopped: Promise<unknown>; readonly dispose: () => void } {
  let dispose = () => {};
  const stopped = new Promise((resolve) => {
    const done = () => {
      dispose();
      resolve(undefined);
    };
    dispose = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  return { stopped, dispose };
}

/** What `podbell record` was asked for: help, or where to write and for how long. */
interface RecordArgs {
  readonly help: boolean;
  readonly out?: string;
  readonly forMs?: number;
}

/** Parses argv or returns the usage problem; `--help` wins where it comes before a problem. */
function parseRecordArgs(argv: readonly string[]): RecordArgs | string {
  let out: string | undefined;
  let forMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    // --out FILE and --out=FILE alike, as the other commands take their options.
    const eq = argv[i]!.indexOf('=');
    const arg = argv[i]!.startsWith('--') && eq > 0 ? argv[i]!.slice(0, eq) : argv[i]!;
    const inline = arg === argv[i] ? undefined : argv[i]!.slice(eq + 1);
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--out' || arg === '--for') {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') return `${arg} needs a value`;
      if (arg === '--out') out = v;
      else {
        forMs = parseDuration(v);
        if (forMs === undefined) return `--for must be a duration like 30m or 8h, got ${JSON.stringify(v)}`;
      }
      continue;
    }
    return `unknown argument ${arg}`;
  }
  return { help: false, ...(out !== undefined && { out }), ...(forMs !== undefined && { forMs }) };
}

/**
 * The event source, or the exit status after saying why there is none: 2 for a KUBECONFIG problem
 * (the user's to fix, like other configuration), 1 for anything else.
 */
async function openSource(deps: RecordDeps, config: Config, io: CommandIO, log: Logger, clock: Clock): Promise<RecordSource | number> {
  try {
    return deps.source ? deps.source(config, io, log) : new KubeRecordSource({ kubeConfig: await openKubeConfig(config.kubeconfig, Boolean(io.env.KUBERNETES_SERVICE_HOST)), namespaces: config.watchNamespaces, clock, log, events: config.evidence.events });
  } catch (err) {
    io.stderr.write(`podbell record: ${(err as Error).message}\n`);
    return err instanceof KubeConfigError ? 2 : 1;
  }
}

/** Where the lines go: stdout, or the --out file (opened before recording starts, so a bad path fails at once). */
interface RecordOutput {
  readonly write: (line: string) => void;
  /** Ends the file and waits until it is closed (nothing to do for stdout). */
  readonly close: () => Promise<void>;
}

/** Opens `out` (stdout for none or `-`), or says why it cannot and returns exit status 1. */
async function openOutput(out: string | undefined, io: CommandIO): Promise<RecordOutput | number> {
  const file = out === undefined || out === '-' ? undefined : createWriteStream(out, { flags: 'w' });
  if (!file) return { write: (line: string) => void io.stdout.write(line), close: async () => {} };
  try {
    await once(file, 'open');
  } catch (err) {
    io.stderr.write(`podbell record: cannot write ${out}: ${(err as Error).message}\n`);
    return 1;
  }
  return {
    write: (line: string) => void file.write(line),
    close: async () => {
      file.end();
      await once(file, 'close');
    },
  };
}

/** When recording ends, whichever comes first; `gaveUp` tells whether it was the API server never answering. */
interface RecordStop {
  readonly until: Promise<unknown>;
  readonly gaveUp: () => boolean;
  /** Cancels the timers and signal handlers, whichever way recording ended. */
  readonly dispose: () => void;
}

/**
 * Recording stops on the caller's stop (default: SIGINT or SIGTERM), after --for, or when a source
 * that reports `synced` has not finished its initial lists within `connectWithinMs`.
 */
function stopWhen(deps: RecordDeps, clock: Clock, source: RecordSource, forMs: number | undefined, connectWithinMs: number): RecordStop {
  const sig = deps.stop ? undefined : signals();
  const stops = [deps.stop ? deps.stop() : sig!.stopped];
  let cancelFor: (() => void) | undefined;
  if (forMs !== undefined) stops.push(new Promise((resolve) => (cancelFor = clock.setTimer(forMs, () => resolve(undefined)))));
  let gaveUp = false;
  let cancelConnect: (() => void) | undefined;
  if (source.synced !== undefined) {
    stops.push(new Promise((resolve) => (cancelConnect = clock.setTimer(connectWithinMs, () => {
      if (source.synced) return;
      gaveUp = true;
      resolve(undefined);
    }))));
  }
  return {
    until: Promise.race(stops),
    gaveUp: () => gaveUp,
    dispose: () => {
      cancelFor?.();
      cancelConnect?.();
      sig?.dispose();
    },
  };
}

export function makeRecordCommand(deps: RecordDeps = {}): Command {
  return async (argv, io) => {
    const args = parseRecordArgs(argv);
    if (typeof args === 'string') return usageError(io, 'record', args);
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const config = configOrReport(io, COMMAND_VARIABLES.cluster);
    if (!config) return 2;
    const clock = deps.clock ?? systemClock;
    const log = createLogger({ level: config.logLevel, destination: { write: (s: string) => void io.stderr.write(s) } });
    const source = await openSource(deps, config, io, log, clock);
    if (typeof source === 'number') return source;
    const output = await openOutput(args.out, io);
    if (typeof output === 'number') return output;
    const connectWithinMs = deps.connectWithinMs ?? CONNECT_WITHIN_MS;
    const stop = stopWhen(deps, clock, source, args.forMs, connectWithinMs);
    // The system clock's timers do not hold the process open (unref), and while the API server is
    // unreachable no socket does either: this handle keeps record alive until it is told to stop.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let n: number;
    try {
      n = await runRecord({ source, clock, write: output.write, until: stop.until });
    } finally {
      clearInterval(keepAlive);
      stop.dispose();
    }
    await output.close();
    const written = `${n} events written${args.out ? ` to ${args.out}` : ''}`;
    if (stop.gaveUp()) {
      io.stderr.write(`podbell record: gave up: no complete list from the API server within ${connectWithinMs / 1000}s (see the warnings above; check KUBECONFIG and the server); ${written}\n`);
      return 1;
    }
    io.stderr.write(`podbell record: ${written}\n`);
    return 0;
  };
}

export const recordCommand: Command = makeRecordCommand();
