import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../clock.js';
import { readBody } from '../http-body.js';
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

/** An API server's answer as text: its status and (at most `maxChars` of) the body. */
export interface KubeRawReply {
  readonly status: number;
  readonly body: string;
}

export interface SendKubeRequestOptions {
  readonly payload?: string;
  /** A request taking longer is abandoned and rejects (Clock timer). */
  readonly timeoutMs: number;
  /** Characters kept of the body; the rest is read and dropped (default: all). */
  readonly maxChars?: number;
  /** Fires the timeout. */
  readonly clock: Clock;
}

/**
 * One buffered request with the kubeconfig's auth: resolves with any HTTP status and the body (read
 * by the one body reader, adapters/http-body.ts), rejects on network errors, a connection closed
 * early, and the timeout. The one transport of every request-reply call to the API server (logs,
 * the state ConfigMap, the Lease).
 */
export async function sendKubeRequest(kubeConfig: KubeConfig, method: string, pathAndQuery: string, o: SendKubeRequestOptions): Promise<KubeRawReply> {
  const { url, options, request } = await prepareKubeRequest(kubeConfig, method, pathAndQuery, o.payload);
  return new Promise<KubeRawReply>((resolve, reject) => {
    let settled = false;
    const req = request(url, options, (res) => {
      const closed = new KubeApiError(0, `${method} ${url.pathname}: connection closed before the answer ended`);
      readBody(res, { ...(o.maxChars !== undefined && { maxChars: o.maxChars }), failure: (why, e) => (why === 'error' && e ? e : closed) }).then((text) => {
        if (settled) return;
        settled = true;
        cancel();
        resolve({ status: res.statusCode ?? 0, body: text });
      }, fail);
    });
    const cancel = o.clock.setTimer(o.timeoutMs, () => req.destroy(new KubeApiError(0, `${method} ${url.pathname}: no answer within ${o.timeoutMs} ms`)));
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

/** An API server's answer: its status, its text, and that text parsed (undefined when empty or not JSON). */
export interface KubeReply {
  readonly status: number;
  readonly body: unknown;
  /** For statusMessage when the status is not 2xx. */
  readonly text: string;
}

export interface KubeJsonRequestOptions {
  readonly kubeConfig: KubeConfig;
  /** For the timeout. */
  readonly clock: Clock;
  /** A request taking longer is abandoned (rejects). */
  readonly timeoutMs: number;
}

/**
 * One JSON request over sendKubeRequest (no generated client models: the raw path keeps them out of
 * the build); resolves with any status, rejects on network errors and timeouts.
 */
export async function kubeJsonRequest(o: KubeJsonRequestOptions, method: string, path: string, body?: unknown): Promise<KubeReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const r = await sendKubeRequest(o.kubeConfig, method, path, { ...(payload !== undefined && { payload }), timeoutMs: o.timeoutMs, clock: o.clock });
  let parsed: unknown;
  try {
    parsed = r.body === '' ? undefined : JSON.parse(r.body);
  } catch {
    // not JSON (a proxy's page, say): statusMessage reads the text
  }
  return { status: r.status, body: parsed, text: r.body };
}
