import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { ScopedWatches } from '../adapters/kube/scope.js';
import { createWatch } from '../adapters/kube/watch.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { WARNING_EVENT_SELECTOR } from '../core/warnings.js';
import { recordedObject, type RecordEvent, type RecordKind, type RecordSource } from './record.js';
import { type Obj, obj } from '../core/json.js';

export interface KubeRecordSourceOptions {
  /** Auth and server address, as for `podbell run`. */
  readonly kubeConfig: KubeConfig;
  /** WATCH_NAMESPACES; empty: the whole cluster. */
  readonly namespaces: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Where the watches' metrics go; a private registry by default (record serves no /metrics). */
  readonly registry?: Registry;
  /** EVENTS=on: record pods' Warning Events too (what evidence reads), scoped like the pods. */
  readonly events?: boolean;
}

const metaOf = (o: unknown) => obj(obj(o)?.metadata);

/**
 * The cluster's pods and namespaces for `podbell record`, through the same list+watch loop as the bot
 * (src/adapters/kube/watch.ts: pagination, 410 relists with synthetic DELETED, backoff, watchdog),
 * but keeping whole objects (minus managedFields) instead of the slim projection, since a recording
 * must carry what replay will project. Scope as the bot's: WATCH_NAMESPACES limits pods to those
 * namespaces and namespace objects to those names.
 */
export class KubeRecordSource implements RecordSource {
  readonly #o: KubeRecordSourceOptions;
  #watches: ScopedWatches | undefined;
  #stopped = false;

  constructor(options: KubeRecordSourceOptions) {
    for (const k of ['kubeConfig', 'clock', 'log'] as const) if (!options?.[k]) throw new TypeError(`KubeRecordSource: option ${k} is required`);
    if (!Array.isArray(options.namespaces)) throw new TypeError('KubeRecordSource: option namespaces must be an array');
    this.#o = options;
  }

  start(onEvent: (event: RecordEvent) => void): void {
    if (this.#watches) throw new Error('KubeRecordSource: already started');
    const registry = this.#o.registry ?? new Registry();
    const watch = (kind: RecordKind, scope: { namespace?: string; fieldSelector?: string }, onSynced?: () => void) =>
      createWatch<Obj>({
        kubeConfig: this.#o.kubeConfig,
        resource: kind === 'Pod' ? 'pods' : kind === 'Event' ? 'events' : 'namespaces',
        ...scope,
        project: (raw) => (typeof metaOf(raw)?.name === 'string' ? (recordedObject(raw, kind) as Obj) : undefined),
        // Pods by uid (a pod recreated under the same name is another pod); namespaces by name.
        keyOf: (o) => {
          const meta = metaOf(o);
          const uid = meta?.uid;
          return kind === 'Pod' && typeof uid === 'string' ? uid : `${String(meta?.namespace ?? '')}/${String(meta?.name)}`;
        },
        onChange: (c) => {
          const object = c.next ?? c.prev;
          if (object) onEvent({ type: c.type, kind, object });
        },
        ...(onSynced && { onSynced }),
        clock: this.#o.clock,
        log: this.#o.log,
        registry,
      });
    // As the bot does: pods only once every namespace is listed, so a recording starts with the
    // namespaces' mutes and a replay of it does not alert for pods of muted namespaces.
    this.#watches = new ScopedWatches({
      namespaces: this.#o.namespaces,
      namespaceWatch: (name, onSynced) => watch('Namespace', name === undefined ? {} : { fieldSelector: `metadata.name=${name}` }, onSynced),
      podWatch: (namespace, onSynced) => watch('Pod', namespace === undefined ? {} : { namespace }, onSynced),
      ...(this.#o.events && { eventWatch: (namespace: string | undefined) => watch('Event', { ...(namespace !== undefined && { namespace }), fieldSelector: WARNING_EVENT_SELECTOR }) }),
    });
    if (!this.#stopped) this.#watches.start();
  }

  get synced(): boolean {
    return this.#watches?.synced ?? false;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#watches?.stop();
  }
}
