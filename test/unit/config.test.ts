import { DEFAULTS, loadConfig } from '../../src/config.js';
import { problemsOf } from '../support/config.js';

describe('loadConfig', () => {
  test('an empty environment gives docs/design.md#environment defaults, frozen', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      slackToken: undefined,
      slackChannel: '#alerts',
      slackApiUrl: 'https://slack.com/api/',
      watchNamespaces: [],
      incidents: {
        groupWaitMs: 10_000,
        groupIntervalMs: 15_000,
        repeatIntervalMs: 4 * 3_600_000,
        resolveAfterMs: 5 * 60_000,
        reopenWindowMs: 3_600_000,
        threadMaxAgeMs: 24 * 3_600_000,
        stormThreshold: 10,
      },
      httpPort: 8080,
      logLevel: 'info',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  test.each([
    ['GROUP_WAIT', '0', 'incidents.groupWaitMs', 0],
    ['GROUP_WAIT', '250ms', 'incidents.groupWaitMs', 250],
    ['GROUP_INTERVAL', '1m30s', 'incidents.groupIntervalMs', 90_000],
    ['REPEAT_INTERVAL', '2d', 'incidents.repeatIntervalMs', 2 * 86_400_000],
    ['STORM_THRESHOLD', '3', 'incidents.stormThreshold', 3],
    ['CLUSTER_NAME', 'prod-eu', 'incidents.cluster', 'prod-eu'],
    ['HTTP_PORT', '0', 'httpPort', 0],
    ['SLACK_CHANNEL', 'team-payments', 'slackChannel', '#team-payments'],
    ['SLACK_CHANNEL', 'C0123ABCD', 'slackChannel', 'C0123ABCD'],
    ['SLACK_API_URL', 'http://127.0.0.1:9/api', 'slackApiUrl', 'http://127.0.0.1:9/api/'],
    ['CLUSTER_NAME', 'prod-eu', 'clusterName', 'prod-eu'],
    ['LOG_LEVEL', 'debug', 'logLevel', 'debug'],
  ])('%s=%s sets %s', (name, value, key, expected) => {
    const at = (o: unknown, path: string): unknown => path.split('.').reduce((v, k) => (v as Record<string, unknown>)[k], o);
    expect(at(loadConfig({ [name]: value }), key)).toEqual(expected);
  });

  test('WATCH_NAMESPACES is a comma list, trimmed and de-duplicated', () => {
    expect(loadConfig({ WATCH_NAMESPACES: ' shop, payments ,shop,' }).watchNamespaces).toEqual(['shop', 'payments']);
  });

  test('empty values count as unset', () => {
    expect(loadConfig({ GROUP_WAIT: '', SLACK_CHANNEL: '  ' }).incidents.groupWaitMs).toBe(10_000);
  });

  test('unknown variables are ignored', () => {
    expect(() => loadConfig({ GROUP_WAITT: 'nonsense', PATH: '/bin' })).not.toThrow();
  });

  test.each([
    ['GROUP_WAIT', '10', 'GROUP_WAIT="10"'],
    ['GROUP_INTERVAL', 'soon', 'GROUP_INTERVAL="soon"'],
    ['REPEAT_INTERVAL', '-4h', 'REPEAT_INTERVAL="-4h"'],
    ['RESOLVE_AFTER', '5 minutes', 'RESOLVE_AFTER="5 minutes"'],
    ['REOPEN_WINDOW', '1hour', 'REOPEN_WINDOW="1hour"'],
    ['THREAD_MAX_AGE', 'h24', 'THREAD_MAX_AGE="h24"'],
    ['STORM_THRESHOLD', '0', 'STORM_THRESHOLD="0"'],
    ['STORM_THRESHOLD', '2.5', 'STORM_THRESHOLD="2.5"'],
    ['HTTP_PORT', '70000', 'HTTP_PORT="70000"'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL="loud"'],
    ['SLACK_CHANNEL', '#Bad Channel!', 'SLACK_CHANNEL="#Bad Channel!"'],
    ['SLACK_API_URL', 'ftp://x', 'SLACK_API_URL="ftp://x"'],
    ['WATCH_NAMESPACES', 'shop,Not_A_Namespace', 'WATCH_NAMESPACES="Not_A_Namespace"'],
  ])('%s=%s is reported naming the variable and value', (name, value, expected) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  test('every problem is reported at once', () => {
    const problems = problemsOf({ GROUP_WAIT: 'x', HTTP_PORT: 'y', LOG_LEVEL: 'z', STORM_THRESHOLD: '-1' });
    expect(problems.map((p) => p.split('=')[0]).sort()).toEqual(['GROUP_WAIT', 'HTTP_PORT', 'LOG_LEVEL', 'STORM_THRESHOLD']);
  });

  test('a malformed token is reported without echoing the secret', () => {
    const secret = 'hunter2-not-a-token-but-secret';
    const problems = problemsOf({ SLACK_BOT_TOKEN: secret });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SLACK_BOT_TOKEN');
    expect(problems.join('\n')).not.toContain(secret);
  });

  test('the written defaults parse (what .env.example shows is what you get)', () => {
    expect(() => loadConfig({ ...DEFAULTS })).not.toThrow();
  });
});
