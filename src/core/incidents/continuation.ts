/**
 * Threads over time: reminders while an incident keeps failing, and, in a thread older than
 * THREAD_MAX_AGE, the incident continuing under a new parent that links the old thread. (A failure
 * soon after resolution reopens the same thread: lifecycle.ts, reopen.)
 */
import type { Outgoing } from '../outgoing.js';
import { renderParent, renderReminder } from '../render.js';
import { sendParent, viewOf } from './lifecycle.js';
import { runningAgainUntil } from './running-again.js';
import type { Incident, IncidentBook, IncidentSettings } from './model.js';
import { named } from './replies.js';
import { say } from './storm-thread.js';

/**
 * Still failing in a thread older than THREAD_MAX_AGE: the old parent says where it went, and the same
 * incident (counts and all) continues under a new top-level parent that links the old thread. This
 * takes the place of that reminder.
 */
function continueThread(inc: Incident, now: number, s: IncidentSettings, out: Outgoing[], book: IncidentBook): void {
  const old = inc.storm ?? inc.id;
  // A storm member has no parent of its own to edit: the new parent links the storm thread.
  if (inc.storm === undefined) out.push({ kind: 'edit', thread: old, message: renderParent({ ...viewOf(inc, s, now), continuedAt: now }) });
  inc.id = `t${++book.seq}`;
  inc.linkTo = old;
  inc.continues = true;
  delete inc.previousResolvedAt;
  delete inc.storm;
  inc.openedAt = now;
  inc.posted = false;
  delete inc.parentHash;
  sendParent(inc, now, s, out);
  inc.window = { start: now, sent: 0 };
}

/** Someone acknowledged it since it last started failing (a reopen starts a new spell). */
const acknowledgedThisSpell = (inc: Incident): boolean => inc.actions?.acked !== undefined && inc.actions.acked.at >= inc.failingSince;

/**
 * REPEAT_INTERVAL of failing: a reminder reply, or (thread too old) the thread continues, or (the
 * parent never accepted: Slack refused it) the parent is tried again.
 */
export function remind(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): void {
  const upUntil = inc.posted ? runningAgainUntil(inc, s) : undefined;
  if (upUntil !== undefined && upUntil > now) {
    // Every failing pod runs again after its crash: no "still failing" (nor a new thread) while it
    // may be over; asked again when RESOLVE_AFTER has shown it (resolved by then, or crashing again).
    inc.remindAt = upUntil;
    return;
  }
  // A storm member waits for the storm parent (its delivery, or a restart's repost).
  if (!inc.posted) {
    if (inc.storm === undefined) sendParent(inc, now, s, out);
  } else if (now - (inc.openedAt ?? now) >= s.threadMaxAgeMs) continueThread(inc, now, s, out, book);
  else if (!acknowledgedThisSpell(inc)) say(book, inc, renderReminder(viewOf(inc, s, now), now, named(inc)), out);
  inc.remindAt = now + s.repeatIntervalMs;
}
