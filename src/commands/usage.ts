import type { CommandIO } from './types.js';

/**
 * A usage error: the one line that matters and where the rest is, not the whole help again.
 * Returns exit status 2, what every command exits with on bad usage.
 */
export function usageError(io: Pick<CommandIO, 'stderr'>, command: string | undefined, message: string): 2 {
  const who = command === undefined ? 'podbell' : `podbell ${command}`;
  io.stderr.write(`${who}: ${message}\nsee '${who} --help'\n`);
  return 2;
}

/** True when the arguments ask for help (`-h` or `--help` anywhere). */
export const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');

/** How error locations name an input: the file as given, or `<stdin>` (as in `<stdin>:3`) for none or `-`. */
export const inputName = (file: string | undefined): string => (file === undefined || file === '-' ? '<stdin>' : file);
