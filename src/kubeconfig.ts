import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * Loads credentials the way DESIGN §8 promises: KUBECONFIG (one or more files, like kubectl) when set;
 * else the in-cluster service account when running in a pod; else ~/.kube/config.
 * `inCluster` is whether KUBERNETES_SERVICE_HOST is set (passed in, so this reads no environment).
 */
export function loadKubeConfig(kubeconfig: string | undefined, inCluster: boolean): KubeConfig {
  const kc = new KubeConfig();
  const files = (kubeconfig ?? '').split(delimiter).filter((f) => f !== '');
  if (files.length > 0) {
    files.forEach((file, i) => {
      const one = i === 0 ? kc : new KubeConfig();
      try {
        one.loadFromFile(file);
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
        throw new Error(`KUBECONFIG=${kubeconfig}: cannot load ${file}: ${why}`, { cause: err });
      }
      // kubectl semantics: the first file that sets current-context wins.
      if (one !== kc) kc.mergeConfig(one, true);
    });
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
