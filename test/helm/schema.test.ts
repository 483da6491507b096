// Mistakes in values fail `helm install` up front with a message naming the key, instead of being
// silently ignored (a typo) or crash-looping the pod (a wrong type).
import { join } from 'node:path';
import { chartDir, helm, NAMESPACE, RELEASE, valuesDir } from './helm.js';

const bad = (f: string) => join(valuesDir, 'invalid', f);

/** Schema errors: both `helm lint --strict` and `helm template` (what install runs) fail. */
async function bothFail(file: string): Promise<string[]> {
  const lint = await helm(['lint', '--strict', chartDir, '--namespace', NAMESPACE, '-f', bad(file)]);
  expect(lint.code).not.toBe(0);
  return [lint.stdout + lint.stderr, await templateFails(file)];
}

/**
 * Checks done in the templates (`fail`, for a message that says what to do): `helm template`,
 * and so `helm install`/`upgrade`, fail. (`helm lint` deliberately tolerates `fail` calls.)
 */
async function templateFails(file: string): Promise<string> {
  const tpl = await helm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, '-f', bad(file)]);
  expect(tpl.code).not.toBe(0);
  // Nothing may be rendered from invalid values.
  expect(tpl.stdout).not.toContain('kind: Deployment');
  return tpl.stderr;
}

describe.each([
  ['typo-nested.yaml', 'a misspelled nested key', 'clusterNmae'],
  ['typo-top-level.yaml', 'a misspelled top-level key', 'watchNamespace'],
])('%s: %s is rejected', (file, _what, key) => {
  test('helm lint and helm template fail and name the key', async () => {
    for (const out of await bothFail(file)) {
      expect(out).toContain(key);
      expect(out).toMatch(/additional properties|not allowed/);
    }
  });
});

describe.each([
  ['wrong-type-namespaces.yaml', 'watchNamespaces as a comma string', '/watchNamespaces', /want array/],
  ['wrong-type-port.yaml', 'httpPort as a word', '/config/httpPort', /want integer/],
  ['bare-number-duration.yaml', 'a duration without a unit (kube-slack milliseconds)', '/config/groupWait', /want string/],
])('%s: %s is rejected', (file, _what, path, why) => {
  test('helm lint and helm template fail and name the key and the expected type', async () => {
    for (const out of await bothFail(file)) {
      expect(out).toContain(path);
      expect(out).toMatch(why);
    }
  });
});

test('an incoming-webhook URL as the token fails with a pointer to bot tokens, without echoing the URL', async () => {
  const out = await templateFails('webhook-as-token.yaml');
  expect(out).toContain('slack.token');
  expect(out).toContain('bot token');
  expect(out).not.toContain('hooks.slack.com');
});

test('slack.token together with slack.existingSecret is refused (which one would win is not obvious)', async () => {
  expect(await templateFails('token-and-existing-secret.yaml')).toContain('slack.token and slack.existingSecret are both set');
});

test('SLACK_BOT_TOKEN in extraEnv is refused, so the token is never a literal in the Deployment', async () => {
  const out = await templateFails('token-in-extra-env.yaml');
  expect(out).toContain('extraEnv must not set SLACK_BOT_TOKEN');
  expect(out).not.toContain('xoxb-');
});

test('slack.appToken without slack.token is refused (it would have no Secret to live in)', async () => {
  const r = await helm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, '--set', 'slack.appToken=xapp-1-A1-2-fake']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('slack.appToken is stored in the Secret the chart creates for slack.token');
  expect(r.stderr).not.toContain('xapp-1-A1-2-fake');
});

test('--set with a wrong value is caught too (log level, channel, duration)', async () => {
  const cases: [string, string][] = [
    ['config.logLevel=verbose', '/config/logLevel'],
    ['slack.channel=Alerts Channel', '/slack/channel'],
    ['config.resolveAfter=five minutes', '/config/resolveAfter'],
    ['config.stormThreshold=0', '/config/stormThreshold'],
    ['slack.appToken=xoxb-1-2', '/slack/appToken'],
    ['slack.allowedUsers={alice}', '/slack/allowedUsers/0'],
    ['slack.allowedGroups={oncall}', '/slack/allowedGroups/0'],
  ];
  for (const [set, path] of cases) {
    const r = await helm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, '--set', set]);
    expect({ set, code: r.code, named: r.stderr.includes(path) }).toEqual({ set, code: 1, named: true });
  }
});

test('a token the chart would pass but podbell refuses is refused at install (a user token, xoxp-), so the pod cannot crash-loop on it', async () => {
  const r = await helm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, '--set', 'slack.token=xoxp-123-abc']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('slack.token does not look like a Slack bot token');
  expect(r.stderr).not.toContain('xoxp-123-abc');
});

test.each([
  [['config.leaseRenew=20s'], 'below leaseDuration'],
  [['config.leaseDuration=10s', 'config.leaseRenew=10s'], 'below leaseDuration'],
  [['config.leaseDuration=0s'], 'leaseDuration must be at least 1s'],
])('lease timing podbell would refuse at start fails the install instead (%j)', async (sets, message) => {
  const r = await helm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...sets.flatMap((s) => ['--set', s])]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(message);
});

test('lease timing podbell accepts renders: leaseDuration 1m with leaseRenew 20s, or 2500ms under the default 15s', async () => {
  for (const sets of [['config.leaseDuration=1m', 'config.leaseRenew=20s'], ['config.leaseRenew=2500ms']]) {
    const r = await helm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...sets.flatMap((s) => ['--set', s])]);
    expect({ sets, code: r.code, err: r.stderr }).toEqual({ sets, code: 0, err: '' });
  }
});
