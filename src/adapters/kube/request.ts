import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../clock.js';
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

/** An API server's answer: its status and parsed JSON body (a Status object on errors). */
export interface KubeReply {
  readonly status: number;
  readonly body: unknown;
}

export interface KubeJsonRequestOptions {
  readonly kubeConfig: KubeConfig;
  /** For the timeout. */
  readonly clock: Clock;
  /** A request taking longer is abandoned (rejects). */
  readonly timeoutMs: number;
}

/**
 * One JSON request with the kubeconfig's auth (no generated client models: the raw path keeps them
 * out of the build); resolves with any status, rejects on network errors and timeouts.
 */
export async function kubeJsonRequest(o: KubeJsonRequestOptions, method: string, path: string, body?: unknown): Promise<KubeReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const { url, options, request } = await prepareKubeRequest(o.kubeConfig, method, path, payload);
  const timeoutMs = o.timeoutMs;
  return new Promise<KubeReply>((resolve, reject) => {
    let settled = false;
    const req = request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('close', () => fail(new KubeApiError(0, `${method} ${url.pathname}: connection closed before the answer ended`)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cancel();
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = { message: `response is not JSON: ${text.slice(0, 120)}` };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', fail);
    });
    const cancel = o.clock.setTimer(timeoutMs, () => req.destroy(new KubeApiError(0, `${method} ${url.pathname}: no answer within ${timeoutMs} ms`)));
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      cancel();
      reject(err);
    }
    req.on('error', fail);
    req.end(payload);
  });
}
