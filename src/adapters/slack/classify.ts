import { ErrorCode, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { AUTH_ERRORS, BLOCK_ERRORS, CHANNEL_ERRORS, EDIT_ERRORS, SlackApiError, TRANSIENT_ERRORS } from './errors.js';

const KNOWN = new Set<string>([...AUTH_ERRORS, ...BLOCK_ERRORS, ...CHANNEL_ERRORS, ...EDIT_ERRORS, ...TRANSIENT_ERRORS]);

/**
 * Turns whatever the WebClient threw into a SlackApiError with Slack's error string as code.
 * Every message is scrubbed of the token: errors from servers and proxies may echo anything back.
 */
export function classify(method: string, err: unknown, token: string): SlackApiError {
  const scrub = (s: string) => redactToken(s, token);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === ErrorCode.PlatformError) {
    const slackError = String((err as WebAPIPlatformError).data?.error ?? 'unknown_error');
    const retryable = (TRANSIENT_ERRORS as readonly string[]).includes(slackError);
    return new SlackApiError(method, scrub(slackError), `${method}: Slack answered ${scrub(slackError)}`, { retryable });
  }
  if (code === ErrorCode.RateLimitedError) {
    const seconds = Number((err as WebAPIRateLimitedError).retryAfter);
    const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
    return new SlackApiError(method, 'ratelimited', `${method}: rate limited for ${seconds}s`, { retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (code === ErrorCode.HTTPError) {
    const status = (err as WebAPIHTTPError).statusCode;
    const body = (err as WebAPIHTTPError).body;
    const excerpt = typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body ?? '').slice(0, 200);
    // Slack speaks 200 and 429 only; 5xx and 408 are its (or a proxy's) trouble and pass.
    const retryable = status >= 500 || status === 408;
    return new SlackApiError(method, `http_${status}`, scrub(`${method}: HTTP ${status} ${excerpt}`.trim()), { retryable });
  }
  const message = err instanceof Error ? err.message : String(err);
  // WebClient rejects a 429 without a usable Retry-After with a plain Error: still a rate limit.
  if (/rate limit|retry header/i.test(message)) {
    return new SlackApiError(method, 'ratelimited', scrub(`${method}: ${message}`), { retryable: true });
  }
  // Network errors, timeouts, resets: worth retrying.
  return new SlackApiError(method, 'request_failed', scrub(`${method}: ${message}`), { retryable: true });
}

/** `text` with every occurrence of the token replaced: for anything that may reach a log line. */
export function redactToken(text: string, token: string): string {
  return token ? text.split(token).join('[redacted]') : text;
}

/** A bounded label for podbell_slack_requests_total{outcome}. */
export function outcomeLabel(e: SlackApiError): string {
  if (KNOWN.has(e.code)) return e.code;
  if (/^http_5\d\d$/.test(e.code)) return 'http_5xx';
  if (e.code.startsWith('http_')) return 'http_other';
  if (e.code === 'request_failed') return 'network';
  return 'other_error';
}
