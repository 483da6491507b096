import { PodbellError } from '../../errors.js';

/** Slack error strings that mean the bot itself is refused: nothing will work until a human acts. */
export const AUTH_ERRORS = ['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'missing_scope', 'not_allowed_token_type', 'team_disabled'] as const;
/** The channel cannot take the message: fall back to the default channel once. */
export const CHANNEL_ERRORS = ['channel_not_found', 'not_in_channel', 'is_archived'] as const;
/** Slack refused the Block Kit payload: resend as plain text. */
export const BLOCK_ERRORS = ['invalid_blocks', 'msg_blocks_too_long', 'invalid_attachments'] as const;
/** The parent cannot be edited (deleted, not ours, too old): post a new parent. */
export const EDIT_ERRORS = ['message_not_found', 'cant_update_message', 'edit_window_closed'] as const;
/** ok:false answers that are Slack's own trouble and worth retrying. */
export const TRANSIENT_ERRORS = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited'] as const;

/**
 * One failed Slack call. `code` is Slack's error string (`channel_not_found`, `ratelimited`), or
 * for transport failures `http_<status>` / `request_failed`. Messages never contain the token.
 */
export class SlackApiError extends PodbellError {
  readonly method: string;
  /** Worth sending again later (5xx, network, Slack's internal errors, 429). */
  readonly retryable: boolean;
  /** From a 429's Retry-After, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  constructor(method: string, code: string, message: string, options: { retryable: boolean; retryAfterMs?: number }) {
    super(code, message);
    this.method = method;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

const has = (list: readonly string[], code: string): boolean => list.includes(code);
export const isAuthError = (code: string) => has(AUTH_ERRORS, code);
export const isChannelError = (code: string) => has(CHANNEL_ERRORS, code);
export const isBlockError = (code: string) => has(BLOCK_ERRORS, code);
export const isEditError = (code: string) => has(EDIT_ERRORS, code);

/** What to tell the operator for each auth failure at start. */
export function authAdvice(code: string): string {
  switch (code) {
    case 'invalid_auth':
    case 'not_authed':
      return `Slack rejected SLACK_BOT_TOKEN (${code}): set it to the app's Bot User OAuth Token (xoxb-…) from the Slack app's "OAuth & Permissions" page, and check the app is installed in the workspace.`;
    case 'token_revoked':
      return 'Slack says SLACK_BOT_TOKEN was revoked (token_revoked): the app was uninstalled or its token rotated. Reinstall the app to the workspace and set SLACK_BOT_TOKEN to the new Bot User OAuth Token.';
    case 'account_inactive':
      return "Slack says the bot's account is inactive (account_inactive): the app or its bot user was deactivated, or the workspace is disabled. Reactivate or reinstall the app, then set SLACK_BOT_TOKEN to its Bot User OAuth Token.";
    case 'missing_scope':
      return 'SLACK_BOT_TOKEN lacks a required scope (missing_scope): add chat:write (and chat:write.public to post in public channels without joining) under "OAuth & Permissions", reinstall the app, and use the new token.';
    default:
      return `Slack refused SLACK_BOT_TOKEN (${code}).`;
  }
}
