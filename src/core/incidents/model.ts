/**
 * The incident book's data: plain, serialisable types, the limits that bound them, and the small
 * helpers every incident module shares (the pod index, the settings check). No decisions here.
 */
import type { ActionLedger, ActionSettings, IncidentActions } from '../action-types.js';
import type { Failure } from '../detect.js';
import type { Delivery, Outgoing } from '../outgoing.js';
import type { PodState } from '../pod.js';
import type { WorkloadRef } from '../workload.js';

/** The windows of docs/design.md#incidents, in milliseconds (defaults come from config: 10s 15s 4h 5m 1h 24h 10). */
export interface IncidentSettings {
  /** Shown in every message and part of the incident key. */
  readonly cluster?: string;
  /** PENDING lasts this long to gather siblings before the parent is posted. */
  readonly groupWaitMs: number;
  /** A parent is edited at most once per interval; more than REPLY_BURST replies in one fold into a digest. */
  readonly groupIntervalMs: number;
  /** Still failing this long after the parent (or the last reminder): one reminder reply. */
  readonly repeatIntervalMs: number;
  /** Quiet this long after every affected pod is healthy or gone: resolved. */
  readonly resolveAfterMs: number;
  /** A failure this soon after resolution reopens the same thread; the resolved incident expires after it. */
  readonly reopenWindowMs: number;
  /** A thread older than this is not reopened: a new parent links it instead. */
  readonly threadMaxAgeMs: number;
  /** More than this many new incidents in one channel within STORM_WINDOW_MS: one storm parent. */
  readonly stormThreshold: number;
  /** Slack actions (core/actions.ts): buttons on parents and who may use them. Absent: no buttons. */
  readonly actions?: ActionSettings;
}

/** Individual replies per GROUP_INTERVAL before the rest fold into one digest reply. */
export const REPLY_BURST = 3;
/** The "within a minute" of storm detection. */
export const STORM_WINDOW_MS = 60_000;
/**
 * Parents that go top level in one channel within STORM_WINDOW_MS before the channel holds the next
 * ones to see whether a storm follows (docs/design.md#incidents, storms).
 */
export const STORM_PREVIEW = 2;
/**
 * How long a held incident waits for the storm decision, in GROUP_WAITs: 2 (20 s by default), so a
 * workload is in Slack within 3 × GROUP_WAIT (30 s) of its first failure. GROUP_WAIT 0 holds nothing.
 */
export const STORM_HOLD_GROUP_WAITS = 2;
/**
 * Reasons that report something that already happened (a container was killed, a pod evicted), not a
 * state that may clear by itself: a PENDING incident holding one is posted even when its pods look
 * healthy again before GROUP_WAIT ends (an OOMKilled container is usually Running again within seconds).
 */
export const ONE_SHOT_REASONS: ReadonlySet<string> = new Set(['OOMKilled', 'Evicted', 'Error']);
/** Bounds that keep the book's size independent of how long an incident lasts. */
export const LIMITS = { podsPerIncident: 200, digestPods: 200, messageChars: 2000, stormMembers: 500, previousThreads: 1000, stormExplained: 10, stormNotes: 400 } as const;

export type IncidentStatus = 'pending' | 'open' | 'resolving' | 'resolved';

/** What an incident remembers of one affected pod. */
export interface PodEntry {
  name: string;
  failing: boolean;
  /** Deleted from the cluster: it can never fail again. */
  gone?: boolean;
  /**
   * `${container}\u0000${reason}` -> highest run counted (detect's `run ?? restartCount`). Runs only
   * grow for one pod uid, so this is the occurrence-key set (uid, container, reason, run) in bounded form.
   */
  counted: Record<string, number>;
  /** container -> highest restartCount seen: the pod's share of the restart total */
  restarts: Record<string, number>;
  /** reasons of this pod that already got a reply (or went into a digest) */
  replied: string[];
  /** a container of this pod waits in CrashLoopBackOff now (from the last pod update) */
  backOff?: boolean;
  /**
   * Running again since then after a crash: it still counts as failing until it has run for
   * RESOLVE_AFTER without a restart (a crash loop runs a few seconds between back-offs).
   */
  upSince?: number;
}

export interface Digest {
  items: number;
  since: number;
  pods: Record<string, true>;
  podCount: number;
  reasons: Record<string, number>;
}

/** One incident: plain, serialisable data. */
export interface Incident {
  /** podbell's thread id for this incident (Outgoing.thread); changes when a too-old thread is continued */
  id: string;
  readonly key: string;
  readonly channel: string;
  readonly namespace: string;
  readonly workload: WorkloadRef;
  status: IncidentStatus;
  firstSeen: number;
  lastSeen: number;
  /** start of the current failing spell: firstSeen, or the time of the last reopen */
  failingSince: number;
  /** when the parent was posted (thread age) */
  openedAt?: number;
  quietSince?: number;
  /** counted a ONE_SHOT_REASONS occurrence: post even if it recovers while pending */
  sticky?: boolean;
  /** when it recovered (= quietSince at resolution) */
  resolvedAt?: number;
  /** when it was declared resolved; REOPEN_WINDOW and expiry count from here */
  closedAt?: number;
  counts: Record<string, number>;
  pods: Record<string, PodEntry>;
  /** distinct pods ever affected (survives pruning of gone pods) */
  podsAffected: number;
  /** the workload's live pods now (the pipeline's watch cache): the M of "N of M pods failing" */
  podsLive?: number;
  restarts: number;
  latestMessage?: string;
  /** the latest cause line (core/explain.ts), shown under the counts */
  cause?: string;
  /** the cause lines it has shown (a few): one not among them is news for the edit policy */
  causes?: string[];
  /** Slack accepted the parent of thread `id` (set only by a 'delivered' outcome, never on sending) */
  posted: boolean;
  /** state changed since the parent was last compared with what Slack shows */
  dirty: boolean;
  /** when Slack last accepted the parent or an edit of it (GROUP_INTERVAL counts from here) */
  lastEditAt: number;
  /** an action just taken: the parent is edited by then, sooner than GROUP_INTERVAL allows */
  editBy?: number;
  /** hash of the parent as Slack last accepted it, to edit only when the rendering changed */
  parentHash?: string;
  /** readerSignature of the parent Slack last accepted (unknown: any change is worth an edit) */
  parentSig?: string;
  /** the last parent sent (post or edit): its hash and readerSignature, adopted when Slack accepts it */
  sent?: { hash: string; sig: string };
  /** the rendering the parent would show now, and since when: a change the reader need not see at once waits for GROUP_INTERVAL of quiet */
  pendingHash?: string;
  pendingSince?: number;
  remindAt?: number;
  reopened: number;
  /** thread id of the earlier incident of this workload, for the sender to link */
  linkTo?: string;
  previousResolvedAt?: number;
  /** this thread continues linkTo, which grew older than THREAD_MAX_AGE while still failing */
  continues?: boolean;
  /**
   * The storm this incident is a member of: it has no parent of its own. Its line in the storm parent
   * stands for it, and what it has to say goes into the storm thread (incidents/storm-thread.ts).
   */
  storm?: string;
  /** Held by its channel (a storm may be starting): the parent waits until then, or until the storm begins. */
  heldUntil?: number;
  /** Its namespace's channel changed while it was open: it keeps its thread, new incidents go there. */
  movedTo?: string;
  /** replies gathered while pending (at most REPLY_BURST), sent when the parent is posted */
  queued: Failure[];
  window: { start: number; sent: number };
  digest?: Digest;
  /** Mute/acknowledge done from Slack (core/actions.ts); shown on the parent. */
  actions?: IncidentActions;
}

export interface StormMember {
  key: string;
  namespace: string;
  workload: WorkloadRef;
  status: IncidentStatus;
  counts: Record<string, number>;
}

export interface Storm {
  readonly id: string;
  readonly channel: string;
  firstAt: number;
  lastJoinAt: number;
  members: StormMember[];
  /** members beyond LIMITS.stormMembers: counted, not listed */
  extra: number;
  dirty: boolean;
  /** when Slack last accepted the storm parent or an edit of it */
  lastEditAt: number;
  /** a member joined: the storm parent is edited by then, sooner than GROUP_INTERVAL allows */
  editBy?: number;
  /** hash of the storm parent as Slack last accepted it */
  hash: string;
  /** readerSignature of the storm parent Slack last accepted (unknown: any change is worth an edit) */
  sig?: string;
  /** the last storm parent sent (post or edit), adopted when Slack accepts it */
  sent?: { hash: string; sig: string };
  /** the rendering the storm parent would show now, and since when (a detail waits for quiet) */
  pendingHash?: string;
  pendingSince?: number;
  /** Slack accepted the storm parent: its edits may go out */
  posted?: boolean;
  /** cause labels that already got a reply of their own (with its evidence) in the storm thread */
  explained?: string[];
  /** one-line notes of members (recovered, failing again, …) waiting for the next notes reply */
  notes?: { lines: string[]; more: number };
  /** when the last notes reply went out: the next one waits GROUP_INTERVAL */
  notedAt?: number;
}

export interface ChannelState {
  /** [time, incident key] of parents posted or held within the last STORM_WINDOW_MS */
  opens: [number, string][];
  storm?: string;
  /** the channel holds new parents until then (a storm may be starting) */
  holdUntil?: number;
}

/**
 * All incidents, keyed by incident key, plus the indexes that keep the hot path O(1).
 *
 * OWNERSHIP: reduce() consumes the book it is given and mutates it in place (and returns it), so a
 * watch event costs no copy. Keep only the returned book; do not share one book between two callers.
 * The book is plain data: JSON.stringify/JSON.parse round-trips it (persist it as is).
 */
export interface IncidentBook {
  incidents: Record<string, Incident>;
  seq: number;
  /** pod uid -> keys of the live (not resolved) incidents the pod belongs to */
  pods: Record<string, string[]>;
  channels: Record<string, ChannelState>;
  storms: Record<string, Storm>;
  /** incident key -> the last expired thread of that workload, so a later incident can link it */
  previous: Record<string, { thread: string; resolvedAt: number }>;
  /** the wakeAt of the last step */
  wakeAt?: number;
  /** Slack actions' book-wide state (core/actions.ts); absent until the first action. */
  actions?: ActionLedger;
}

export type IncidentInput =
  /** `workloadPods`: how many pods the failure's workload has now (the watch cache), when known. */
  | { readonly type: 'failure'; readonly failure: Failure; readonly channel: string; readonly workloadPods?: number }
  /** The live pod count of a workload changed (a pod added or deleted): "N of M pods failing" follows it. */
  | { readonly type: 'workloadSize'; readonly namespace: string; readonly workload: WorkloadRef; readonly pods: number }
  | { readonly type: 'pod'; readonly pod: PodState; readonly failing: boolean }
  | { readonly type: 'podDeleted'; readonly uid: string }
  /** The cause line of a pod's failure now (a Warning Event arrived after the failure): its live incidents show it. */
  | { readonly type: 'cause'; readonly uid: string; readonly cause: string }
  | { readonly type: 'tick' }
  /** Shutdown: send every pending parent edit, digest and storm edit now, waiving GROUP_INTERVAL. */
  | { readonly type: 'flush' }
  /** The book was read back after a restart: parents it never saw accepted are posted (or found) again. */
  | { readonly type: 'restored' }
  /** What the sender made of a message (see Delivery). */
  | Delivery;

export interface Step {
  /** The same object as the book passed in, updated. */
  readonly book: IncidentBook;
  /** What to send, in order. Shared and frozen when empty: do not push to it. */
  readonly out: readonly Outgoing[];
  /** When reduce wants a 'tick' next; undefined when no timer is needed. */
  readonly wakeAt: number | undefined;
}

export function emptyBook(): IncidentBook {
  return { incidents: {}, seq: 0, pods: {}, channels: {}, storms: {}, previous: {} };
}

export function incidentKey(cluster: string | undefined, channel: string, namespace: string, workload: WorkloadRef): string {
  return [cluster ?? '', channel, namespace, workload.kind, workload.name].join('\u0000');
}

/** Fails at once, naming the option, when a setting cannot work. */
export function checkSettings(s: IncidentSettings): void {
  for (const name of ['groupWaitMs', 'groupIntervalMs', 'repeatIntervalMs', 'resolveAfterMs', 'reopenWindowMs', 'threadMaxAgeMs'] as const) {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`IncidentSettings.${name} must be a finite number >= 0, got ${String(v)}`);
  }
  if (s.repeatIntervalMs <= 0) throw new TypeError(`IncidentSettings.repeatIntervalMs must be > 0, got ${s.repeatIntervalMs}`);
  if (!Number.isInteger(s.stormThreshold) || s.stormThreshold < 1) throw new TypeError(`IncidentSettings.stormThreshold must be an integer >= 1, got ${String(s.stormThreshold)}`);
}

export const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A book made by an older version (only incidents and seq) gets its indexes. */
export function normalise(book: IncidentBook): void {
  book.pods ??= {};
  book.channels ??= {};
  book.storms ??= {};
  book.previous ??= {};
}

export function indexPod(book: IncidentBook, uid: string, key: string): void {
  const keys = has(book.pods, uid) ? book.pods[uid]! : (book.pods[uid] = []);
  if (!keys.includes(key)) keys.push(key);
}

export function unindexPod(book: IncidentBook, uid: string, key: string): void {
  if (!has(book.pods, uid)) return;
  const keys = book.pods[uid]!.filter((k) => k !== key);
  if (keys.length) book.pods[uid] = keys;
  else delete book.pods[uid];
}

export function unindexAll(book: IncidentBook, inc: Incident): void {
  for (const uid of Object.keys(inc.pods)) unindexPod(book, uid, inc.key);
}
