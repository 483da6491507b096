import type { Watch } from './types.js';

export interface ScopedWatchesOptions {
  /** WATCH_NAMESPACES; empty: the whole cluster. */
  readonly namespaces: readonly string[];
  /** Makes the watch of all Namespace objects (name undefined) or of the one named (by fieldSelector). */
  namespaceWatch(name: string | undefined, onSynced: () => void): Watch;
  /** Makes the watch of all pods (namespace undefined) or of one namespace's pods. */
  podWatch(namespace: string | undefined, onSynced: () => void): Watch;
  /** Called once, when every pod watch has its initial list. */
  onPodsSynced?(): void;
  /**
   * Makes the watch of Warning Events (EVENTS=on) in the same scope as the pods. Started with the pod
   * watches; not part of `synced` (a cluster without the events RBAC still alerts).
   */
  eventWatch?(namespace: string | undefined): Watch;
}

/**
 * The watches of one scope (the cluster, or the WATCH_NAMESPACES list, one watch per namespace so
 * namespaced RBAC suffices), started in the order mutes need: pods only once every namespace watch
 * has its initial list, so no pod is judged before its namespace's annotations are known.
 */
export class ScopedWatches {
  readonly #o: ScopedWatchesOptions;
  readonly #namespaceWatches: Watch[] = [];
  readonly #podWatches: Watch[] = [];
  readonly #eventWatches: Watch[] = [];
  #started = false;
  #stopped = false;
  #podsSynced = false;

  constructor(options: ScopedWatchesOptions) {
    if (!Array.isArray(options?.namespaces)) throw new TypeError('ScopedWatches: option namespaces must be an array');
    for (const k of ['namespaceWatch', 'podWatch'] as const) if (typeof options[k] !== 'function') throw new TypeError(`ScopedWatches: option ${k} must be a function`);
    this.#o = options;
  }

  /** True once every namespace and pod watch has delivered its initial list. */
  get synced(): boolean {
    return this.#podWatches.length > 0 && [...this.#namespaceWatches, ...this.#podWatches].every((w) => w.synced);
  }

  start(): void {
    if (this.#started) throw new Error('ScopedWatches: already started');
    this.#started = true;
    const scope = this.#o.namespaces.length === 0 ? [undefined] : this.#o.namespaces;
    for (const name of scope) this.#namespaceWatches.push(this.#o.namespaceWatch(name, () => this.#startPods()));
    for (const w of this.#namespaceWatches) w.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#namespaceWatches, ...this.#podWatches, ...this.#eventWatches].map((w) => w.stop()));
  }

  #startPods(): void {
    if (this.#stopped || this.#podWatches.length > 0 || !this.#namespaceWatches.every((w) => w.synced)) return;
    const scope = this.#o.namespaces.length === 0 ? [undefined] : this.#o.namespaces;
    for (const ns of scope) this.#podWatches.push(this.#o.podWatch(ns, () => this.#podSynced()));
    for (const w of this.#podWatches) w.start();
    const eventWatch = this.#o.eventWatch;
    if (eventWatch) for (const ns of scope) this.#eventWatches.push(eventWatch(ns));
    for (const w of this.#eventWatches) w.start();
  }

  #podSynced(): void {
    if (this.#podsSynced || !this.#podWatches.every((w) => w.synced)) return;
    this.#podsSynced = true;
    this.#o.onPodsSynced?.();
  }
}
