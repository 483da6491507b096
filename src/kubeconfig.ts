import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { prepareKubeRequest } from './adapters/kube/request.js';
import { PodbellError } from './errors.js';

/** Kubernetes credentials that cannot work, whatever the retries: start-up stops (exit 2) with this one line. */
export class KubeConfigError extends PodbellError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('kubeconfig_invalid', message, options);
  }
}

/** The kubeconfig auth-provider names client-node implements. */
const AUTH_PROVIDERS: readonly string[] = ['azure', 'gcp', 'oidc'];

/** The first line of an error's message: what a one-line report can carry. */
const firstLine = (err: unknown): string => String((err as Error)?.message ?? err).split('\n')[0]!.trim();

/**
 * Loads credentials (see loadKubeConfig) and prepares one request with them, so that what no retry
 * can heal (a missing or garbled file, no current cluster, a malformed server URL, an auth method
 * client-node cannot apply) is one KubeConfigError at start, not a watch retrying forever.
 */
export async function openKubeConfig(kubeconfig: string | undefined, inCluster: boolean): Promise<KubeConfig> {
  const source = kubeconfig !== undefined ? `KUBECONFIG=${kubeconfig}` : inCluster ? 'the in-cluster service account' : '~/.kube/config';
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig(kubeconfig, inCluster);
  } catch (err) {
    // Ours already say where; client-node's get the source in front.
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`${source}: ${firstLine(err)}`, { cause: err });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    const context = kc.getCurrentContext();
    throw new KubeConfigError(`${source}: ${context ? `current-context ${JSON.stringify(context)} names no cluster` : 'no current-context, so no cluster to talk to'}`);
  }
  let protocol: string;
  try {
    protocol = new URL(cluster.server).protocol;
  } catch {
    throw new KubeConfigError(`${source}: cluster ${JSON.stringify(cluster.name)} has a malformed server URL ${JSON.stringify(cluster.server)}`);
  }
  if (protocol !== 'https:' && protocol !== 'http:') throw new KubeConfigError(`${source}: cluster ${JSON.stringify(cluster.name)} server ${JSON.stringify(cluster.server)} is not an http(s) URL`);
  // client-node applies these auth-providers and silently sends no credentials for any other.
  const provider = (kc.getCurrentUser()?.authProvider as { name?: unknown } | undefined)?.name;
  if (provider !== undefined && !AUTH_PROVIDERS.includes(String(provider))) {
    throw new KubeConfigError(`${source}: user ${JSON.stringify(kc.getCurrentUser()!.name)} uses auth-provider ${JSON.stringify(provider)}, which podbell cannot use (only ${AUTH_PROVIDERS.join(', ')}); use an exec credential plugin or a token`);
  }
  try {
    await prepareKubeRequest(kc, 'GET', '/version');
  } catch (err) {
    throw new KubeConfigError(`${source}: cannot use the credentials of context ${JSON.stringify(kc.getCurrentContext())}: ${firstLine(err)}`, { cause: err });
  }
  return kc;
}

/**
 * kubectl talks to an `http://` server (`kubectl proxy`, a local sim) as is; client-node refuses one
 * unless `insecure-skip-tls-verify` is set. Plain http has no TLS to verify, so setting the flag on
 * those clusters changes nothing but that refusal.
 */
export function acceptPlainHttp(kc: KubeConfig): KubeConfig {
  if (!kc.getClusters().some((c) => c.server.startsWith('http:') && !c.skipTLSVerify)) return kc;
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.getClusters().map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return out;
}

/**
 * Loads credentials the way docs/design.md#environment promises: KUBECONFIG (one or more files, like kubectl) when set;
 * else the in-cluster service account when running in a pod; else ~/.kube/config.
 * `inCluster` is whether KUBERNETES_SERVICE_HOST is set (passed in, so this reads no environment).
 */
export function loadKubeConfig(kubeconfig: string | undefined, inCluster: boolean): KubeConfig {
  const kc = new KubeConfig();
  const files = (kubeconfig ?? '').split(delimiter).filter((f) => f !== '');
  if (files.length > 0) {
    // kubectl's rules: for clusters, users and contexts the first file that names one wins; the
    // first file that sets current-context wins. (client-node's mergeConfig throws on a repeated
    // name and never takes a later file's context.)
    const clusters: Cluster[] = [];
    const users: User[] = [];
    const contexts: Context[] = [];
    let currentContext = '';
    for (const file of files) {
      const one = new KubeConfig();
      try {
        one.loadFromFile(file);
      } catch (err) {
        // One line: a parser's message goes on with a snippet of the file (exit 2 says it in one line).
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : firstLine(err);
        throw new KubeConfigError(`KUBECONFIG=${kubeconfig}: cannot load ${file}: ${why}`, { cause: err });
      }
      const firstWins = <T extends { name: string }>(into: T[], from: readonly T[]) => {
        for (const x of from) if (!into.some((y) => y.name === x.name)) into.push(x);
      };
      firstWins(clusters, one.getClusters());
      firstWins(users, one.getUsers());
      firstWins(contexts, one.getContexts());
      currentContext ||= one.getCurrentContext() ?? '';
    }
    kc.loadFromOptions({ clusters, users, contexts, currentContext });
    return acceptPlainHttp(kc);
  }
  if (inCluster) {
    kc.loadFromCluster();
    return kc;
  }
  const home = join(homedir(), '.kube', 'config');
  if (!existsSync(home)) throw new KubeConfigError(`no Kubernetes credentials: KUBECONFIG is unset, not running in a pod, and ${home} does not exist`);
  kc.loadFromFile(home);
  return acceptPlainHttp(kc);
}
