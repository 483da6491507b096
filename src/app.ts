import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { ScopedWatches } from './adapters/kube/scope.js';
import { createWatch, type KubeWatchOptions } from './adapters/kube/watch.js';
import type { DeliveryRelay, Sender } from './ports.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { IncidentSettings } from './core/incidents.js';
import { projectNamespace, type NamespaceState } from './core/mute.js';
import { projectPod, type PodState } from './core/pod.js';
import { ValuePool } from './core/pool.js';
import type { Logger } from './log.js';
import { Pipeline } from './pipeline.js';
import { StatePersister } from './state/persister.js';
import type { MemoryThreadStore } from './adapters/store/memory.js';
import type { StateStore } from './state/types.js';

/** The incident windows of a Config (docs/design.md#incidents), as the incident book takes them. */
export function incidentSettingsOf(c: Config): IncidentSettings {
  return c.incidents;
}

/** Watch tuning the tests and benchmarks may shorten; production uses the watch's defaults. */
export type WatchTuning = Pick<KubeWatchOptions<unknown>, 'watchdogMs' | 'timeoutSeconds' | 'backoff' | 'random' | 'pageSize'>;

export interface BotOptions {
  readonly config: Config;
  readonly kubeConfig: KubeConfig;
  readonly sender: Sender;
  /** Where the sender reports what became of each message (the relay it was built with). */
  readonly deliveries?: DeliveryRelay;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  readonly watchTuning?: WatchTuning;
  /**
   * Restart-safe state (THREAD_STORE_CONFIGMAP): where it is kept, and the thread store the sender
   * was given. Absent: incidents and threads live in memory only.
   */
  readonly state?: BotState;
}

export interface BotState {
  readonly store: StateStore;
  /** The same store the sender writes thread refs to. */
  readonly threads: MemoryThreadStore;
  /** At most one save per this long after a change (default 5000 ms). */
  readonly debounceMs?: number;
}

/**
 * podbell itself: pod and namespace watches feeding the pipeline, which feeds the sender. Built by
 * the composition root; start() checks Slack credentials before any watch starts.
 */
export class Bot {
  readonly pipeline: Pipeline;
  readonly #o: BotOptions;
  #watches: ScopedWatches | undefined;
  #stopping = false;
  readonly #persister: StatePersister | undefined;

  constructor(options: BotOptions) {
    this.#o = options;
    const c = options.config;
    const state = options.state;
    this.#persister =
      state &&
      new StatePersister({
        store: state.store,
        threads: state.threads,
        book: () => this.pipeline.book,
        clock: options.clock,
        log: options.log,
        registry: options.registry,
        ...(state.debounceMs !== undefined && { debounceMs: state.debounceMs }),
      });
    const persister = this.#persister;
    this.pipeline = new Pipeline({
      settings: incidentSettingsOf(c),
      defaultChannel: c.slackChannel,
      clock: options.clock,
      log: options.log,
      sender: options.sender,
      registry: options.registry,
      ...(persister && { onChange: (urgent: boolean) => persister.changed(urgent) }),
    });
    options.deliveries?.listen((d) => this.pipeline.outcome(d));
  }

  /** True once every watch has delivered its initial list (what /readyz reports). */
  ready(): boolean {
    return this.#watches?.synced ?? false;
  }

  /** Checks Slack credentials (rejects with SlackAuthError), then starts watching. */
  async start(): Promise<void> {
    await this.#o.sender.start();
    const { config, kubeConfig, clock, log, registry, watchTuning } = this.#o;
    // Before any watch: the initial lists must meet the restored incidents, not open new ones.
    const restored = await this.#persister?.load();
    if (restored) this.pipeline.restore(restored);
    const common = { kubeConfig, clock, log, registry, ...watchTuning };
    // One pool for every pod watch: cached pods share their repeated names (see ValuePool).
    const pool = new ValuePool();
    this.#watches = new ScopedWatches({
      namespaces: config.watchNamespaces,
      namespaceWatch: (name, onSynced) =>
        createWatch<NamespaceState>({
          ...common,
          resource: 'namespaces',
          // With WATCH_NAMESPACES, namespaced RBAC cannot list all namespaces: watch each by name.
          ...(name !== undefined && { fieldSelector: `metadata.name=${name}` }),
          project: projectNamespace,
          keyOf: (n) => n.name,
          onChange: (c) => this.pipeline.namespaceChanged(c),
          onSynced,
        }),
      podWatch: (namespace, onSynced) =>
        createWatch<PodState>({
          ...common,
          resource: 'pods',
          ...(namespace !== undefined && { namespace }),
          project: (raw) => projectPod(raw, { pool }),
          keyOf: (p) => p.uid,
          onChange: (c) => this.pipeline.podChanged(c),
          onSynced,
        }),
      onPodsSynced: () => this.pipeline.reconcile(),
    });
    if (this.#stopping) return;
    this.#watches.start();
    log.info({ namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all', cluster: config.clusterName }, 'watching');
  }

  /** Stops watching, sends pending parent edits, and gives the sender until the deadline to deliver. */
  async stop(deadlineMs = 5000): Promise<void> {
    this.#stopping = true;
    await this.#watches?.stop();
    this.pipeline.flush();
    this.pipeline.stop();
    await this.#o.sender.flush(deadlineMs);
    this.#o.sender.stop();
    // After the flush, so the refs of parents posted during shutdown are saved too.
    await this.#persister?.stop();
  }
}
