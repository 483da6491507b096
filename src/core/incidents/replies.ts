/**
 * Replies and digests: each new (pod, reason) is told once, in its own reply while the burst allows
 * (REPLY_BURST per GROUP_INTERVAL), else counted in one digest reply. Replies wait in `queued` until
 * Slack accepted the parent, then follow it.
 */
import type { Failure } from '../detect.js';
import type { Outgoing } from '../outgoing.js';
import { podReply } from '../explain.js';
import { causeLabel, renderDigest, type ReplyOptions } from '../render.js';
import { has, LIMITS, REPLY_BURST, type Incident, type IncidentBook, type IncidentSettings } from './model.js';
import { explainOnce, stormOf } from './storm-thread.js';

/** A reply in a storm thread names its workload: several workloads talk there. */
export const named = (inc: Incident): ReplyOptions => ({ named: inc.storm !== undefined });

/**
 * A new (pod, reason): its own reply while the burst allows, else into the digest. A storm member's
 * goes into the storm thread only when its cause is new there (./storm-thread.ts).
 */
export function replyFor(book: IncidentBook, inc: Incident, f: Failure, now: number, s: IncidentSettings, out: Outgoing[]): void {
  const storm = stormOf(book, inc);
  if (!inc.posted) {
    if (inc.queued.length < REPLY_BURST) inc.queued.push(slimFailure(f));
    else if (!storm) addToDigest(inc, f, now);
    return;
  }
  if (storm) {
    explainOnce(storm, f, out);
    return;
  }
  if (now >= inc.window.start + s.groupIntervalMs) {
    if (inc.digest) flushDigest(inc, now, out);
    else inc.window = { start: now, sent: 0 };
  }
  if (inc.window.sent < REPLY_BURST) {
    inc.window.sent++;
    out.push(podReply(inc.id, f, named(inc)));
  } else addToDigest(inc, f, now);
}

/** A Failure without an unbounded message, for the queue of a pending incident. */
function slimFailure(f: Failure): Failure {
  return f.message && f.message.length > LIMITS.messageChars ? { ...f, message: f.message.slice(0, LIMITS.messageChars) } : f;
}

function addToDigest(inc: Incident, f: Failure, now: number): void {
  const d = (inc.digest ??= { items: 0, since: now, pods: {}, podCount: 0, reasons: {} });
  d.items++;
  const label = causeLabel(f);
  d.reasons[label] = (d.reasons[label] ?? 0) + 1;
  if (!has(d.pods, f.uid)) {
    d.podCount++;
    if (Object.keys(d.pods).length < LIMITS.digestPods) d.pods[f.uid] = true;
  }
}

export function flushDigest(inc: Incident, now: number, out: Outgoing[]): void {
  const d = inc.digest;
  if (!d) return;
  out.push({ kind: 'reply', thread: inc.id, message: renderDigest({ workload: inc.workload.name, items: d.items, pods: d.podCount, reasons: d.reasons, sinceMs: now - d.since }, named(inc)) });
  delete inc.digest;
  inc.window = { start: now, sent: 1 };
}

/**
 * Slack accepted the parent (for a storm member: the storm parent): the replies gathered meanwhile
 * follow it, and edits may go out.
 */
export function parentLanded(book: IncidentBook, inc: Incident, now: number, out: Outgoing[]): void {
  inc.posted = true;
  const storm = stormOf(book, inc);
  if (storm) {
    for (const f of inc.queued) explainOnce(storm, f, out);
    inc.queued = [];
    delete inc.digest; // gathered while pending: counted on its storm line
    return;
  }
  for (const f of inc.queued) out.push(podReply(inc.id, f, named(inc)));
  inc.window = { start: now, sent: inc.queued.length };
  inc.queued = [];
  if (inc.digest) {
    flushDigest(inc, now, out);
    // Burst and digest both went out with the parent: anything new this interval waits for the next digest.
    inc.window = { start: now, sent: REPLY_BURST + 1 };
  }
}
