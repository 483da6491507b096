/**
 * The incidents of one workload (namespace, kind, name), found without reading every incident: a pod
 * added or deleted (workloadSize) and a failure whose channel changed (followChannel) ask for them on
 * watch events, and after a restart the book may hold hundreds of incidents.
 *
 * A cache, not state: book.incidents is the single owner. The index lives on the book under a symbol
 * (non-enumerable, so JSON never sees it and a book read back from JSON has none); it is built from
 * book.incidents on first use and then told of each incident added (newIncident) and removed
 * (expired, or dropped unposted). A key whose incident is gone is skipped and forgotten on read.
 */
import { has, type Incident, type IncidentBook } from './model.js';

const INDEX = Symbol('podbell.workloadIndex');
/** namespace/kind/name -> incident keys (one per channel and cluster the workload has an incident in) */
type WorkloadIndex = Map<string, string[]>;
type IndexedBook = IncidentBook & { [INDEX]?: WorkloadIndex };

const keyOf = (namespace: string, w: { readonly kind: string; readonly name: string }): string => `${namespace}\u0000${w.kind}\u0000${w.name}`;

function add(index: WorkloadIndex, inc: Incident): void {
  const k = keyOf(inc.namespace, inc.workload);
  const keys = index.get(k);
  if (!keys) index.set(k, [inc.key]);
  else if (!keys.includes(inc.key)) keys.push(inc.key);
}

function indexOf(book: IncidentBook): WorkloadIndex {
  const b = book as IndexedBook;
  let index = b[INDEX];
  if (index === undefined) {
    index = new Map();
    for (const key in book.incidents) add(index, book.incidents[key]!);
    Object.defineProperty(b, INDEX, { value: index, writable: true, configurable: true, enumerable: false });
  }
  return index;
}

/** A new incident joined book.incidents. (Not built yet: the first read builds it with this one.) */
export function indexWorkload(book: IncidentBook, inc: Incident): void {
  const index = (book as IndexedBook)[INDEX];
  if (index) add(index, inc);
}

/** The incident left book.incidents. */
export function unindexWorkload(book: IncidentBook, inc: Incident): void {
  const index = (book as IndexedBook)[INDEX];
  const k = keyOf(inc.namespace, inc.workload);
  const keys = index?.get(k)?.filter((key) => key !== inc.key);
  if (!keys) return;
  if (keys.length) index!.set(k, keys);
  else index!.delete(k);
}

/** The workload's incidents that are not resolved, oldest first. */
export function liveIncidentsOf(book: IncidentBook, namespace: string, workload: { readonly kind: string; readonly name: string }): Incident[] {
  const index = indexOf(book);
  const k = keyOf(namespace, workload);
  const keys = index.get(k);
  if (!keys) return [];
  const live: Incident[] = [];
  let stale = false;
  for (const key of keys) {
    const inc = has(book.incidents, key) ? book.incidents[key] : undefined;
    if (!inc) stale = true;
    else if (inc.status !== 'resolved') live.push(inc);
  }
  if (stale) {
    const kept = keys.filter((key) => has(book.incidents, key));
    if (kept.length) index.set(k, kept);
    else index.delete(k);
  }
  return live;
}
