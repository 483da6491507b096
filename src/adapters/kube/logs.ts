import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../clock.js';
import { statusMessage } from './errors.js';
import { sendKubeRequest } from './request.js';

/** What to read: one run of one container, its last lines, at most so many bytes. */
export interface LogQuery {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly previous: boolean;
  readonly tailLines: number;
  readonly limitBytes: number;
}

export type LogResult = { readonly ok: true; readonly text: string; readonly cut: boolean } | { readonly ok: false; readonly status: number; readonly message: string };

/** Reads container logs (GET pods/{name}/log) with the kubeconfig's auth; never throws. */
export type LogFetcher = (q: LogQuery) => Promise<LogResult>;

/**
 * The log tail of a run over client-node's auth, through the same raw request path as the watches
 * (no generated API models are loaded). Bytes are decoded as UTF-8; invalid sequences (and a character
 * cut by limitBytes) become U+FFFD. A network error or timeout is status 0.
 */
export function kubeLogFetcher(kubeConfig: KubeConfig, clock: Clock, timeoutMs = 5000): LogFetcher {
  return async (q) => {
    const params = new URLSearchParams({ container: q.container, tailLines: String(q.tailLines), limitBytes: String(q.limitBytes) });
    if (q.previous) params.set('previous', 'true');
    const path = `/api/v1/namespaces/${encodeURIComponent(q.namespace)}/pods/${encodeURIComponent(q.pod)}/log?${params}`;
    try {
      const r = await sendKubeRequest(kubeConfig, 'GET', path, { timeoutMs, maxChars: q.limitBytes + 1024, clock });
      const text = r.body;
      if (r.status >= 200 && r.status < 300) return { ok: true, text, cut: Buffer.byteLength(text) >= q.limitBytes };
      return { ok: false, status: r.status, message: statusMessage(r.status, text) };
    } catch (err) {
      return { ok: false, status: 0, message: (err as Error)?.message ?? String(err) };
    }
  };
}
