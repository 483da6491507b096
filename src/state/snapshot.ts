/**
 * The persisted form of podbell's state: the incident book and where each thread landed in Slack, as
 * versioned JSON `{"version":1,"savedAt":"…","book":{…},"threads":{…}}`. Pure: no I/O, time passed in.
 */
import type { ThreadRef } from '../ports.js';
import type { IncidentBook, IncidentStatus } from '../core/incidents.js';
import { isObj, type Obj } from '../core/json.js';

export const SNAPSHOT_VERSION = 1;
/**
 * The most bytes of JSON written. A ConfigMap holds at most 1 MiB (data, keys and metadata together);
 * staying well under leaves room for metadata and for the API server's own overhead.
 */
export const MAX_SNAPSHOT_BYTES = 768 * 1024;

/** What a restart gets back: absent parts mean "start empty". */
export interface LoadedState {
  readonly book?: IncidentBook;
  /** When it was saved (as written), for the log line at start. */
  readonly savedAt?: string;
  readonly threads?: Readonly<Record<string, ThreadRef>>;
}

/** What gets saved: the live book (not modified here) and thread refs, oldest first. */
export interface StateSnapshot {
  readonly book: IncidentBook;
  readonly threads: Readonly<Record<string, ThreadRef>>;
}

/** What encodeSnapshot had to leave out to stay under the size bound. */
export interface Trimmed {
  threads: number;
  previous: number;
  resolved: number;
}

export type Encoded =
  | { readonly ok: true; readonly json: string; readonly bytes: number; readonly trimmed: Trimmed | undefined }
  | { readonly ok: false; readonly bytes: number; readonly why: string };

const bytesOf = (s: string): number => Buffer.byteLength(s, 'utf8');
/** Bytes one `"key":value,` member adds to a JSON object. */
const memberBytes = (key: string, value: unknown): number => bytesOf(JSON.stringify(key)) + bytesOf(JSON.stringify(value)) + 2;

/**
 * Serialises a snapshot; when it is larger than maxBytes, drops what matters least first (thread refs
 * no incident uses, then tombstones of expired incidents, then resolved incidents, oldest first) on a
 * copy, never on the live book. Refuses (ok:false) when even that is not enough: open incidents are
 * never dropped silently.
 */
export function encodeSnapshot(snapshot: StateSnapshot, now: number, maxBytes = MAX_SNAPSHOT_BYTES): Encoded {
  const wrap = (book: IncidentBook, threads: Readonly<Record<string, ThreadRef>>) =>
    JSON.stringify({ version: SNAPSHOT_VERSION, savedAt: new Date(now).toISOString(), book, threads });
  const full = wrap(snapshot.book, snapshot.threads);
  const fullBytes = bytesOf(full);
  if (fullBytes <= maxBytes) return { ok: true, json: full, bytes: fullBytes, trimmed: undefined };

  const book = JSON.parse(JSON.stringify(snapshot.book)) as IncidentBook;
  const threads: Record<string, ThreadRef> = { ...snapshot.threads };
  const trimmed: Trimmed = { threads: 0, previous: 0, resolved: 0 };
  let size = fullBytes;

  const used = new Set<string>();
  for (const inc of Object.values(book.incidents)) {
    used.add(inc.id);
    if (inc.linkTo !== undefined) used.add(inc.linkTo);
    if (inc.storm !== undefined) used.add(inc.storm);
  }
  for (const id of Object.keys(book.storms ?? {})) used.add(id);
  for (const p of Object.values(book.previous ?? {})) used.add(p.thread);
  const dropThread = (id: string) => {
    const ref = threads[id];
    if (ref === undefined) return;
    size -= memberBytes(id, ref);
    delete threads[id];
    trimmed.threads++;
  };

  // 1. Refs of threads nothing points at any more (insertion order = least recently used first).
  for (const id of Object.keys(threads)) {
    if (size <= maxBytes) break;
    if (!used.has(id)) dropThread(id);
  }
  // 2. Tombstones that only let a later incident link its predecessor, oldest first.
  const previous = book.previous ?? {};
  for (const [key, p] of Object.entries(previous).sort((a, b) => a[1].resolvedAt - b[1].resolvedAt)) {
    if (size <= maxBytes) break;
    size -= memberBytes(key, p);
    delete previous[key];
    trimmed.previous++;
    if (!Object.values(book.incidents).some((i) => i.id === p.thread || i.linkTo === p.thread)) dropThread(p.thread);
  }
  // 3. Resolved incidents (only a reopen within REOPEN_WINDOW would use them), oldest first.
  const resolved = Object.values(book.incidents)
    .filter((i) => i.status === 'resolved')
    .sort((a, b) => (a.closedAt ?? a.lastSeen) - (b.closedAt ?? b.lastSeen));
  for (const inc of resolved) {
    if (size <= maxBytes) break;
    size -= memberBytes(inc.key, inc);
    delete book.incidents[inc.key];
    trimmed.resolved++;
    dropThread(inc.id);
  }
  // The running estimate ignores commas; the real length decides.
  const json = wrap(book, threads);
  const bytes = bytesOf(json);
  if (bytes > maxBytes) return { ok: false, bytes, why: `state is ${bytes} bytes even after dropping resolved incidents (limit ${maxBytes})` };
  return { ok: true, json, bytes, trimmed };
}

export type Decoded = { readonly state: LoadedState; readonly problems: readonly string[] };

const STATUSES: ReadonlySet<IncidentStatus> = new Set(['pending', 'open', 'resolving', 'resolved']);

/**
 * Reads a snapshot. Never throws: what cannot be read is named in `problems` and left out, so the
 * bot starts empty (or with what was sound) instead of crashing on a hand-edited ConfigMap.
 */
export function decodeSnapshot(text: string): Decoded {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { state: {}, problems: [`state is not JSON (${(err as Error).message}); starting empty`] };
  }
  if (!isObj(v)) return { state: {}, problems: ['state is not a JSON object; starting empty'] };
  if (v.version !== SNAPSHOT_VERSION) return { state: {}, problems: [`state has version ${JSON.stringify(v.version)}, this podbell reads version ${SNAPSHOT_VERSION}; starting empty`] };
  const problems: string[] = [];
  const book = v.book;
  // Thread ids come from the book's sequence: refs without their book could be mistaken for new threads.
  if (!isObj(book) || !isObj(book.incidents) || typeof book.seq !== 'number' || !Number.isInteger(book.seq) || book.seq < 0) {
    return { state: {}, problems: ['state has no readable incident book; starting empty'] };
  }
  const incidents: Obj = {};
  for (const [key, inc] of Object.entries(book.incidents)) {
    if (incidentLooksSound(key, inc)) incidents[key] = inc;
    else problems.push(`incident ${JSON.stringify(key.split('\u0000').filter(Boolean).join('/'))} is malformed; dropped`);
  }
  const pods: Obj = {};
  if (isObj(book.pods)) {
    for (const [uid, keys] of Object.entries(book.pods)) {
      if (!Array.isArray(keys)) continue;
      const live = keys.filter((k): k is string => typeof k === 'string' && Object.prototype.hasOwnProperty.call(incidents, k));
      if (live.length) pods[uid] = live;
    }
  }
  const restored = {
    ...book,
    incidents,
    pods,
    channels: isObj(book.channels) ? book.channels : {},
    storms: isObj(book.storms) ? book.storms : {},
    previous: isObj(book.previous) ? book.previous : {},
  } as unknown as IncidentBook;
  delete restored.wakeAt;

  const threads: Record<string, ThreadRef> = {};
  let badRefs = 0;
  if (isObj(v.threads)) {
    for (const [id, ref] of Object.entries(v.threads)) {
      if (isObj(ref) && typeof ref.channel === 'string' && typeof ref.ts === 'string' && typeof ref.replyTo === 'string') threads[id] = { channel: ref.channel, ts: ref.ts, replyTo: ref.replyTo };
      else badRefs++;
    }
  } else if (v.threads !== undefined) badRefs++;
  if (badRefs) problems.push(`${badRefs} malformed thread ref(s) dropped`);
  return { state: { book: restored, threads, ...(typeof v.savedAt === 'string' && { savedAt: v.savedAt }) }, problems };
}

/** Enough shape for the incident state machine to work on it without throwing. */
function incidentLooksSound(key: string, inc: unknown): boolean {
  if (!isObj(inc)) return false;
  const num = (k: string) => typeof inc[k] === 'number' && Number.isFinite(inc[k]);
  return (
    inc.key === key &&
    typeof inc.id === 'string' &&
    typeof inc.channel === 'string' &&
    typeof inc.namespace === 'string' &&
    isObj(inc.workload) &&
    STATUSES.has(inc.status as IncidentStatus) &&
    ['firstSeen', 'lastSeen', 'failingSince', 'podsAffected', 'restarts', 'lastEditAt', 'reopened'].every(num) &&
    isObj(inc.counts) &&
    isObj(inc.pods) &&
    Object.values(inc.pods).every((p) => isObj(p) && isObj(p.counted) && isObj(p.restarts) && Array.isArray(p.replied)) &&
    Array.isArray(inc.queued) &&
    isObj(inc.window) &&
    typeof inc.posted === 'boolean'
  );
}
