import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** The lines of a file, or of stdin for `-`; a trailing \r (Windows line ends) is dropped by readline. */
export function inputLines(file: string | undefined, stdin: Readable): AsyncIterable<string> {
  const input = file === undefined || file === '-' ? stdin : createReadStream(file, { encoding: 'utf8' });
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}
