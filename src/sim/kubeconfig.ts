import { KubeConfig } from '@kubernetes/client-node';
import { acceptPlainHttp } from '../kubeconfig.js';
import { SIM_CA_PEM } from './tls.js';

/** The token the sim accepts by default: obviously fake, long enough for the logger's redaction. */
export const SIM_TOKEN = 'podbell-sim-token-not-a-secret';

export interface SimKubeconfigOptions {
  /** The sim's URL, e.g. server.url. */
  readonly url: string;
  readonly token?: string;
  /** Context, cluster and user name (default podbell-sim). */
  readonly name?: string;
  /** Namespace of the context (default default). */
  readonly namespace?: string;
}

/** The kubeconfig as a plain object (kubectl reads it as JSON or YAML alike). */
export function simKubeconfigObject(o: SimKubeconfigOptions): Record<string, unknown> {
  const name = o.name ?? 'podbell-sim';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        // Plain http needs no TLS setting: kubectl and podbell (src/kubeconfig.ts) take it as is.
        cluster: o.url.startsWith('https:') ? { server: o.url, 'certificate-authority-data': Buffer.from(SIM_CA_PEM).toString('base64') } : { server: o.url },
      },
    ],
    users: [{ name, user: { token: o.token ?? SIM_TOKEN } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: o.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  };
}

/** Kubeconfig file text pointing at the sim, token auth. JSON is valid YAML, so kubectl reads it as is. */
export function simKubeconfigText(o: SimKubeconfigOptions): string {
  return `${JSON.stringify(simKubeconfigObject(o), null, 2)}\n`;
}

/** A client-node KubeConfig for the sim, loaded through the same parser as a real kubeconfig file. */
export function simKubeConfig(o: SimKubeconfigOptions): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(simKubeconfigText(o));
  return acceptPlainHttp(kc);
}
