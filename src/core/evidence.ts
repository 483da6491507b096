/**
 * The evidence part of a thread reply: the last lines of the crashed run's log and the pod's Warning
 * Events folded by reason. All of it is untrusted cluster text: control characters and terminal escape
 * sequences are removed, secrets redacted, then `& < >` and ``` runs escaped (render.ts's escapeText),
 * and the log keeps its END when Slack's limits cut it: the last lines are what explain a crash.
 */
import type { FoldedWarning } from './cause.js';
import type { SlackMessage } from './outgoing.js';
import { redact } from './redact.js';
import { context, escapeCode, escapeText, fence, message, section, truncate, truncateStart } from './render.js';

/** Longest line kept, in characters: a 10 MB single-line JSON blob must not become the whole reply. */
export const MAX_LINE = 500;
/** The most log text looked at, from the end (the fetch asks for 16 KiB). */
const MAX_INPUT = 64 * 1024;
/** Room for the log inside one section block (3000), fences and heading included. */
const LOG_BLOCK_CHARS = 2800;

export interface EvidenceView {
  /** The log tail as fetched (raw text); absent when not fetched or unavailable. */
  readonly log?: { readonly text: string; readonly container: string; readonly previous: boolean; readonly lines: number; readonly cut?: boolean };
  /** Why there is no log (`logs unavailable: …`), said once in the thread. */
  readonly logUnavailable?: string;
  readonly warnings?: readonly FoldedWarning[];
  /** LOG_REDACT patterns, compiled. */
  readonly redactions?: readonly RegExp[];
}

// ANSI/VT escape sequences (colours, cursor moves) and C0/C1 controls other than tab and newline.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;

/** Removes terminal escapes and control characters; lone surrogates (broken UTF-16) become U+FFFD. */
export function cleanText(s: string): string {
  return s.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The last `n` lines of `text` (a trailing newline does not count as an empty line), each capped at MAX_LINE. */
export function lastLines(text: string, n: number): string[] {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body === '' || n <= 0) return [];
  const lines = body.split('\n');
  return lines.slice(-n).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE - 1)}…` : l));
}

/**
 * Escaped text in a code block of at most `max` characters, dropping whole lines from the START when
 * it is too long (then the start of the first kept line), so the closing fence and the last line survive.
 */
export function tailCodeBlock(lines: readonly string[], max: number): string {
  const escaped = lines.map(escapeCode);
  const room = max - 8;
  let used = 0;
  let first = escaped.length;
  while (first > 0 && used + escaped[first - 1]!.length + 1 <= room) used += escaped[--first]!.length + 1;
  let body = escaped.slice(first).join('\n');
  if (first > 0) {
    // The loop stopped at this line because it does not fit: truncateStart always cuts it ('…' and its end).
    const head = truncateStart(escaped[first - 1]!, Math.max(1, room - used - 1));
    body = head === '…' || !body ? head + body : `${head}\n${body}`;
  }
  return fence(body || ' ');
}

/** `Unhealthy ×12: Liveness probe failed: HTTP probe failed with statuscode: 500`, escaped, latest first. */
export function warningLines(warnings: readonly FoldedWarning[], redactions: readonly RegExp[] = []): string[] {
  return [...warnings]
    .sort((a, b) => b.lastAt - a.lastAt)
    .map((w) => `${escapeText(cleanText(w.reason))} ×${w.count}: ${truncate(escapeText(redact(cleanText(w.message), redactions)), 300)}`);
}

/** The reply with its evidence appended: the log tail in a code block, then the folded Warning Events. */
export function withEvidence(reply: SlackMessage, e: EvidenceView): SlackMessage {
  const blocks: unknown[] = [...(reply.blocks ?? [])];
  const text: string[] = [reply.text];
  const redactions = e.redactions ?? [];
  if (e.log) {
    // Only the end can be shown: a 10 MB input costs no more than MAX_INPUT of work.
    const lines = lastLines(redact(cleanText(e.log.text.slice(-MAX_INPUT)), redactions), e.log.lines);
    const which = `${e.log.previous ? 'previous run' : 'current run'} of ${escapeText(e.log.container)}`;
    if (lines.length === 0) {
      blocks.push(context([`log of the ${which}: (empty)`]));
      text.push(`log of the ${which}: (empty)`);
    } else {
      blocks.push(section(`last ${lines.length} log line${lines.length === 1 ? '' : 's'} of the ${which}:\n${tailCodeBlock(lines, LOG_BLOCK_CHARS)}`));
      text.push(`last log line: ${truncate(escapeText(lines[lines.length - 1]!), 500)}`);
      // The API server's limitBytes keeps the START of the requested tail: the end may be missing.
      if (e.log.cut) blocks.push(context(['the log was cut at the fetch size limit: its last lines may be missing']));
    }
  } else if (e.logUnavailable) {
    blocks.push(context([escapeText(cleanText(e.logUnavailable))]));
    text.push(escapeText(cleanText(e.logUnavailable)));
  }
  const warnings = warningLines(e.warnings ?? [], redactions);
  if (warnings.length) {
    blocks.push(section(`warning events:\n${warnings.map((l) => `• ${l}`).join('\n')}`));
    text.push(`warning events: ${warnings.join(' | ')}`);
  }
  return message(text.join('\n'), blocks);
}

