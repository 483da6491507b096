import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_VARIABLES, DEFAULTS, loadConfig, readEnvironment } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
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

  test('leader election: Lease name, duration and renew period, and the identity from POD_NAME', () => {
    expect(loadConfig({})).toMatchObject({ leaseName: 'podbell', leaseDurationMs: 15_000, leaseRenewMs: 5_000, podName: undefined });
    expect(loadConfig({ LEASE_NAME: 'alerts-podbell', LEASE_DURATION: '4s', LEASE_RENEW: '1s', POD_NAME: 'podbell-7d9f-x2k4q' })).toMatchObject({ leaseName: 'alerts-podbell', leaseDurationMs: 4_000, leaseRenewMs: 1_000, podName: 'podbell-7d9f-x2k4q' });
    // A renew period that reaches the duration would let the Lease expire under a live leader.
    expect(problemsOf({ LEASE_DURATION: '10s', LEASE_RENEW: '20s' })).toEqual(['LEASE_RENEW="20s": must be above 0 and below LEASE_DURATION="10s" (the leader must renew before its Lease can expire)']);
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
    ['LEASE_NAME', 'Podbell_Lease', 'LEASE_NAME="Podbell_Lease"'],
    ['LEASE_DURATION', '15500ms', 'LEASE_DURATION="15500ms": must be whole seconds'],
    ['LEASE_DURATION', 'soon', 'LEASE_DURATION="soon"'],
    ['LEASE_RENEW', '15s', 'LEASE_RENEW="15s": must be above 0 and below LEASE_DURATION="15s"'],
    ['LEASE_RENEW', '0', 'LEASE_RENEW="0"'],
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

  test.each([
    ['xoxp-1-2-3', 'a xoxp- token is not a bot token'],
    ['xoxa-2-abc', 'a xoxa- token is not a bot token'],
    ['xoxe.xoxp-1-abc', 'a xoxp- token is not a bot token'],
  ])('SLACK_BOT_TOKEN=%s (not a bot token) is refused, naming the kind of token only', (token, why) => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: token });
    expect(problems).toEqual([expect.stringContaining(why)]);
    expect(problems[0]).toContain('(xoxb-…)');
    expect(problems.join('\n')).not.toContain(token);
  });

  test('bot tokens, rotated ones too, are accepted', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' })).toEqual([]);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxe.xoxb-1-abc' })).toEqual([]);
  });

  test('WATCH_NAMESPACES that names no namespace (",,") is an error, not the whole cluster', () => {
    expect(problemsOf({ WATCH_NAMESPACES: ',,' })).toEqual(['WATCH_NAMESPACES=",,": names no namespace (leave it unset to watch the whole cluster)']);
  });

  test('a command validates only the variables it uses; the others fall back to their defaults', () => {
    const env = { GROUP_WAIT: 'soon', KUBECONFIG: '/k', LOG_LEVEL: 'loud' };
    expect(() => loadConfig(env, { uses: COMMAND_VARIABLES.cluster })).toThrow('LOG_LEVEL="loud"');
    const config = loadConfig({ GROUP_WAIT: 'soon', KUBECONFIG: '/k' }, { uses: COMMAND_VARIABLES.cluster });
    expect(config.kubeconfig).toBe('/k');
    expect(config.incidents.groupWaitMs).toBe(10_000);
    expect(() => loadConfig({ GROUP_WAIT: 'soon' }, { uses: COMMAND_VARIABLES.alerting })).toThrow('GROUP_WAIT="soon"');
  });

  test('a bad value that came from .env says so', () => {
    const err = (() => {
      try {
        loadConfig({ GROUP_WAIT: 'soon', LOG_LEVEL: 'loud' }, { fromEnvFile: new Set(['GROUP_WAIT']) });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect([...err.problems].sort()).toEqual(['GROUP_WAIT="soon" (set in .env): not a duration (write it like 10s, 5m, 4h or 1h30m)', 'LOG_LEVEL="loud": not one of fatal, error, warn, info, debug, trace, silent']);
  });

  test('readEnvironment: .env fills what the environment leaves unset, and says which names it filled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podbell-env-'));
    writeFileSync(join(dir, '.env'), 'PODBELL_TEST_FROM_FILE=1\nPATH=/not/used\n');
    const { env, fromEnvFile } = readEnvironment(join(dir, '.env'));
    expect(env.PODBELL_TEST_FROM_FILE).toBe('1');
    expect(env.PATH).toBe(process.env.PATH);
    expect([...fromEnvFile]).toEqual(['PODBELL_TEST_FROM_FILE']);
  });

  test('the written defaults parse (what .env.example shows is what you get)', () => {
    expect(() => loadConfig({ ...DEFAULTS })).not.toThrow();
  });
});
