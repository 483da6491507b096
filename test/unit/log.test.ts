import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination: destination as unknown as Parameters<typeof createLogger>[0]['destination'] };
}

const TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';

describe('createLogger', () => {
  test('writes JSON lines with level and message', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', destination }).info({ namespace: 'shop' }, 'hello');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'hello', namespace: 'shop', app: 'podbell' });
  });

  test('time is epoch milliseconds for machines, an ISO 8601 string with isoTime (a person at a terminal)', () => {
    const machine = capture();
    createLogger({ level: 'info', destination: machine.destination }).info('x');
    expect(typeof (JSON.parse(machine.lines[0]!) as { time: unknown }).time).toBe('number');
    const person = capture();
    createLogger({ level: 'info', destination: person.destination, isoTime: true }).info('x');
    expect((JSON.parse(person.lines[0]!) as { time: unknown }).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test.each([
    ['a token field', (log: ReturnType<typeof createLogger>) => log.info({ token: TOKEN }, 'x')],
    ['a nested config', (log: ReturnType<typeof createLogger>) => log.info({ config: { slackToken: TOKEN } }, 'x')],
    ['an error message', (log: ReturnType<typeof createLogger>) => log.error({ err: new Error(`request with Bearer ${TOKEN} failed`) }, 'x')],
    ['the message text', (log: ReturnType<typeof createLogger>) => log.warn(`token is ${TOKEN}`)],
    ['a URL', (log: ReturnType<typeof createLogger>) => log.info({ url: `https://slack.com/api/x?token=${TOKEN}` }, 'x')],
  ])('the Slack token never appears in a log line: %s', (_name, write) => {
    const { lines, destination } = capture();
    write(createLogger({ level: 'info', destination, secrets: [TOKEN] }));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines.join('\n')).toContain('[redacted]');
  });
});
