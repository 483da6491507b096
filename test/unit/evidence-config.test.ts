import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('evidence settings', () => {
  test('defaults: logs and events on, 20 lines, 3 fetches per incident, no user patterns', () => {
    expect(loadConfig({}).evidence).toEqual({ logs: true, events: true, tailLines: 20, fetchesPerIncident: 3, redact: [] });
  });

  test('off switches and numbers', () => {
    const e = loadConfig({ LOGS: 'off', EVENTS: 'false', LOG_TAIL_LINES: '5', LOG_FETCHES_PER_INCIDENT: '0', LOG_REDACT: 'cust-[0-9]{6},SSN \\d{3}' }).evidence;
    expect(e).toMatchObject({ logs: false, events: false, tailLines: 5, fetchesPerIncident: 0 });
    expect(e.redact.map((r) => r.source)).toEqual(['cust-[0-9]{6}', 'SSN \\d{3}']);
  });

  test('every bad value is named at once, invalid patterns included', () => {
    const message = problemsOf({ LOGS: 'maybe', LOG_TAIL_LINES: '0', LOG_REDACT: 'ok,x**,[z-a]' });
    expect(message).toContain('LOGS="maybe": not on or off');
    expect(message).toContain('LOG_TAIL_LINES="0"');
    expect(message).toContain('LOG_REDACT="x**": not a usable regular expression');
    expect(message).toContain('LOG_REDACT="[z-a]"');
  });
});
