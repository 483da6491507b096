import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A network partition between the simulated API server and some of its clients, told apart by the
 * bearer token each one's kubeconfig carries: their requests are read but never answered (what a
 * client sees when packets stop arriving), until healed, when the held connections are cut.
 */
export class SimPartitions {
  readonly #isolated = new Set<string>();
  readonly #held = new Map<ServerResponse, string>();

  /** From now on, requests carrying this token hang. */
  isolate(token: string): void {
    this.#isolated.add(token);
  }

  /** Requests with this token are answered again; the ones held so far are cut (the client retries). */
  heal(token: string): void {
    this.#isolated.delete(token);
    for (const [res, t] of [...this.#held]) {
      if (t !== token) continue;
      this.#held.delete(res);
      res.destroy();
    }
  }

  /** True when the request comes from an isolated client: it is held, and must not be answered. */
  holds(req: IncomingMessage, res: ServerResponse): boolean {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    if (token === undefined || !this.#isolated.has(token)) return false;
    this.#held.set(res, token);
    res.on('close', () => this.#held.delete(res));
    // Drain the body so the client's write completes, as it would before a silent network drop.
    req.resume();
    return true;
  }
}
