import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from './errors.js';

// Reading a stream of JSON values as users hand them to podbell check and podbell replay: JSON
// lines, pretty-printed documents, or several concatenated; a byte-order mark is skipped; errors
// name the source and the line.

/** A complete top-level JSON value of a stream and the 1-based line it starts on. */
export interface JsonChunk {
  readonly text: string;
  readonly line: number;
}

/**
 * Splits a text stream into top-level JSON objects and arrays without parsing them: JSON lines,
 * one pretty-printed document, or several concatenated (kubectl -w -o json) all work. Brackets inside
 * strings are skipped; the values themselves are checked later by JSON.parse.
 * Throws InputError (naming `source` and the line) on text outside a value or a value left open.
 */
export class JsonSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private startLine = 0;
  private parts: string[] = [];
  private first = true;

  constructor(private readonly source: string) {}

  /** Feeds a piece of text; returns the values completed by it. */
  push(text: string): JsonChunk[] {
    const done: JsonChunk[] = [];
    let start = this.depth > 0 ? 0 : -1;
    let i = 0;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte-order mark from Windows editors
    }
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true; // backslash
        else if (c === 34) this.inString = false; // quote
        continue;
      }
      if (this.depth === 0) {
        if (c === 123 || c === 91) {
          // { or [ opens a value
          this.depth = 1;
          this.startLine = this.line;
          start = i;
        } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
          throw new InputError(`${this.source}:${this.line}: expected a JSON object (JSON lines, or documents such as kubectl get pods -o json), found ${JSON.stringify(excerpt(text, i))}`);
        }
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        if (--this.depth === 0) {
          this.parts.push(text.slice(start, i + 1));
          done.push({ text: this.parts.length === 1 ? this.parts[0]! : this.parts.join(''), line: this.startLine });
          this.parts = [];
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start >= 0) this.parts.push(text.slice(start));
    return done;
  }

  /** Call at end of input: throws if a value is still open. */
  end(): void {
    if (this.depth > 0) throw new InputError(`${this.source}:${this.startLine}: the JSON value starting here never ends (truncated input?)`);
  }
}

function excerpt(text: string, at: number): string {
  const end = text.indexOf('\n', at);
  const s = text.slice(at, end < 0 ? text.length : end);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * Where JSON.parse gave up, as an offset: V8's messages only sometimes carry a position, so on the
 * (rare) error path the text is walked by a small JSON grammar instead. -1 when the text is valid.
 */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const fail = (): never => {
    throw new RangeError(String(i));
  };
  const ws = () => {
    for (let c = s.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = s.charCodeAt(++i));
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= s.length) fail();
      const c = s.charCodeAt(i);
      if (c === 34) return void i++;
      if (c < 32) fail();
      i += c === 92 ? 2 : 1;
    }
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (s[i] === close) return void i++;
      for (;;) {
        if (close === '}') {
          ws();
          if (s[i] !== '"') fail();
          string();
          ws();
          if (s[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === close) return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) if (s.startsWith(word, i)) return void (i += word.length);
    NUMBER.lastIndex = i;
    if (NUMBER.test(s)) return void (i = NUMBER.lastIndex);
    fail();
  };
  try {
    value();
    ws();
    if (i < s.length) fail();
    return -1;
  } catch (e) {
    if (e instanceof RangeError && /^\d+$/.test(e.message)) return Number(e.message);
    throw e;
  }
}

/** JSON.parse with errors that name the file and the line inside a multi-line document. */
export function parseChunk(chunk: JsonChunk, source: string): unknown {
  try {
    return JSON.parse(chunk.text);
  } catch (e) {
    const at = jsonErrorOffset(chunk.text);
    let line = chunk.line;
    for (let i = 0, n = Math.min(at, chunk.text.length); i < n; i++) if (chunk.text.charCodeAt(i) === 10) line++;
    throw new InputError(`${source}:${line}: invalid JSON: ${errorText(e)}`);
  }
}

/** An error's message; `instanceof Error` is not used because errors may come from another realm. */
export function errorText(e: unknown): string {
  return e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : String(e);
}

export async function* textOf(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of stream) yield typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
  const rest = decoder.end();
  if (rest) yield rest;
}

/** The JSON values of FILE (or of stdin when FILE is undefined or '-'), each with the line it starts on. */
export async function* jsonValues(file: string | undefined, stdin: Readable, source: string): AsyncGenerator<{ readonly value: unknown; readonly line: number }> {
  const splitter = new JsonSplitter(source);
  const stream = file !== undefined && file !== '-' ? createReadStream(file) : stdin;
  for await (const text of textOf(stream)) {
    for (const chunk of splitter.push(text)) yield { value: parseChunk(chunk, source), line: chunk.line };
  }
  splitter.end();
}
