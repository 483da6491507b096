/**
 * Storms: more than STORM_THRESHOLD new incidents in one channel within STORM_WINDOW_MS get one storm
 * parent, and the parents of the rest go into its thread. The storm parent lists every member.
 */
import type { Outgoing } from '../outgoing.js';
import { hashMessage } from '../parent-edit.js';
import { renderStorm, type StormMemberView } from '../render.js';
import { has, LIMITS, STORM_WINDOW_MS, type Incident, type IncidentBook, type IncidentSettings, type Storm, type StormMember } from './model.js';

export function memberOf(inc: Incident): StormMember {
  return { key: inc.key, namespace: inc.namespace, workload: inc.workload, status: inc.status, counts: { ...inc.counts } };
}

/**
 * Decides where a new parent goes: top level, or (more than stormThreshold within a minute) into the
 * channel's storm thread, posting the storm parent first when the storm begins. Returns the storm id.
 */
export function stormFor(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): string | undefined {
  const ch = has(book.channels, inc.channel) ? book.channels[inc.channel]! : (book.channels[inc.channel] = { opens: [] });
  ch.opens = ch.opens.filter(([at]) => at > now - STORM_WINDOW_MS);
  let storm = ch.storm !== undefined ? book.storms[ch.storm] : undefined;
  if (storm && now >= storm.lastJoinAt + STORM_WINDOW_MS) {
    storm = undefined;
    delete ch.storm;
  }
  if (!storm && ch.opens.length < s.stormThreshold) {
    ch.opens.push([now, inc.key]);
    return undefined;
  }
  if (!storm) {
    storm = {
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
    // The storm lists the whole burst, including the incidents that still made it to the channel.
    for (const [, key] of ch.opens) {
      const earlier = book.incidents[key];
      if (earlier) storm.members.push(memberOf(earlier));
    }
    book.storms[storm.id] = storm;
    ch.storm = storm.id;
    ch.opens = [];
    joinStorm(storm, inc, now);
    const msg = renderStorm(stormView(storm, s));
    out.push({ kind: 'parent', thread: storm.id, channel: inc.channel, message: msg });
    return storm.id;
  }
  joinStorm(storm, inc, now);
  storm.dirty = true;
  return storm.id;
}

export function joinStorm(storm: Storm, inc: Incident, now: number): void {
  inc.storm = storm.id;
  storm.lastJoinAt = now;
  if (storm.members.length < LIMITS.stormMembers) storm.members.push(memberOf(inc));
  else storm.extra++;
}

export function markStormDirty(book: IncidentBook, inc: Incident): void {
  if (inc.storm !== undefined && has(book.storms, inc.storm)) book.storms[inc.storm]!.dirty = true;
}

export function stormView(storm: Storm, s: IncidentSettings) {
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

/** Edits due storm parents, forgets storms that are over, and channels with nothing recent. */
export function settleStorms(book: IncidentBook, now: number, s: IncidentSettings, out: Outgoing[], wake: (t: number) => void): void {
  for (const storm of Object.values(book.storms)) {
    if (storm.dirty && storm.posted !== false && now >= storm.lastEditAt + s.groupIntervalMs) editStorm(book, storm, now, s, out);
    // Not accepted yet: its delivery, not a timer, lets the edit go.
    if (storm.dirty && storm.posted !== false) wake(storm.lastEditAt + s.groupIntervalMs);
    else if (!storm.dirty && now >= storm.lastJoinAt + STORM_WINDOW_MS && !storm.members.some((m) => book.incidents[m.key]?.storm === storm.id)) {
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

/** The storm parent lists its members as they are now; edited only when that rendering changed. */
function editStorm(book: IncidentBook, storm: Storm, now: number, s: IncidentSettings, out: Outgoing[]): void {
  storm.dirty = false;
  for (const m of storm.members) {
    const inc = book.incidents[m.key];
    if (inc && (inc.storm === storm.id || (inc.openedAt !== undefined && inc.openedAt <= storm.lastJoinAt))) {
      m.status = inc.status;
      m.counts = { ...inc.counts };
    }
  }
  const msg = renderStorm(stormView(storm, s));
  const hash = hashMessage(msg);
  if (hash === storm.hash) return;
  storm.hash = hash;
  storm.lastEditAt = now;
  out.push({ kind: 'edit', thread: storm.id, message: msg });
}
