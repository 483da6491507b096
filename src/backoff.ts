/**
 * Jittered exponential backoff, the one used by every retry loop (the Kubernetes watch, the Slack
 * queues): the n-th delay (n from 0) is uniform in [d/2, d) with d = initialMs * 2^n, capped at maxMs.
 * Jitter keeps many clients that failed together from retrying together.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const d = Math.min(maxMs, initialMs * 2 ** Math.min(40, Math.max(0, attempt)));
  return d / 2 + (random() * d) / 2;
}
