import { loadConfig, type Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { CommandIO } from './types.js';

/** Parses config or prints every problem and yields undefined (the caller exits 2). */
export function configOrReport(io: CommandIO): Config | undefined {
  try {
    return loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`podbell: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}
