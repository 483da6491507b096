/**
 * RFC 3339 times as replay input and output carry them. Strict on purpose: `Date.parse` accepts
 * many shapes (and local times), and a replay must mean the same instant on every machine.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or undefined when `text` is not an RFC 3339 date-time with an offset. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.parse(text.replace(' ', 'T').toUpperCase());
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls 2026-02-31 over to March; a date that does not exist is an input error.
  const offset = m[8]!.toUpperCase() === 'Z' ? 0 : (m[8]!.startsWith('-') ? -1 : 1) * (Number(m[8]!.slice(1, 3)) * 60 + Number(m[8]!.slice(4, 6)));
  const local = new Date(ms + offset * 60_000);
  if (local.getUTCDate() !== d || local.getUTCMonth() + 1 !== mo) return undefined;
  return ms;
}

/** `2026-11-21T09:00:30.000Z`: UTC with milliseconds, the form every replay output line uses. */
export function formatRfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
