/**
 * Redaction of secrets in log text before anything leaves the process. Built-in patterns for the
 * credentials that end up in logs most often, plus the user's own (LOG_REDACT). Pure: text in,
 * text out; the patterns are compiled once, at config time.
 */

export const REDACTED = '[REDACTED]';

/** A pattern and what replaces a match ($1… keep the parts that are not secret, e.g. the key name). */
interface Rule {
  readonly pattern: RegExp;
  readonly replacement: string;
}

const KEY = String.raw`(?:[A-Za-z0-9_.-]*[_.-])?(?:password|passwd|secret|token|api[_-]?key|apikey|credentials?)(?:[_.-]key)?`;

const BUILTIN: readonly Rule[] = [
  // PEM private-key blocks, whole (and a block cut by the start or end of the tail).
  { pattern: /^(?:(?!-----BEGIN )[\s\S])*?-----END ([A-Z ]*PRIVATE KEY)-----/g, replacement: `${REDACTED}-----END $1-----` },
  { pattern: /-----BEGIN ([A-Z ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g, replacement: `-----BEGIN $1-----${REDACTED}-----END $1-----` },
  // Slack bot/user/app/refresh/config tokens and app-level tokens.
  { pattern: /\bxox[abprs]-[A-Za-z0-9-]{8,}/g, replacement: REDACTED },
  { pattern: /\bxapp-[A-Za-z0-9-]{8,}/g, replacement: REDACTED },
  // AWS access key ids; secret access keys only where named (40 base64 chars alone are too common: digests).
  { pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, replacement: REDACTED },
  { pattern: /(aws[A-Za-z0-9_.-]{0,20}secret[A-Za-z0-9_.-]{0,20}["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}\b/gi, replacement: `$1${REDACTED}` },
  // GitHub (classic and fine-grained) and GitLab tokens.
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, replacement: REDACTED },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g, replacement: REDACTED },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g, replacement: REDACTED },
  // JWTs: base64url JSON header and payload (both start `eyJ`), then a signature.
  { pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replacement: REDACTED },
  // Authorization headers and bare bearer credentials.
  { pattern: /(\bAuthorization["']?\s*[:=]\s*["']?(?:Bearer|Basic|Token|Bot)?\s*)[^\s"',;]+/gi, replacement: `$1${REDACTED}` },
  { pattern: /(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, replacement: `$1${REDACTED}` },
  // scheme://user:PASSWORD@host
  { pattern: /(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+(@)/g, replacement: `$1${REDACTED}$2` },
  // key=value, key: value, "key": "value" whose key names a secret.
  { pattern: new RegExp(String.raw`(\b${KEY}["']?\s*[=:]\s*)"(?:[^"\\\n]|\\.)+"`, 'gi'), replacement: `$1"${REDACTED}"` },
  { pattern: new RegExp(String.raw`(\b${KEY}["']?\s*[=:]\s*)'[^'\n]+'`, 'gi'), replacement: `$1'${REDACTED}'` },
  { pattern: new RegExp(String.raw`(\b${KEY}["']?\s*[=:]\s*)(?![\s"'\[])[^\s"',;&}\]]+`, 'gi'), replacement: `$1${REDACTED}` },
];

/** The compiled LOG_REDACT patterns, or the ones that are not valid regular expressions. */
export type CompiledRedactions = { readonly ok: true; readonly patterns: readonly RegExp[] } | { readonly ok: false; readonly invalid: readonly { pattern: string; why: string }[] };

/**
 * Splits LOG_REDACT on the commas that separate patterns: not those inside (), [] or {} (as in
 * `\d{1,3}`) and not an escaped `\,`.
 */
export function splitPatterns(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < list.length; i++) {
    const ch = list[i]!;
    if (ch === '\\' && i + 1 < list.length) {
      cur += ch + list[++i];
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if ((ch === ')' || ch === ']' || ch === '}') && depth > 0) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

/** Compiles user patterns (LOG_REDACT, comma-separated); every invalid one is reported, not just the first. */
export function compileRedactions(sources: readonly string[]): CompiledRedactions {
  const patterns: RegExp[] = [];
  const invalid: { pattern: string; why: string }[] = [];
  for (const source of sources) {
    try {
      const re = new RegExp(source, 'g');
      // A pattern that matches the empty string would insert [REDACTED] between every character.
      if (re.test('')) invalid.push({ pattern: source, why: 'matches the empty string' });
      else patterns.push(re);
    } catch (err) {
      invalid.push({ pattern: source, why: err instanceof Error ? err.message : String(err) });
    }
  }
  return invalid.length ? { ok: false, invalid } : { ok: true, patterns };
}

/** `text` with every built-in secret and every match of `extra` replaced by [REDACTED]. */
export function redact(text: string, extra: readonly RegExp[] = []): string {
  let out = text;
  for (const r of BUILTIN) out = out.replace(r.pattern, r.replacement);
  for (const re of extra) {
    re.lastIndex = 0;
    out = out.replace(re, REDACTED);
  }
  return out;
}
