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
