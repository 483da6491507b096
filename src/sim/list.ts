import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { type Obj } from '../core/json.js';
import { SimApiError } from './errors.js';
import { sendJson } from './respond.js';
import type { Route } from './routes.js';
import { fieldSelector, labelSelector } from './selectors.js';
import type { SimStats } from './stats.js';
import { SIM_API_VERSIONS, SIM_KINDS, type SimCluster } from './store.js';
import { toTable, type IncludeObject } from './table.js';

/** Continue tokens the server keeps at the most; the oldest expire first, as on a real server. */
const MAX_SNAPSHOTS = 64;

/**
 * LIST with consistent pagination: the first page snapshots the whole result and its
 * resourceVersion; continue tokens (`id:offset`) point into that snapshot, and one the server no
 * longer has is 410 Expired, so clients exercise their relist path.
 */
export class SimLists {
  readonly #snapshots = new Map<string, { items: Obj[]; rv: string }>();
  readonly #cluster: SimCluster;
  readonly #clock: Clock;
  readonly #stats: SimStats;

  constructor(cluster: SimCluster, clock: Clock, stats: SimStats) {
    this.#cluster = cluster;
    this.#clock = clock;
    this.#stats = stats;
  }

  serve(res: ServerResponse, url: URL, route: Route, table: boolean, include: IncludeObject): void {
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const token = url.searchParams.get('continue');
    const { items, rv, offset } = token ? this.#resume(token) : this.#first(url, route);
    let page = items.slice(offset);
    let next: string | undefined;
    if (limit > 0 && page.length > limit) {
      page = page.slice(0, limit);
      next = `${token?.split(':')[0] || this.#snapshot(items, rv)}:${offset + limit}`;
    } else if (token) this.#snapshots.delete(token.split(':')[0]!);
    if (table) return sendJson(res, 200, toTable(route.resource, page, this.#clock.now(), { include, resourceVersion: rv, ...(next && { continue: next }) }));
    sendJson(res, 200, {
      kind: `${SIM_KINDS[route.resource]}List`,
      apiVersion: SIM_API_VERSIONS[route.resource],
      metadata: { resourceVersion: rv, ...(next && { continue: next, remainingItemCount: items.length - offset - page.length }) },
      items: page,
    });
  }

  #first(url: URL, route: Route): { items: Obj[]; rv: string; offset: number } {
    const lsel = labelSelector(url.searchParams.get('labelSelector'));
    const fsel = fieldSelector(url.searchParams.get('fieldSelector'));
    const items = this.#cluster.list(route.resource, route.namespace).filter((o) => lsel(o) && fsel(o));
    return { items, rv: this.#cluster.resourceVersion, offset: 0 };
  }

  #resume(token: string): { items: Obj[]; rv: string; offset: number } {
    const [id, off] = token.split(':');
    const snap = this.#snapshots.get(id ?? '');
    if (!snap) {
      this.#stats.gone++;
      throw new SimApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    return { items: snap.items, rv: snap.rv, offset: Number(off) };
  }

  /** Keeps the whole result for the pages to come; returns its id. */
  #snapshot(items: Obj[], rv: string): string {
    const id = randomUUID();
    this.#snapshots.set(id, { items, rv });
    if (this.#snapshots.size > MAX_SNAPSHOTS) this.#snapshots.delete(this.#snapshots.keys().next().value!);
    return id;
  }
}
