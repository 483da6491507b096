/**
 * The WATCH stream's wire format: newline-delimited JSON, one event per line ({type, object}).
 * Splitting bytes into lines and lines into events is the hot path of every watch, and how a line
 * may be cut across chunks is easy to get wrong, so it lives here on its own; what an event means
 * for the cache is the loop's business (./watch.ts).
 */
import { obj } from '../../core/json.js';
import { parseWithoutManagedFields } from './managed-fields.js';

/**
 * Splits a byte stream on the newline byte and decodes each complete line once: no stream-wide
 * string decoding, no re-concatenated string buffer, and a multi-byte character can never be cut in
 * two (0x0A never occurs inside one). Bytes of an unfinished line wait until its newline comes.
 */
export class LineSplitter {
  readonly #partial: Buffer[] = [];

  /** Hands each complete line of `chunk` to `take`, in order, until it returns false (the rest is then dropped). */
  push(chunk: Buffer, take: (line: string) => boolean): void {
    const partial = this.#partial;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      let line: string;
      if (partial.length > 0) {
        partial.push(chunk.subarray(start, nl));
        line = Buffer.concat(partial).toString('utf8');
        partial.length = 0;
      } else {
        line = chunk.toString('utf8', start, nl);
      }
      start = nl + 1;
      if (!take(line)) return;
    }
    if (start < chunk.length) partial.push(start === 0 ? chunk : chunk.subarray(start));
  }

  /** The last line, when the stream ended without its newline ('' when there is none). */
  rest(): string {
    return this.#partial.length > 0 ? Buffer.concat(this.#partial).toString('utf8') : '';
  }
}

/** One line of a watch stream: an event, a blank keep-alive, or something that is not an event. */
export type WatchLine = { readonly kind: 'blank' } | { readonly kind: 'malformed' } | { readonly kind: 'event'; readonly type: string; readonly object: unknown };

const BLANK: WatchLine = { kind: 'blank' };
const MALFORMED: WatchLine = { kind: 'malformed' };

/** Decodes one line (managedFields dropped while parsing). */
export function decodeWatchLine(line: string): WatchLine {
  let ev;
  try {
    ev = obj(parseWithoutManagedFields(line));
  } catch {
    // Blank lines (keep-alives, a trailing CR) are not news; checked only here, off the hot path.
    if (line.trim() === '') return BLANK;
    ev = undefined;
  }
  const type = ev?.type;
  if (!ev || typeof type !== 'string') return MALFORMED;
  return { kind: 'event', type, object: ev.object };
}

/** A watch ERROR event's Status: its HTTP code (500 when it has none) and message. */
export function watchErrorStatus(raw: unknown): { readonly code: number; readonly message: string } {
  const status = obj(raw);
  return {
    code: typeof status?.code === 'number' ? status.code : 500,
    message: typeof status?.message === 'string' ? status.message : 'watch ERROR event',
  };
}
