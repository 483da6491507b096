import { readFileSync } from 'node:fs';
import { config as dotenv } from 'dotenv';
import type { Command, CommandIO } from './commands/types.js';

const USAGE = `podbell: Kubernetes pod-failure alerts for Slack, one thread per incident

Usage: podbell <command> [options]

Commands:
  run                 watch the configured cluster and alert (npm start)
  demo                a simulated cluster with failing workloads, the bot, and its Slack threads in the terminal
  sim [--listen H:P]  only the simulated Kubernetes API server (real kubectl works against it)
  check [FILE|-]      print one JSON line per failure found in pods (JSON, JSON lines, watch events)
  replay [FILE|-]     run recorded watch events through the real pipeline on a virtual clock
  record [--out FILE] write the cluster's pod and namespace events as replay input
  help                this text
  version             the version

Configuration comes from the environment and a .env file; see .env.example and README.md.`;

/** Environment plus .env (the real environment wins), without touching process.env. */
export function readEnv(processEnv: NodeJS.ProcessEnv, envFile = '.env'): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...processEnv };
  dotenv({ quiet: true, path: envFile, processEnv: env as Record<string, string> });
  return env;
}

// Commands import it from ./commands/config.ts (not from here: main loads the commands).
export { configOrReport } from './commands/config.js';

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

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The CLI: returns the exit status. */
export async function main(argv: readonly string[], io?: Partial<CommandIO>): Promise<number> {
  const fullIO: CommandIO = {
    stdin: io?.stdin ?? process.stdin,
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: io?.env ?? readEnv(process.env),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    fullIO.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === 'version' || name === '--version') {
    // Which code runs: dist/ (built by npm ci) or the TypeScript sources (edited since the build).
    const from = import.meta.url.endsWith('.ts') ? 'sources' : 'dist';
    fullIO.stdout.write(`podbell ${version()} (${from})\n`);
    return 0;
  }
  const command = await loadCommand(name);
  if (!command) {
    fullIO.stderr.write(`podbell: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  return command(rest, fullIO);
}
