/**
 * What storm members say (docs/design.md#storms). A member has no parent of its own: its line on the
 * storm parent stands for it, and what it has to say goes into the storm thread, folded so that twenty
 * workloads failing for one reason do not make sixty replies:
 *  - the first failure of each cause in the storm gets a reply of its own, with its evidence (the
 *    crashed run's log tail, the pod's Warning Events): one crash explains the others like it, which
 *    are counted on the storm parent;
 *  - everything else a member says (recovered, failing again, still failing, acknowledged, muted) is a
 *    line of the storm's next notes reply: at once when no notes reply went out within GROUP_INTERVAL,
 *    else gathered into one reply when the interval ends.
 */
import type { Failure } from '../detect.js';
import { podReply } from '../explain.js';
import type { Outgoing, SlackMessage } from '../outgoing.js';
import { causeLabel } from '../render.js';
import { renderStormNotes } from '../render-storm.js';
import { has, LIMITS, type Incident, type IncidentBook, type IncidentSettings, type Storm } from './model.js';

/** The storm `inc` is a member of, if any (and still in the book). */
export function stormOf(book: IncidentBook, inc: Incident): Storm | undefined {
  return inc.storm !== undefined && has(book.storms, inc.storm) ? book.storms[inc.storm] : undefined;
}

/** A member's new (pod, reason): a reply of its own, with its evidence, only when its cause is new to the storm thread. */
export function explainOnce(storm: Storm, f: Failure, out: Outgoing[]): void {
  const explained = (storm.explained ??= []);
  const label = causeLabel(f);
  if (explained.includes(label) || explained.length >= LIMITS.stormExplained) return;
  explained.push(label);
  out.push(podReply(storm.id, f, { named: true }));
}

/** What an incident says in its thread: a reply of its own, or, for a storm member, a line of the storm's next notes reply. */
export function say(book: IncidentBook, inc: Incident, message: SlackMessage, out: Outgoing[]): void {
  const storm = stormOf(book, inc);
  if (storm) note(storm, message.text);
  else out.push({ kind: 'reply', thread: inc.id, message });
}

/** Adds a line to the storm's next notes reply (bounded: past LIMITS.stormNotes lines, counted). */
export function note(storm: Storm, line: string): void {
  const notes = (storm.notes ??= { lines: [], more: 0 });
  if (notes.lines.length < LIMITS.stormNotes) notes.lines.push(line);
  else notes.more++;
}

/** Sends the storm's notes once Slack has its parent: at once after a quiet GROUP_INTERVAL, else when the interval ends. */
export function flushNotes(storm: Storm, now: number, s: IncidentSettings, out: Outgoing[], wake: (t: number) => void): void {
  if (storm.notes === undefined || storm.posted === false) return; // undefined: a book from before `posted`, in Slack
  const due = storm.notedAt === undefined ? now : storm.notedAt + s.groupIntervalMs;
  if (now < due) {
    wake(due);
    return;
  }
  out.push({ kind: 'reply', thread: storm.id, message: renderStormNotes(storm.notes.lines, storm.notes.more) });
  delete storm.notes;
  storm.notedAt = now;
}
