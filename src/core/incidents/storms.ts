/**
 * Storms (docs/design.md#storms): more than STORM_THRESHOLD new incidents in one channel within
 * STORM_WINDOW_MS get one storm parent, and the rest become its members: no parent of their own, a
 * line each on the storm parent, and what they say goes into its thread (./storm-thread.ts). A
 * channel group wait keeps the wall away: after STORM_PREVIEW top-level parents in a minute, the next
 * ones are held briefly until it is clear whether a storm follows.
 */
import type { Outgoing } from '../outgoing.js';
import { decideEdit, hashMessage, stormSignature } from '../parent-edit.js';
import { renderStorm, STORM_LINES, stormMemberLine, type StormMemberView } from '../render-storm.js';
import { flushNotes, note } from './storm-thread.js';
import { has, LIMITS, STORM_WINDOW_MS, type Incident, type IncidentBook, type ChannelState, type IncidentSettings, type Storm, type StormMember, STORM_HOLD_GROUP_WAITS, STORM_PREVIEW } from './model.js';

function memberOf(inc: Incident): StormMember {
  return { key: inc.key, namespace: inc.namespace, workload: inc.workload, status: inc.status, counts: { ...inc.counts } };
}

/** The least time a join leaves before the storm parent's next edit (with GROUP_WAIT 0, every join would edit it). */
const JOIN_EDIT_MIN_MS = 5_000;

/** Where a parent goes: top level, held by its channel for a moment, or into a storm thread. */
export type Placement =
  | { readonly kind: 'top' }
  | { readonly kind: 'held'; readonly until: number }
  /** `released`: incidents the channel held that now go into the storm thread too. */
  | { readonly kind: 'storm'; readonly storm: string; readonly released: readonly string[] };

/**
 * Decides where a new parent goes. The first STORM_PREVIEW parents of a burst (opening within GROUP_WAIT
 * of each other) go top level; the next
 * are held (STORM_HOLD_GROUP_WAITS × GROUP_WAIT at most) while the channel sees whether more than STORM_THRESHOLD open within
 * a minute. If so the storm parent goes out at once, listing the whole burst, and the held incidents
 * go into its thread; if not, the held parents go top level when the hold ends.
 */
export function stormFor(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): Placement {
  const ch = has(book.channels, inc.channel) ? book.channels[inc.channel]! : (book.channels[inc.channel] = { opens: [] });
  ch.opens = ch.opens.filter(([at]) => at > now - STORM_WINDOW_MS);
  let storm = ch.storm !== undefined ? book.storms[ch.storm] : undefined;
  if (storm && now >= storm.lastJoinAt + STORM_WINDOW_MS) {
    storm = undefined;
    delete ch.storm;
  }
  if (storm) {
    joinStorm(storm, inc, now, s);
    storm.dirty = true;
    return { kind: 'storm', storm: storm.id, released: [] };
  }
  const counted = ch.opens.some(([, key]) => key === inc.key);
  // Its hold is over and no storm came: it goes top level (already counted among the opens), unless
  // the burst is a storm arriving slowly.
  if (inc.heldUntil !== undefined && now >= inc.heldUntil && counted) {
    delete inc.heldUntil;
    return slowStorm(ch, inc, now, s) ? beginStorm(book, ch, inc, now, s, out) : { kind: 'top' };
  }
  if (ch.opens.length < s.stormThreshold) {
    if (!counted) ch.opens.push([now, inc.key]);
    // A burst: STORM_PREVIEW others opened within GROUP_WAIT, or, past the STORM_PREVIEW first ones,
    // the channel's rate would pass STORM_THRESHOLD within the minute (a storm trickling in).
    // Incidents further apart are not held.
    const holdMs = STORM_HOLD_GROUP_WAITS * s.groupWaitMs;
    const recent = ch.opens.filter(([at, key]) => at > now - s.groupWaitMs && key !== inc.key).length;
    const burst = recent >= STORM_PREVIEW || (ch.opens.length > STORM_PREVIEW && perMinute(ch, now) > s.stormThreshold);
    if (!burst || s.stormThreshold <= STORM_PREVIEW || holdMs === 0) return { kind: 'top' };
    if (ch.holdUntil === undefined || now >= ch.holdUntil) ch.holdUntil = now + holdMs;
    inc.heldUntil = ch.holdUntil;
    return { kind: 'held', until: ch.holdUntil };
  }
  return beginStorm(book, ch, inc, now, s, out);
}

/**
 * A hold ends before the count passed STORM_THRESHOLD, but workloads are still arriving (another
 * opened within GROUP_WAIT) at a rate that passes it within the minute: a storm trickling in, called
 * now rather than after it has put STORM_THRESHOLD parents top level. The rate is taken over at least
 * half the window, and a burst that stopped is never extrapolated, so a few incidents at once stay
 * incidents.
 */
function slowStorm(ch: ChannelState, inc: Incident, now: number, s: IncidentSettings): boolean {
  if (!ch.opens.some(([at, key]) => key !== inc.key && at > now - s.groupWaitMs)) return false;
  return perMinute(ch, now) > s.stormThreshold;
}

/** The channel's incidents per STORM_WINDOW_MS so far, over at least half the window (few early ones are no rate). */
function perMinute(ch: ChannelState, now: number): number {
  const first = ch.opens[0]?.[0];
  if (first === undefined) return 0;
  return (ch.opens.length * STORM_WINDOW_MS) / Math.max(now - first, STORM_WINDOW_MS / 2);
}

/** More than STORM_THRESHOLD within a minute: the storm parent lists the whole burst, held ones included. */
function beginStorm(book: IncidentBook, ch: ChannelState, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): Placement {
  const storm: Storm = {
    id: `s${++book.seq}`,
    channel: inc.channel,
    firstAt: ch.opens[0]?.[0] ?? now,
    lastJoinAt: now,
    members: [],
    extra: 0,
    dirty: false,
    lastEditAt: now,
    hash: '',
    posted: false,
  };
  const released: string[] = [];
  for (const [, key] of ch.opens) {
    const earlier = book.incidents[key];
    if (!earlier || key === inc.key) continue;
    storm.members.push(memberOf(earlier));
    if (earlier.heldUntil !== undefined && earlier.status === 'pending') released.push(key);
  }
  book.storms[storm.id] = storm;
  ch.storm = storm.id;
  ch.opens = [];
  delete ch.holdUntil;
  joinStorm(storm, inc, now, s);
  sendStormParent(storm, s, out);
  return { kind: 'storm', storm: storm.id, released };
}

/** The storm parent as it renders now; `maybePosted` after a restart that never saw it accepted. */
export function sendStormParent(storm: Storm, s: IncidentSettings, out: Outgoing[], maybePosted = false): void {
  const view = stormView(storm, s);
  const message = renderStorm(view);
  storm.sent = { hash: hashMessage(message), sig: stormSignature(view) };
  storm.dirty = false;
  out.push({ kind: 'parent', thread: storm.id, channel: storm.channel, ...(maybePosted && { maybePosted: true }), message });
}

/**
 * `inc` becomes a member. Its line is its only name in Slack, so a join brings the storm parent's
 * next edit forward to at most 2 × GROUP_WAIT (at least JOIN_EDIT_MIN_MS) after it, whatever
 * GROUP_INTERVAL is: a member is named within 3 × GROUP_WAIT of its first failure, and a stream of
 * joins edits the parent no more often than that.
 */
function joinStorm(storm: Storm, inc: Incident, now: number, s: IncidentSettings): void {
  inc.storm = storm.id;
  storm.lastJoinAt = now;
  if (storm.members.some((m) => m.key === inc.key)) return; // listed when the storm began (it was held)
  const soon = now + Math.max(STORM_HOLD_GROUP_WAITS * s.groupWaitMs, JOIN_EDIT_MIN_MS);
  if (storm.posted !== false) storm.editBy = Math.min(storm.editBy ?? soon, soon);
  const member = memberOf(inc);
  // Past the lines the storm parent shows, the thread names it: every failing workload is named.
  if (storm.members.length >= STORM_LINES) note(storm, stormMemberLine(member).replace(/\*/g, ''));
  if (storm.members.length < LIMITS.stormMembers) storm.members.push(member);
  else storm.extra++;
}

export function markStormDirty(book: IncidentBook, inc: Incident): void {
  if (inc.storm !== undefined && has(book.storms, inc.storm)) book.storms[inc.storm]!.dirty = true;
}

function stormView(storm: Storm, s: IncidentSettings) {
  const members: StormMemberView[] = storm.members;
  return {
    cluster: s.cluster,
    channel: storm.channel,
    firstAt: storm.firstAt,
    lastAt: storm.lastJoinAt,
    members,
    ...(storm.extra > 0 && { extra: storm.extra }),
  };
}

/** Storm edits and notes that are due; forgets storms that are over, and channels with nothing recent. */
export function settleStorms(book: IncidentBook, now: number, s: IncidentSettings, out: Outgoing[], wake: (t: number) => void): void {
  for (const storm of Object.values(book.storms)) {
    // Not accepted yet: its delivery, not a timer, lets edits and notes go.
    if (storm.dirty && storm.posted !== false) flushStorm(book, storm, now, s, out, wake);
    flushNotes(storm, now, s, out, wake);
    const over = !storm.dirty && storm.notes === undefined && now >= storm.lastJoinAt + STORM_WINDOW_MS;
    if (over && !storm.members.some((m) => book.incidents[m.key]?.storm === storm.id)) {
      // Over, and every member expired: nothing can change its parent any more.
      delete book.storms[storm.id];
      const ch = book.channels[storm.channel];
      if (ch?.storm === storm.id) delete ch.storm;
    }
  }
  for (const [name, ch] of Object.entries(book.channels)) {
    if (ch.storm === undefined && !ch.opens.some(([at]) => at > now - STORM_WINDOW_MS)) delete book.channels[name];
  }
}

/** Members' lines follow their incidents (those still in the storm, and those that opened before it). */
function refreshMembers(book: IncidentBook, storm: Storm): boolean {
  let backOff = false;
  for (const m of storm.members) {
    const inc = book.incidents[m.key];
    if (!inc || (inc.storm !== storm.id && (inc.openedAt === undefined || inc.openedAt > storm.lastJoinAt))) continue;
    m.status = inc.status;
    m.counts = { ...inc.counts };
    for (const uid in inc.pods) if (inc.pods[uid]!.failing && inc.pods[uid]!.backOff) backOff = true;
  }
  return backOff;
}

/**
 * The storm parent is edited like an incident's (needsEdit): at once when what a reader needs changed
 * (a member joined, changed status or crossed a count step), details once the storm is quiet.
 */
function flushStorm(book: IncidentBook, storm: Storm, now: number, s: IncidentSettings, out: Outgoing[], wake: (t: number) => void): void {
  const render = () => {
    const backOff = refreshMembers(book, storm);
    const view = stormView(storm, s);
    return { message: renderStorm(view), sig: stormSignature(view), backOff };
  };
  const { edit, wakeAt } = decideEdit(storm, render, { hash: storm.hash, at: storm.lastEditAt, sig: storm.sig }, now, s.groupIntervalMs);
  if (wakeAt !== undefined) wake(wakeAt);
  if (edit !== undefined) out.push({ kind: 'edit', thread: storm.id, message: edit });
}
