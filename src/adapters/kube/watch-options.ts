/**
 * What a KubeWatch is asked to do, and the check of it: every option is validated once, at
 * construction (a TypeError naming the option), and the defaults are filled in here, so the
 * list+watch loop (./watch.ts) only ever sees settled numbers.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { positiveOption } from '../../options.js';
import type { Change } from '../../ports.js';

export type WatchedResource = 'pods' | 'namespaces' | 'events';

export interface BackoffOptions {
  /** First delay after an error (default 500 ms). */
  readonly initialMs?: number;
  /** Cap of the doubling delay (default 30 s). */
  readonly maxMs?: number;
}

export interface KubeWatchOptions<T> {
  /** Used only for auth and the server address (token, client certs, exec plugins, in-cluster). */
  readonly kubeConfig: KubeConfig;
  readonly resource: WatchedResource;
  /** Only this namespace (pods: /api/v1/namespaces/NS/pods); all namespaces when absent. */
  readonly namespace?: string;
  /** Sent as-is on LIST and WATCH, e.g. `metadata.name=shop` to watch one namespace object. */
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  /** Raw API object -> what we keep; undefined means "cannot be tracked" (logged, skipped). */
  project(raw: unknown): T | undefined;
  /** Identity of a projected object in the cache: uid for pods, name for namespaces. */
  keyOf(t: T): string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Metrics are registered here (shared between watches: existing metrics are reused). */
  readonly registry: Registry;
  /** Called synchronously, in order, for every change; an exception is logged, never fatal. */
  onChange(c: Change<T>): void;
  /** Called once, after the first complete LIST has been delivered through onChange. */
  onSynced?(): void;
  /** Source of jitter, in [0, 1) (default Math.random); seed it in tests. */
  readonly random?: () => number;
  /** A stream or request silent for longer than this is aborted and reopened (default 120 s). Bookmarks count. */
  readonly watchdogMs?: number;
  /** WATCH timeoutSeconds is drawn from [min, max] on each connect, so many watchers do not reconnect together (default 240–360). */
  readonly timeoutSeconds?: { readonly min: number; readonly max: number };
  readonly backoff?: BackoffOptions;
  /** LIST page size (default 500). */
  readonly pageSize?: number;
}

/** The options' numbers with every default filled in, and the names the loop uses for the resource. */
export interface WatchSettings {
  readonly random: () => number;
  readonly watchdogMs: number;
  readonly timeout: { readonly min: number; readonly max: number };
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly pageSize: number;
  /** The collection's API path: /api/v1/RESOURCE or /api/v1/namespaces/NS/RESOURCE. */
  readonly path: string;
  /** The watched collection in words, for log lines and error messages. */
  readonly what: string;
}

/** Checks every option (a TypeError naming the first bad one) and fills in the defaults. */
export function watchSettings<T>(options: KubeWatchOptions<T>): WatchSettings {
  const o = options;
  if (!o || typeof o !== 'object') throw new TypeError('KubeWatch: options are required');
  if (!o.kubeConfig || typeof o.kubeConfig.getCurrentCluster !== 'function') throw new TypeError('KubeWatch: options.kubeConfig must be a KubeConfig');
  if (!o.kubeConfig.getCurrentCluster()) throw new TypeError('KubeWatch: options.kubeConfig has no current cluster (check the current-context)');
  if (o.resource !== 'pods' && o.resource !== 'namespaces' && o.resource !== 'events') throw new TypeError(`KubeWatch: options.resource must be 'pods', 'namespaces' or 'events', got ${String(o.resource)}`);
  if (o.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.namespace)) throw new TypeError(`KubeWatch: options.namespace is not a namespace name: ${JSON.stringify(o.namespace)}`);
  if (o.namespace !== undefined && o.resource === 'namespaces') throw new TypeError("KubeWatch: options.namespace applies to 'pods' and 'events' only (use fieldSelector metadata.name=NS for one namespace)");
  for (const f of ['project', 'keyOf', 'onChange'] as const) if (typeof o[f] !== 'function') throw new TypeError(`KubeWatch: options.${f} must be a function`);
  if (o.onSynced !== undefined && typeof o.onSynced !== 'function') throw new TypeError('KubeWatch: options.onSynced must be a function');
  if (!o.clock || typeof o.clock.setTimer !== 'function') throw new TypeError('KubeWatch: options.clock must be a Clock');
  if (!o.log || typeof o.log.warn !== 'function') throw new TypeError('KubeWatch: options.log must be a Logger');
  if (!o.registry || typeof o.registry.getSingleMetric !== 'function') throw new TypeError('KubeWatch: options.registry must be a prom-client Registry');
  const positive = (name: string, v: number | undefined, def: number): number => positiveOption(`KubeWatch: options.${name}`, v, def);
  const watchdogMs = positive('watchdogMs', o.watchdogMs, 120_000);
  const min = positive('timeoutSeconds.min', o.timeoutSeconds?.min, 240);
  const max = positive('timeoutSeconds.max', o.timeoutSeconds?.max, 360);
  if (max < min) throw new TypeError(`KubeWatch: options.timeoutSeconds.max (${max}) is below min (${min})`);
  const initialMs = positive('backoff.initialMs', o.backoff?.initialMs, 500);
  const maxMs = positive('backoff.maxMs', o.backoff?.maxMs, 30_000);
  return {
    random: o.random ?? Math.random,
    watchdogMs,
    timeout: { min, max },
    backoff: { initialMs, maxMs },
    pageSize: Math.floor(positive('pageSize', o.pageSize, 500)),
    path: o.namespace ? `/api/v1/namespaces/${o.namespace}/${o.resource}` : `/api/v1/${o.resource}`,
    what: `${o.resource}${o.namespace ? ` in namespace ${o.namespace}` : ''}${o.fieldSelector ? ` (${o.fieldSelector})` : ''}`,
  };
}
