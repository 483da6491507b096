/**
 * Checks for constructor options, so every component reports a bad option the same way: at once, as
 * a TypeError naming the component and the option (`KubeWatch: options.pageSize must be ...`).
 */

/** `value` when it is a finite number > 0, `fallback` when undefined; otherwise throws naming `where`. */
export function positiveOption(where: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new TypeError(`${where} must be a positive number, got ${String(value)}`);
  return value;
}
