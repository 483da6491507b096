import { loadConfig, type Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { CommandIO } from './types.js';

/**
 * Parses config or prints every problem and yields undefined (the caller exits 2). `uses`: the
 * variables the command reads (COMMAND_VARIABLES); a bad value elsewhere does not stop it.
 */
export function configOrReport(io: CommandIO, uses?: readonly string[]): Config | undefined {
  try {
    return loadConfig(io.env, { ...(uses && { uses }), ...(io.fromEnvFile && { fromEnvFile: io.fromEnvFile }) });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`podbell: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}
