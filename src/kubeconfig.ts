import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';

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
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
        throw new Error(`KUBECONFIG=${kubeconfig}: cannot load ${file}: ${why}`, { cause: err });
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
    return kc;
  }
  if (inCluster) {
    kc.loadFromCluster();
    return kc;
  }
  const home = join(homedir(), '.kube', 'config');
  if (!existsSync(home)) throw new Error(`no Kubernetes credentials: KUBECONFIG is unset, not running in a pod, and ${home} does not exist`);
  kc.loadFromFile(home);
  return kc;
}
