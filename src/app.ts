import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { ScopedWatches } from './adapters/kube/scope.js';
import { warnWhenAbsent } from './adapters/kube/namespace-presence.js';
import { createWatch, type KubeWatch } from './adapters/kube/watch.js';
import type { KubeWatchOptions } from './adapters/kube/watch-options.js';
import type { Change, DeliveryRelay, Sender } from './ports.js';
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
import type { ActionSource } from './adapters/slack/socket.js';
import { evidenceParts, type EvidenceParts } from './evidence/wiring.js';

/** The incident windows of a Config (docs/design.md#incidents), as the incident book takes them. */
export function incidentSettingsOf(c: Config): IncidentSettings {
  // Buttons (SLACK_APP_TOKEN) are the one setting of the book's that is not a window of config.incidents.
  return c.slackAppToken === undefined ? c.incidents : { ...c.incidents, actions: { buttons: true, allowedUsers: c.slackAllowedUsers, allowedGroups: c.slackAllowedGroups } };
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
  /** Slack actions over Socket Mode (SLACK_APP_TOKEN): started by the replica that acts, once the book is restored. */
  readonly actions?: ActionSource;
  /**
   * Leader election decides when this replica acts (docs/high-availability.md): until lead(), the
   * watches run and keep their caches, and nothing reaches the pipeline, Slack or the state.
   */
  readonly standby?: boolean;
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
  /** The watches' caches, for a standby taking over. */
  readonly #cached: { namespaces: KubeWatch<NamespaceState>[]; pods: KubeWatch<PodState>[] } = { namespaces: [], pods: [] };
  /** Feeding the pipeline: from the start, or (standby) from lead(). */
  #acting = false;
  #podsSynced = false;
  #stopping = false;
  readonly #persister: StatePersister | undefined;
  /** The sender the pipeline sends to (the evidence stage around options.sender) and its Event watch. */
  readonly #evidence: EvidenceParts;

  constructor(options: BotOptions) {
    this.#o = options;
    const c = options.config;
    this.#evidence = evidenceParts(options);
    const sender = this.#evidence.sender;
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
      sender,
      registry: options.registry,
      pendingAfterMs: c.pendingAfterMs,
      ...(this.#evidence.warnings && { warnings: this.#evidence.warnings }),
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
    await this.#evidence.sender.start();
    const { config, kubeConfig, clock, log, registry, watchTuning } = this.#o;
    // Before any watch: the initial lists must meet the restored incidents, not open new ones.
    if (!this.#o.standby) await this.#takeOver();
    const common = { kubeConfig, clock, log, registry, ...watchTuning };
    // One pool for every pod watch: cached pods share their repeated names (see ValuePool).
    const pool = new ValuePool();
    this.#watches = new ScopedWatches({
      namespaces: config.watchNamespaces,
      namespaceWatch: (name, onSynced) =>
        this.#keep(this.#cached.namespaces, createWatch<NamespaceState>({
          ...common,
          resource: 'namespaces',
          // With WATCH_NAMESPACES, namespaced RBAC cannot list all namespaces: watch each by name.
          ...(name !== undefined && { fieldSelector: `metadata.name=${name}` }),
          project: projectNamespace,
          keyOf: (n) => n.name,
          ...warnWhenAbsent<Change<NamespaceState>>(name, log, { onChange: (c) => this.#acting && this.pipeline.namespaceChanged(c), onSynced }),
        })),
      podWatch: (namespace, onSynced) =>
        this.#keep(this.#cached.pods, createWatch<PodState>({
          ...common,
          resource: 'pods',
          ...(namespace !== undefined && { namespace }),
          project: (raw) => projectPod(raw, { pool }),
          keyOf: (p) => p.uid,
          onChange: (c) => {
            if (this.#acting) this.pipeline.podChanged(c);
            // The standby keeps its Warning Events too, so evidence is at hand when it takes over.
            if (c.type === 'DELETED' && c.prev) this.#evidence.warnings?.deletePod(c.prev.namespace, c.prev.name);
          },
          onSynced,
        })),
      onPodsSynced: () => {
        this.#podsSynced = true;
        if (this.#acting) this.pipeline.reconcile();
      },
      ...(this.#evidence.eventWatch && {
        eventWatch: (namespace: string | undefined) => this.#evidence.eventWatch!(namespace, common, (w) => this.#acting && this.pipeline.warningArrived(w)),
      }),
    });
    if (this.#stopping) return;
    this.#watches.start();
    log.info({ namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all', cluster: config.clusterName }, 'watching');
  }

  /**
   * This replica became the leader: continue from the saved state the way a restart does, with the
   * watches' caches as the initial list (restore, feed, reconcile), then act on every change.
   */
  async lead(): Promise<void> {
    if (this.#acting || this.#stopping) return;
    await this.#takeOver();
  }

  /**
   * Loads the saved state into the pipeline, feeds it what the watches hold so far as their initial
   * list (nothing yet at start-up), and from then on every change. Nothing is awaited between feeding
   * the caches and acting on live changes, so no change can slip between the cached objects and the
   * live ones (a change during an earlier await is in the cache by the time it is fed).
   */
  async #takeOver(): Promise<void> {
    const restored = await this.#persister?.load();
    if (this.#stopping) return;
    if (restored) this.pipeline.restore(restored);
    // Only the leader answers buttons: it acts on the restored book. A refused app token is an error
    // here, like a bad bot token (at start-up before any watch, when there is no election).
    await this.#o.actions?.start(this.pipeline);
    if (this.#stopping) return;
    for (const w of this.#cached.namespaces) for (const next of w.cached()) this.pipeline.namespaceChanged({ type: 'ADDED', next });
    let fed = 0;
    for (const w of this.#cached.pods) {
      for (const next of w.cached()) {
        this.pipeline.podChanged({ type: 'ADDED', next });
        fed++;
      }
    }
    this.#acting = true;
    // From here on every change reaches the pipeline: what an operator (and a test) waits for.
    this.#o.log.info({ cachedPods: fed }, 'acting: changes are alerted on from now');
    if (this.#podsSynced) this.pipeline.reconcile();
  }

  #keep<W>(into: W[], watch: W): W {
    into.push(watch);
    return watch;
  }

  /** Stops watching, sends pending parent edits, and gives the sender until the deadline to deliver. */
  async stop(deadlineMs = 5000): Promise<void> {
    this.#stopping = true;
    await this.#o.actions?.stop();
    await this.#watches?.stop();
    this.pipeline.flush();
    this.pipeline.stop();
    await this.#evidence.sender.flush(deadlineMs);
    this.#evidence.sender.stop();
    // After the flush, so the refs of parents posted during shutdown are saved too. A standby that
    // never took over has nothing of its own: saving would overwrite the leader's state.
    if (this.#acting) await this.#persister?.stop();
  }
}
