import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

/** The problems loadConfig reports for an environment (none when it is valid). */
export function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
