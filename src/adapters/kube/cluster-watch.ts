import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { ourAnnotations, projectPod, type PodState } from '../../core/pod.js';
import type { NamespaceState } from '../../core/mute.js';
import type { Change, Watch } from './types.js';
import { KubeWatch, type BackoffOptions } from './watch.js';

/** What one watch covers: a namespace path, a field selector, or the whole cluster. */
export interface WatchScope {
  readonly namespace?: string;
  readonly fieldSelector?: string;
}

/** Pods: one watch per namespace of WATCH_NAMESPACES (each on /api/v1/namespaces/NS/pods), else one cluster-wide. */
export function podScopes(namespaces: readonly string[]): WatchScope[] {
  return namespaces.length === 0 ? [{}] : [...new Set(namespaces)].map((namespace) => ({ namespace }));
}

/**
 * Namespaces: with WATCH_NAMESPACES one watch per namespace selected by `metadata.name` (RBAC can then
 * be limited with resourceNames), else one watch of every namespace.
 */
export function namespaceScopes(namespaces: readonly string[]): WatchScope[] {
  return namespaces.length === 0 ? [{}] : [...new Set(namespaces)].map((ns) => ({ fieldSelector: `metadata.name=${ns}` }));
}

/** The part of a Namespace podbell keeps; undefined for an object without a name. */
export function projectNamespace(raw: unknown): NamespaceState | undefined {
  const meta = (raw as { metadata?: { name?: unknown; annotations?: unknown } } | null)?.metadata;
  if (!meta || typeof meta.name !== 'string' || meta.name === '') return undefined;
  const annotations = ourAnnotations(meta.annotations);
  return { name: meta.name, ...(annotations && { annotations }) };
}

export interface ClusterWatchOptions {
  readonly kubeConfig: KubeConfig;
  /** WATCH_NAMESPACES; empty means the whole cluster. */
  readonly namespaces: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  onPod(c: Change<PodState>): void;
  onNamespace(c: Change<NamespaceState>): void;
  /** Called once, when every pod and namespace watch has delivered its first LIST. */
  onSynced?(): void;
  readonly random?: () => number;
  readonly watchdogMs?: number;
  readonly timeoutSeconds?: { readonly min: number; readonly max: number };
  readonly backoff?: BackoffOptions;
  readonly pageSize?: number;
}

/**
 * Every watch podbell needs for its scope (pods and namespaces), as one Watch: synced only when all
 * of them are, so /readyz means "both initial lists are in" (DESIGN §5).
 */
export class ClusterWatch implements Watch {
  readonly #watches: Watch[];
  #started = false;
  #syncedCalled = false;

  constructor(o: ClusterWatchOptions) {
    if (!o || !Array.isArray(o.namespaces)) throw new TypeError('ClusterWatch: options.namespaces must be an array (empty for the whole cluster)');
    if (typeof o.onPod !== 'function') throw new TypeError('ClusterWatch: options.onPod must be a function');
    if (typeof o.onNamespace !== 'function') throw new TypeError('ClusterWatch: options.onNamespace must be a function');
    const common = {
      kubeConfig: o.kubeConfig,
      clock: o.clock,
      log: o.log,
      registry: o.registry,
      onSynced: () => this.#maybeSynced(o),
      ...(o.random && { random: o.random }),
      ...(o.watchdogMs !== undefined && { watchdogMs: o.watchdogMs }),
      ...(o.timeoutSeconds && { timeoutSeconds: o.timeoutSeconds }),
      ...(o.backoff && { backoff: o.backoff }),
      ...(o.pageSize !== undefined && { pageSize: o.pageSize }),
    };
    this.#watches = [
      ...namespaceScopes(o.namespaces).map(
        (scope) => new KubeWatch<NamespaceState>({ ...common, ...scope, resource: 'namespaces', project: projectNamespace, keyOf: (n) => n.name, onChange: (c) => o.onNamespace(c) }),
      ),
      ...podScopes(o.namespaces).map((scope) => new KubeWatch<PodState>({ ...common, ...scope, resource: 'pods', project: projectPod, keyOf: (p) => p.uid, onChange: (c) => o.onPod(c) })),
    ];
  }

  get synced(): boolean {
    return this.#watches.every((w) => w.synced);
  }

  start(): void {
    if (this.#started) throw new Error('ClusterWatch: start() called twice');
    this.#started = true;
    for (const w of this.#watches) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#watches.map((w) => w.stop()));
  }

  #maybeSynced(o: ClusterWatchOptions): void {
    if (this.#syncedCalled || !this.synced) return;
    this.#syncedCalled = true;
    o.onSynced?.();
  }
}
