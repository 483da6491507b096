import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../../log.js';

/**
 * The WebClient's own log lines, through `scrub` (the token), one level quieter than it asks: its
 * debug lines carry whole request bodies (trace), and what it warns about we log ourselves, with context.
 */
export function clientLogger(log: Logger, scrub: (text: string) => string): SlackLogger {
  const line = (msg: unknown[]) => scrub(msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
  let level = LogLevel.DEBUG;
  return {
    debug: (...msg: unknown[]) => log.trace(line(msg)),
    info: (...msg: unknown[]) => log.debug(line(msg)),
    warn: (...msg: unknown[]) => log.debug(line(msg)),
    error: (...msg: unknown[]) => log.warn(line(msg)),
    // Our logger's level decides; the client's is only remembered for getLevel.
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
