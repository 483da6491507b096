import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './errors.js';

export interface PreparedKubeRequest {
  readonly url: URL;
  /** Auth (token, client certificate, CA) from the kubeconfig, method and headers. */
  readonly options: https.RequestOptions;
  /** node:http or node:https, as the server's URL says. */
  readonly request: typeof https.request;
}

/**
 * Everything a request to the API server needs from client-node's KubeConfig: in-cluster service
 * account, tokens, client certificates and exec plugins all go through applyToHTTPSOptions. The caller
 * sends it and reads the answer its own way (a watch streams it, the state store buffers it).
 */
export async function prepareKubeRequest(kubeConfig: KubeConfig, method: string, pathAndQuery: string, payload?: string): Promise<PreparedKubeRequest> {
  const opts: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(opts);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeApiError(0, 'the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + pathAndQuery);
  const headers: Record<string, string | number> = {
    ...(opts.headers as Record<string, string> | undefined),
    Accept: 'application/json',
    ...(payload !== undefined && { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
  };
  return { url, options: { ...opts, method, headers }, request: (url.protocol === 'http:' ? http.request : https.request) as typeof https.request };
}

export interface KubeReply {
  readonly status: number;
  /** The body as received, at most `maxBytes` of it. */
  readonly body: Buffer;
}

export interface SendKubeRequestOptions {
  readonly payload?: string;
  /** A request taking longer is abandoned and rejects (Clock timer). */
  readonly timeoutMs: number;
  /** Bytes kept of the body; the rest is dropped as it arrives (default 4 MiB). */
  readonly maxBytes?: number;
  /** Fires the timeout. */
  readonly setTimer: (ms: number, fn: () => void) => () => void;
}

/**
 * One buffered request with the kubeconfig's auth: resolves with any HTTP status and the body,
 * rejects on network errors, a connection closed early, and the timeout.
 */
export async function sendKubeRequest(kubeConfig: KubeConfig, method: string, pathAndQuery: string, o: SendKubeRequestOptions): Promise<KubeReply> {
  const { url, options, request } = await prepareKubeRequest(kubeConfig, method, pathAndQuery, o.payload);
  const maxBytes = o.maxBytes ?? 4 * 1024 * 1024;
  return new Promise<KubeReply>((resolve, reject) => {
    let settled = false;
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size >= maxBytes) return;
        const part = size + c.length > maxBytes ? c.subarray(0, maxBytes - size) : c;
        chunks.push(part);
        size += part.length;
      });
      res.on('close', () => fail(new KubeApiError(0, `${method} ${url.pathname}: connection closed before the answer ended`)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cancel();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
      res.on('error', fail);
    });
    const cancel = o.setTimer(o.timeoutMs, () => req.destroy(new KubeApiError(0, `${method} ${url.pathname}: no answer within ${o.timeoutMs} ms`)));
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      cancel();
      reject(err);
    }
    req.on('error', fail);
    req.end(o.payload);
  });
}
