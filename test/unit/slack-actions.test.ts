// The sender's one table: (Slack error, message kind) -> what happens next.
import { actionFor, type CallFailure, type JobFacts } from '../../src/adapters/slack/actions.js';

const platform = (code: string, retryable = false): CallFailure => ({ code, retryable });
const job = (kind: JobFacts['kind'], extra: Partial<JobFacts> = {}): JobFacts => ({ kind, plain: false, inDefaultChannel: false, ...extra });

test.each([
  ['429 with Retry-After pauses the channel', { code: 'ratelimited', retryable: true, retryAfterMs: 3000 }, job('reply'), { do: 'pause', ms: 3000 }],
  ['429 without Retry-After backs off', { code: 'ratelimited', retryable: true }, job('parent'), { do: 'retry' }],
  ['5xx backs off', platform('http_503', true), job('edit'), { do: 'retry' }],
  ['network error backs off', platform('request_failed', true), job('parent'), { do: 'retry' }],
  ['internal_error backs off', platform('internal_error', true), job('reply'), { do: 'retry' }],
  ['invalid_auth gives up, told to the operator', platform('invalid_auth'), job('parent'), { do: 'give_up', cause: 'invalid_auth', auth: true }],
  ['token_revoked gives up, told to the operator', platform('token_revoked'), job('reply'), { do: 'give_up', cause: 'token_revoked', auth: true }],
  ['invalid_blocks resends as text', platform('invalid_blocks'), job('parent'), { do: 'plain' }],
  ['invalid_blocks of a text-only message gives up', platform('invalid_blocks'), job('parent', { plain: true }), { do: 'give_up', cause: 'invalid_blocks' }],
  ['message_not_found on an edit: the parent is gone', platform('message_not_found'), job('edit'), { do: 'give_up', cause: 'message_gone' }],
  ['cant_update_message on an edit: the parent is gone', platform('cant_update_message'), job('edit'), { do: 'give_up', cause: 'message_gone' }],
  ['channel_not_found on a parent: default channel', platform('channel_not_found'), job('parent'), { do: 'reroute' }],
  ['is_archived on an edit: the thread goes on in the default channel', platform('is_archived'), job('edit'), { do: 'reroute' }],
  ['not_in_channel in the default channel itself gives up', platform('not_in_channel'), job('parent', { inDefaultChannel: true }), { do: 'give_up', cause: 'not_in_channel' }],
  ['not_in_channel on a reply drops it', platform('not_in_channel'), job('reply'), { do: 'give_up', cause: 'not_in_channel' }],
  ['msg_too_long gives up', platform('msg_too_long'), job('reply'), { do: 'give_up', cause: 'msg_too_long' }],
] as const)('%s', (_name, failure, facts, want) => {
  expect(actionFor(failure, facts)).toEqual(want);
});
