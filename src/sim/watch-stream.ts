import type { ServerResponse } from 'node:http';
import type { Cancel } from '../clock.js';
import { type Obj, objOrEmpty as obj } from '../core/json.js';
import type { SimContext } from './context.js';
import { badRequest } from './errors.js';
import type { Route } from './routes.js';
import { fieldSelector, labelSelector, type Matcher } from './selectors.js';
import { SIM_API_VERSIONS, SIM_KINDS, type SimEvent } from './store.js';
import { toTable, type IncludeObject } from './table.js';

/**
 * WATCH over a chunked HTTP response, one JSON event a line, as the real API server streams it:
 * resume from a resourceVersion (410 once the history is compacted), selectors (an object entering
 * or leaving the selection is ADDED or DELETED), bookmarks, timeoutSeconds, and the stream faults
 * (drop, stall, expire) rolled once per line written.
 */
export function serveWatch(ctx: SimContext, res: ServerResponse, url: URL, route: Route, table: boolean, include: IncludeObject): void {
  ctx.stats.watches++;
  const matches = watchMatcher(url, route);
  const rv = url.searchParams.get('resourceVersion') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  const bookmarks = url.searchParams.get('allowWatchBookmarks') === 'true';
  const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '') || 1800;

  res.writeHead(200, { 'Content-Type': table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  new WatchStream(ctx, res, route, matches, table ? include : undefined).start(rv, timeoutSeconds, bookmarks);
}

/** The route's namespace and name, and the label and field selectors. */
function watchMatcher(url: URL, route: Route): Matcher {
  const lsel = labelSelector(url.searchParams.get('labelSelector'));
  const fsel = fieldSelector(url.searchParams.get('fieldSelector'));
  return (o) => {
    if (route.namespace && route.resource !== 'namespaces' && obj(o.metadata).namespace !== route.namespace) return false;
    if (route.name && obj(o.metadata).name !== route.name) return false;
    return lsel(o) && fsel(o);
  };
}

/** One open watch response. */
class WatchStream {
  #stalled = false;
  #ended = false;
  #first = true;
  readonly #timers: Cancel[] = [];
  #unsubscribe: () => void = () => undefined;
  readonly #closer = () => this.#end('end');

  /** `table`: the IncludeObject of a Table watch (kubectl get -w), undefined for plain objects. */
  constructor(
    private readonly ctx: SimContext,
    private readonly res: ServerResponse,
    private readonly route: Route,
    private readonly matches: Matcher,
    private readonly table: IncludeObject | undefined,
  ) {}

  /** Sends what the client missed since `rv` (or the current state), then live changes until the timeout. */
  start(rv: string, timeoutSeconds: number, bookmarks: boolean): void {
    const { cluster, clock } = this.ctx;
    this.ctx.streams.add(this.#closer);
    // The response closes when the client goes away (or we end it): stop publishing to it.
    this.res.on('close', () => this.#end('end'));
    if (!this.#catchUp(rv)) return;
    this.#unsubscribe = cluster.subscribe((e) => this.#send(e));
    this.#timers.push(clock.setTimer(timeoutSeconds * 1000, () => this.#end('end')));
    if (bookmarks) this.#timers.push(clock.setTimer(this.ctx.bookmarkMs, this.#bookmark));
  }

  /** False once the stream ended on the way. */
  #catchUp(rv: string): boolean {
    const { cluster, stats } = this.ctx;
    if (rv === '' || rv === '0') {
      // "Start at most recent": the current state as ADDED events, then live changes.
      for (const o of cluster.list(this.route.resource, this.route.namespace)) if (this.matches(o) && !this.#write({ type: 'ADDED', object: this.#render(o) })) return false;
      return true;
    }
    const past = cluster.since(Number(rv));
    if (past === 'expired') {
      stats.gone++;
      this.res.write(`${JSON.stringify(expiredEvent(cluster.resourceVersion, rv))}\n`);
      this.#end('end');
      return false;
    }
    for (const e of past) {
      this.#send(e);
      if (this.#ended) return false;
    }
    return true;
  }

  #end(how: 'end' | 'destroy'): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#unsubscribe();
    for (const c of this.#timers) c();
    this.ctx.streams.delete(this.#closer);
    if (how === 'destroy') this.res.destroy();
    else this.res.end();
  }

  #render(o: Obj): Obj {
    if (this.table === undefined) return o;
    const t = toTable(this.route.resource, [o], this.ctx.clock.now(), { include: this.table, columns: this.#first });
    this.#first = false;
    return t;
  }

  /** Writes one line unless a fault strikes first; returns false once the stream is over. */
  #write(line: Obj): boolean {
    const { dice, stats } = this.ctx;
    if (this.#ended) return false;
    if (this.#stalled) return true;
    if (dice.roll('dropRate')) {
      stats.drops++;
      this.#end('destroy');
      return false;
    }
    if (dice.roll('stallRate')) {
      stats.stalls++;
      this.#stalled = true;
      for (const c of this.#timers) c();
      return true;
    }
    if (dice.roll('expireRate')) {
      stats.expiries++;
      this.res.write(`${JSON.stringify(expiredEvent(this.ctx.cluster.resourceVersion))}\n`);
      this.#end('end');
      return false;
    }
    this.res.write(`${JSON.stringify(line)}\n`);
    return true;
  }

  /** A change in the store, as this watch's selection sees it. */
  #send(e: SimEvent): void {
    if (e.resource !== this.route.resource) return;
    const now = this.matches(e.object);
    const before = e.prev !== undefined && this.matches(e.prev);
    let type: string = e.type;
    if (e.type === 'MODIFIED') {
      if (now && !before) type = 'ADDED';
      else if (!now && before) type = 'DELETED';
      else if (!now) return;
    } else if (!now) return;
    this.#write({ type, object: this.#render(e.object) });
  }

  readonly #bookmark = (): void => {
    if (this.#ended || this.#stalled) return;
    const { resource } = this.route;
    this.#write({ type: 'BOOKMARK', object: { kind: SIM_KINDS[resource], apiVersion: SIM_API_VERSIONS[resource], metadata: { resourceVersion: this.ctx.cluster.resourceVersion } } });
    if (!this.#ended && !this.#stalled) this.#timers.push(this.ctx.clock.setTimer(this.ctx.bookmarkMs, this.#bookmark));
  };
}

/** The ERROR event a real server ends a watch with when `rv` (or the watch's position) is compacted away. */
const expiredEvent = (current: string, rv?: string) => ({
  type: 'ERROR',
  object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: rv ? `too old resource version: ${rv} (${current})` : 'The resourceVersion for the provided watch is too old.', reason: 'Expired', code: 410 },
});
