import type { IncomingMessage } from 'node:http';

export interface ReadBodyOptions {
  /** Keep at most about this many characters (the rest is read and dropped): for error bodies. */
  readonly maxChars?: number;
  /** Called on every chunk (a watchdog's sign of life). */
  readonly onData?: () => void;
  /**
   * What to reject with when the response ends badly (an error, aborted, closed before its end).
   * Without it the promise resolves with what was read: for best-effort reads of error bodies.
   */
  readonly failure?: (why: 'error' | 'aborted' | 'closed', err?: Error) => Error;
}

/**
 * Reads an HTTP response body as UTF-8 text: the one implementation for the watch's LIST and error
 * bodies and the ConfigMap store's answers. Settles exactly once; a response torn down silently
 * ('close' without 'end') never leaves the caller hanging.
 */
export function readBody(res: IncomingMessage, o: ReadBodyOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let done = false;
    const finish = (why: 'end' | 'error' | 'aborted' | 'closed', err?: Error) => {
      if (done) return;
      done = true;
      if (why === 'end' || !o.failure) resolve(text);
      else reject(o.failure(why, err));
    };
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      o.onData?.();
      if (o.maxChars === undefined || text.length < o.maxChars) text += c;
    });
    res.on('end', () => finish('end'));
    res.on('error', (e) => finish('error', e));
    res.on('aborted', () => finish('aborted'));
    // After 'end' this is a no-op.
    res.on('close', () => finish('closed'));
  });
}
