import type { Readable } from 'node:stream';

/** What a CLI command may touch: injected so tests run commands in-process. */
export interface CommandIO {
  readonly stdin: Readable;
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Variables whose value came from the .env file (errors name it as the place to fix them). */
  readonly fromEnvFile?: ReadonlySet<string>;
}

/** A command returns its exit status: 0 ok, 1 failures found or runtime error, 2 bad usage or input. */
export type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;
