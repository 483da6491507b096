import { readEnvironment } from './config.js';
import type { Command, CommandIO } from './commands/types.js';
import { usageError } from './commands/usage.js';
import { packageVersion } from './version.js';

const USAGE = `podbell: Kubernetes pod-failure alerts for Slack, one thread per incident

Usage: podbell <command> [options]

Commands:
  run                 watch the configured cluster and alert (npm start)
  demo                a simulated cluster with failing workloads, the bot, and its Slack threads in the terminal
  sim [--listen H:P]  only the simulated Kubernetes API server (real kubectl works against it)
  check [FILE|-]      print one JSON line per failure found in pods (JSON, JSON lines, watch events)
  replay [FILE|-]     run recorded watch events through the real pipeline on a virtual clock
  record [--out FILE] write the cluster's pod, namespace and Warning events as replay input
  help                this text (every command also takes --help)
  version             the version (also --version)

Configuration comes from the environment and a .env file; see .env.example and README.md.`;

/**
 * Each command lives in src/commands/<name>.ts and exports `<name>Command`; loaded on demand so `check`
 * starts fast. Literal imports, so that the build gives each command its own chunk.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  sim: async () => (await import('./commands/sim.js')).simCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  replay: async () => (await import('./commands/replay.js')).replayCommand,
  record: async () => (await import('./commands/record.js')).recordCommand,
};

async function loadCommand(name: string): Promise<Command | undefined> {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name]!() : undefined;
}

/** The CLI: returns the exit status. */
export async function main(argv: readonly string[], io?: Partial<CommandIO>): Promise<number> {
  const environment = io?.env ? { env: io.env, fromEnvFile: io.fromEnvFile } : readEnvironment();
  const fullIO: CommandIO = {
    stdin: io?.stdin ?? process.stdin,
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: environment.env,
    ...(environment.fromEnvFile && { fromEnvFile: environment.fromEnvFile }),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    fullIO.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === 'version' || name === '--version') {
    // Which code runs: dist/ (built by npm ci) or the TypeScript sources (edited since the build).
    const from = import.meta.url.endsWith('.ts') ? 'sources' : 'dist';
    fullIO.stdout.write(`podbell ${packageVersion()} (${from})\n`);
    return 0;
  }
  const command = await loadCommand(name);
  if (!command) return usageError(fullIO, undefined, `unknown command "${name}"`);
  return command(rest, fullIO);
}
