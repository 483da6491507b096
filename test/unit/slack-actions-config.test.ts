import { parseInteractive } from '../../src/core/action-payload.js';
import { loadConfig } from '../../src/config.js';
import { blockActionsPayload } from '../fakes/socket-mode.js';
import { problemsOf } from '../support/config.js';

describe('SLACK_APP_TOKEN, SLACK_ALLOWED_USERS, SLACK_ALLOWED_GROUPS', () => {
  test('unset: no buttons and everyone may act', () => {
    expect(loadConfig({})).toMatchObject({ slackAppToken: undefined, slackAllowedUsers: [], slackAllowedGroups: [] });
  });

  test('lists are trimmed and de-duplicated', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xapp-1-A1-2-abc', SLACK_ALLOWED_USERS: ' U0AAA, W0BBB ,U0AAA', SLACK_ALLOWED_GROUPS: 'S0ONCALL' });
    expect(c).toMatchObject({ slackAppToken: 'xapp-1-A1-2-abc', slackAllowedUsers: ['U0AAA', 'W0BBB'], slackAllowedGroups: ['S0ONCALL'] });
  });

  test.each([
    [{ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xoxb-1-2' }, 'SLACK_APP_TOKEN: does not look like an app-level token (expected xapp-…)'],
    [{ SLACK_APP_TOKEN: 'xapp-1-A1-2-abc' }, 'SLACK_APP_TOKEN: needs SLACK_BOT_TOKEN too'],
    [{ SLACK_ALLOWED_USERS: 'U0AAA,@alice' }, 'SLACK_ALLOWED_USERS="@alice": not a Slack user id'],
    [{ SLACK_ALLOWED_GROUPS: 'oncall' }, 'SLACK_ALLOWED_GROUPS="oncall": not a Slack user-group id'],
  ])('%j is refused, naming the variable (and never echoing a token)', (env, problem) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems.join('\n')).toContain(problem);
    expect(problems.join('\n')).not.toContain('xoxb-1-2');
  });
});

describe('parseInteractive (block_actions -> action input)', () => {
  test('a podbell button and a podbell menu', () => {
    expect(parseInteractive(blockActionsPayload({ user: 'U1', actionId: 'podbell:ack', value: 't7', actionTs: 1700000000.5, channel: 'C9' }), 'E1')).toEqual({
      ok: true,
      channel: 'C9',
      input: { type: 'action', envelope: 'E1', user: 'U1', action: 'ack', thread: 't7', clickedAt: 1700000000500 },
    });
    const menu = parseInteractive(blockActionsPayload({ user: 'U1', actionId: 'podbell:mute', value: 't7|4h', select: true }), 'E2');
    expect(menu).toMatchObject({ ok: true, input: { action: 'mute', thread: 't7', value: '4h' } });
  });

  test.each([
    ['not an object', 'x', 'malformed'],
    ['a view submission', { type: 'view_submission' }, 'foreign'],
    ["another app's button", blockActionsPayload({ user: 'U1', actionId: 'approve', value: 't1' }), 'foreign'],
    ['an unknown podbell action', blockActionsPayload({ user: 'U1', actionId: 'podbell:delete', value: 't1' }), 'malformed'],
    ['a value that is not a thread id', blockActionsPayload({ user: 'U1', actionId: 'podbell:ack', value: '<!channel>' }), 'malformed'],
    ['no actions', { type: 'block_actions', user: { id: 'U1' }, actions: [] }, 'malformed'],
    ['no user', { type: 'block_actions', actions: [{ action_id: 'podbell:ack', value: 't1' }] }, 'malformed'],
  ])('%s -> %s', (_what, payload, result) => {
    expect(parseInteractive(payload, 'E')).toMatchObject({ ok: false, result });
  });
});
