import type { ChildProcess } from 'node:child_process';

type Message = Record<string, unknown>;

/** `p`, or a rejection naming `what` once `ms` have passed. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`bench: timed out after ${ms} ms waiting for ${what}`)), ms)))]).finally(() => clearTimeout(t));
}

/**
 * Request and reply over a forked process's IPC channel: each request carries a fresh `id` and its
 * reply the same one. A message of one of the `events` types is not a reply even when it carries
 * an id: it is awaited with next(`type:id`) (or next(`type`) without one), like any message nobody
 * asked for.
 */
export class IpcPeer {
  readonly #proc: ChildProcess;
  readonly #name: string;
  readonly #events: ReadonlySet<string>;
  readonly #replies = new Map<number, (m: Message) => void>();
  readonly #awaited = new Map<string, (m: Message) => void>();
  #seq = 0;

  constructor(proc: ChildProcess, name: string, events: readonly string[] = []) {
    this.#proc = proc;
    this.#name = name;
    this.#events = new Set(events);
    proc.on('message', (raw) => {
      const m = raw as Message;
      const type = String(m.type);
      const id = typeof m.id === 'number' ? m.id : undefined;
      const reply = id === undefined || this.#events.has(type) ? undefined : this.#replies.get(id);
      if (reply) {
        this.#replies.delete(id!);
        return reply(m);
      }
      const key = this.#events.has(type) && id !== undefined ? `${type}:${id}` : type;
      const h = this.#awaited.get(key);
      if (h) {
        this.#awaited.delete(key);
        h(m);
      }
    });
  }

  /** The next unsolicited message under `key` (a type, or `type:id` for the events). */
  next(key: string, timeoutMs = 120_000): Promise<Message> {
    return withTimeout(new Promise((r) => this.#awaited.set(key, r)), timeoutMs, `${this.#name} message ${key}`);
  }

  /** The id the next request will carry (to await an event tied to it before sending). */
  nextId(): number {
    return this.#seq + 1;
  }

  request<T = Message>(msg: { readonly type: string } & Message, timeoutMs = 120_000): Promise<T & { id: number }> {
    const id = ++this.#seq;
    const p = new Promise<Message>((r) => this.#replies.set(id, r));
    this.#proc.send({ ...msg, id });
    return withTimeout(p, timeoutMs, `${this.#name} reply to ${msg.type}`) as Promise<T & { id: number }>;
  }
}
