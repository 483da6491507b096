/** One base class with a stable `code`; subclasses per failure kind so callers can use instanceof. */
export class PodbellError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid configuration: every problem found, each naming the variable and its bad value. */
export class ConfigError extends PodbellError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('config_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** Input a command could not read (check, replay): names the source and line. */
export class InputError extends PodbellError {
  constructor(message: string) {
    super('input_invalid', message);
  }
}

/** Slack refused the bot itself (invalid_auth, token_revoked, missing_scope): nothing will work. */
export class SlackAuthError extends PodbellError {
  constructor(slackError: string, message: string) {
    super(`slack_${slackError}`, message);
  }
}
