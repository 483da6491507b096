/**
 * The book's side of the delivery loop: what Slack accepted (or refused for good) is an input like a
 * pod change. `posted`, the accepted parent hash and its edit time change only here, and whether a
 * parent needs an edit is needsEdit() of what Slack accepted, never of what was queued.
 */
import { PARENT_GONE_CAUSES, type Delivery, type Outgoing } from '../outgoing.js';
import { decideEdit, hashMessage, readerSignature } from '../parent-edit.js';
import { renderParent } from '../render.js';
import { sendParent, viewOf } from './lifecycle.js';
import { has, type Incident, type IncidentBook, type IncidentSettings, type Storm } from './model.js';
import { parentLanded } from './replies.js';
import { stormOf } from './storm-thread.js';
import { markStormDirty, sendStormParent } from './storms.js';

/** Feeds one delivery outcome into the book: the only place `posted` and the accepted parent change. */
export function outcome(book: IncidentBook, d: Delivery, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (has(book.storms, d.thread)) {
    stormOutcome(book, book.storms[d.thread]!, d, now, s, out);
    return;
  }
  const inc = incidentOfThread(book, d.thread);
  if (!inc) return; // an old thread (continued or expired): nothing in the book depends on it
  if (d.type === 'failed') {
    // The parent is no longer in Slack: post it again, as it is now, in its own channel.
    if (d.kind === 'edit' && PARENT_GONE_CAUSES.has(d.cause) && inc.posted) {
      inc.posted = false;
      delete inc.parentHash;
      sendParent(inc, now, s, out);
    }
    return;
  }
  if (d.kind === 'reply') return;
  if (d.kind === 'parent' && !inc.posted) parentLanded(book, inc, now, out);
  inc.parentHash = hashMessage(d.message);
  // An older message answered late: what it told the reader is not known, so the next change edits.
  if (inc.sent?.hash === inc.parentHash) inc.parentSig = inc.sent.sig;
  else delete inc.parentSig;
  inc.lastEditAt = now;
  // What Slack shows may already be behind the state (it changed while the message was in flight).
  inc.dirty = hashMessage(renderParent(viewOf(inc, s, now))) !== inc.parentHash;
}

/**
 * What became of a storm parent. Accepted: its members are in Slack (their line), so what they
 * gathered follows in its thread. Gone (deleted, or never accepted): posted again; and if Slack refused
 * it for good, each member gets a parent of its own, so no member is lost with it.
 */
function stormOutcome(book: IncidentBook, storm: Storm, d: Delivery, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (d.kind === 'reply') return;
  const members = Object.values(book.incidents).filter((inc) => inc.storm === storm.id);
  if (d.type === 'failed') {
    if (d.kind === 'edit' && PARENT_GONE_CAUSES.has(d.cause) && storm.posted === true) {
      storm.posted = false;
      sendStormParent(storm, s, out);
    } else if (d.kind === 'parent') {
      delete book.storms[storm.id];
      const ch = book.channels[storm.channel];
      if (ch?.storm === storm.id) delete ch.storm;
      for (const inc of members) {
        delete inc.storm;
        if (inc.status !== 'pending' && !inc.posted) sendParent(inc, now, s, out);
      }
    }
    return;
  }
  storm.hash = hashMessage(d.message);
  if (storm.sent?.hash === storm.hash) storm.sig = storm.sent.sig;
  else delete storm.sig;
  storm.lastEditAt = now;
  storm.dirty = true; // compared with the members as they are now: edited if they changed in flight
  if (d.kind === 'parent' && storm.posted !== true) {
    storm.posted = true;
    for (const inc of members) if (!inc.posted && inc.status !== 'pending') parentLanded(book, inc, now, out);
  }
}

export function incidentOfThread(book: IncidentBook, thread: string): Incident | undefined {
  for (const key in book.incidents) if (book.incidents[key]!.id === thread) return book.incidents[key];
  return undefined;
}

/**
 * After a restart: every parent the saved book never saw accepted goes out again (the sender first
 * looks whether it landed before the restart, so a parent is never posted twice).
 */
export function repost(book: IncidentBook, now: number, s: IncidentSettings, out: Outgoing[]): void {
  for (const storm of Object.values(book.storms)) if (storm.posted === false) sendStormParent(storm, s, out, true);
  for (const inc of Object.values(book.incidents)) {
    // A storm member is in Slack once its storm parent is.
    if (inc.status !== 'pending' && !inc.posted && stormOf(book, inc) === undefined) sendParent(inc, now, s, out, true);
  }
}

/**
 * Edits the parent when needsEdit says so: at most once per GROUP_INTERVAL after Slack accepted the
 * last one, only when what Slack shows differs from the rendering now, and, when only details a
 * reader need not see at once changed, after GROUP_INTERVAL of quiet.
 */
export function flushParent(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (!inc.posted || !inc.dirty) return;
  if (stormOf(book, inc) !== undefined) {
    // A storm member's parent is its line on the storm parent.
    inc.dirty = false;
    markStormDirty(book, inc);
    return;
  }
  const accepted = inc.parentHash === undefined ? undefined : { hash: inc.parentHash, at: inc.lastEditAt, sig: inc.parentSig };
  const render = () => {
    const view = viewOf(inc, s, now);
    return { message: renderParent(view), sig: readerSignature(view), backOff: (view.podsInBackOff ?? 0) > 0 };
  };
  // A wait needs no wake-up here: deadlines().edit asks for it.
  const { edit } = decideEdit(inc, render, accepted, now, s.groupIntervalMs);
  if (edit === undefined) return;
  out.push({ kind: 'edit', thread: inc.id, message: edit });
  markStormDirty(book, inc);
}
