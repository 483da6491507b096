import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Secrets that must never reach a log line, wherever they appear (messages, errors, URLs). */
  readonly secrets?: readonly (string | undefined)[];
  /** Where JSON lines go; stdout by default. */
  readonly destination?: DestinationStream;
  /** `time` as an ISO 8601 string (for a person at a terminal) instead of epoch milliseconds. */
  readonly isoTime?: boolean;
}

/**
 * JSON-lines logger. Known secret fields are redacted by path, and as a last line of defence every
 * written line has each secret replaced, so a token echoed inside an error message is caught too.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 8);
  return pino(
    {
      level: options.level,
      base: { app: 'podbell' },
      ...(options.isoTime && { timestamp: pino.stdTimeFunctions.isoTime }),
      redact: {
        paths: ['token', 'slackToken', '*.token', '*.slackToken', 'headers.authorization', '*.headers.authorization', 'config.slackToken'],
        censor: '[redacted]',
      },
      hooks: secrets.length
        ? {
            streamWrite(line: string) {
              let s = line;
              for (const secret of secrets) s = s.split(secret).join('[redacted]');
              return s;
            },
          }
        : {},
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing: for tests and pure command paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
