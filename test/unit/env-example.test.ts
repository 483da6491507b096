import { readFileSync } from 'node:fs';
import { DEFAULTS, loadConfig } from '../../src/config.js';

// .env.example is the user's reference: every variable, with the default the code really uses.
const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const entries = Object.fromEntries(
  example
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

describe('.env.example', () => {
  test.each(Object.entries(DEFAULTS))('%s shows the default %s', (name, value) => {
    expect(entries[name]).toBe(value);
  });

  test('lists every variable of docs/design.md#environment, each with a comment line above it', () => {
    const names = ['SLACK_BOT_TOKEN', 'SLACK_CHANNEL', 'SLACK_API_URL', 'CLUSTER_NAME', 'WATCH_NAMESPACES', 'KUBECONFIG', 'GROUP_WAIT', 'GROUP_INTERVAL', 'REPEAT_INTERVAL', 'RESOLVE_AFTER', 'REOPEN_WINDOW', 'THREAD_MAX_AGE', 'STORM_THRESHOLD', 'HTTP_PORT', 'LOG_LEVEL'];
    const lines = example.split('\n');
    for (const name of names) {
      const i = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect({ name, found: i >= 0 }).toEqual({ name, found: true });
      expect({ name, comment: lines[i - 1]?.startsWith('#') }).toEqual({ name, comment: true });
    }
  });

  test('copied as is, it is a valid configuration', () => {
    const env = Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== ''));
    expect(() => loadConfig(env)).not.toThrow();
  });
});
