/**
 * The one HTTP request a watch has open at a time (a LIST page or a WATCH stream) and the silence
 * watchdog over it. It exists apart from the loop (./watch.ts) because aborting is subtle: the first
 * reason given (stop, watchdog, an expired stream) must be what the pending read rejects with, and a
 * request that fails outright must not leave the watchdog to fire during the backoff.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Cancel } from '../../clock.js';
import { readBody } from '../http-body.js';
import { excerpt, KubeApiError, statusMessage, WatchStalledError } from './errors.js';
import { parseWithoutManagedFields } from './managed-fields.js';
import { prepareKubeRequest } from './request.js';
import type { KubeWatchOptions, WatchSettings } from './watch-options.js';

type ConnectionOptions = Pick<KubeWatchOptions<unknown>, 'kubeConfig' | 'clock' | 'log' | 'resource' | 'namespace' | 'fieldSelector' | 'labelSelector'>;

export class WatchConnection {
  readonly #o: ConnectionOptions;
  readonly #settings: WatchSettings;
  /** True once the watch is stopped: no new request goes out. */
  readonly #stopped: () => boolean;
  #req: ClientRequest | undefined;
  #abortReason: Error | undefined;
  #lastActivity = 0;
  #watchdogCancel: Cancel | undefined;

  constructor(options: ConnectionOptions, settings: WatchSettings, stopped: () => boolean) {
    this.#o = options;
    this.#settings = settings;
    this.#stopped = stopped;
  }

  /** Why the current request was aborted by us (stop, watchdog, an expired stream), if it was. */
  get abortReason(): Error | undefined {
    return this.#abortReason;
  }

  /** The collection's path with these query parameters and the selectors. */
  #url(params: Record<string, string>): string {
    const p = new URLSearchParams(params);
    if (this.#o.fieldSelector) p.set('fieldSelector', this.#o.fieldSelector);
    if (this.#o.labelSelector) p.set('labelSelector', this.#o.labelSelector);
    return `${this.#settings.path}?${p.toString()}`;
  }

  /** One LIST page, parsed (managedFields dropped). */
  async list(params: Record<string, string>): Promise<unknown> {
    const res = await this.open(params);
    const text = await readBody(res, {
      onData: () => this.touch(),
      failure: (why, e) => this.#abortReason ?? (why === 'error' && e ? e : new Error(why === 'aborted' ? 'LIST response aborted' : 'LIST response closed before its end')),
    });
    this.disarm();
    try {
      return parseWithoutManagedFields(text);
    } catch {
      throw new KubeApiError(500, `LIST ${this.#settings.what}: response is not JSON: ${excerpt(text, 80)}`);
    }
  }

  /** Opens a GET with the kubeconfig's auth and the watchdog armed; rejects with KubeApiError on a non-2xx status. */
  async open(params: Record<string, string>): Promise<IncomingMessage> {
    const { url, options, request } = await prepareKubeRequest(this.#o.kubeConfig, 'GET', this.#url(params));
    if (this.#stopped()) throw new Error('watch stopped');
    this.#abortReason = undefined;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, options, resolve);
      this.#req = req;
      req.on('error', (e) => {
        // A request that fails outright must not leave the watchdog to fire during the backoff.
        this.disarm();
        reject(this.#abortReason ?? e);
      });
      this.#arm();
      req.end();
    });
    this.touch();
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    const body = await readBody(res, { maxChars: 4096 });
    this.disarm();
    const ra = Number(res.headers['retry-after']);
    throw new KubeApiError(status, `GET ${url.pathname}: HTTP ${status}: ${statusMessage(status, body)}`, Number.isFinite(ra) && ra >= 0 ? ra * 1000 : undefined);
  }

  /** The request showed a sign of life (bytes arrived): the watchdog starts counting again. */
  touch(): void {
    this.#lastActivity = this.#o.clock.now();
  }

  /** Starts the silence watchdog for the current request: cheap, it only compares timestamps. */
  #arm(): void {
    this.disarm();
    this.touch();
    const { clock, log, resource, namespace } = this.#o;
    const { watchdogMs, what } = this.#settings;
    const check = () => {
      const silent = clock.now() - this.#lastActivity;
      if (silent >= watchdogMs) {
        this.#watchdogCancel = undefined;
        log.warn({ resource, namespace, silentMs: silent }, `watch of ${what} silent too long; reconnecting`);
        this.abort(new WatchStalledError(silent));
      } else {
        this.#watchdogCancel = clock.setTimer(watchdogMs - silent, check);
      }
    };
    this.#watchdogCancel = clock.setTimer(watchdogMs, check);
  }

  /** The request is over (its body read, or the stream ended): no watchdog for it. */
  disarm(): void {
    this.#watchdogCancel?.();
    this.#watchdogCancel = undefined;
  }

  /** Tears down the current request; the first reason given is what its pending read rejects with. */
  abort(reason: Error): void {
    this.disarm();
    const req = this.#req;
    if (!req) return;
    this.#abortReason ??= reason;
    this.#req = undefined;
    req.destroy(reason);
  }
}
