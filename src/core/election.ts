/**
 * Leader election on a coordination.k8s.io/v1 Lease, decided the way client-go's leaderelection
 * decides it (docs/high-availability.md): pure, time passed in, no I/O. The driver (src/leader.ts)
 * reads the Lease, asks `decide` what to write, and writes it with the Lease's resourceVersion, so of
 * two replicas acting on the same version at most one wins.
 *
 * Expiry is judged on the LOCAL clock of the observer, from when it first saw the current record
 * (not from renewTime, which another machine's clock wrote): clock skew between nodes cannot make
 * a standby take over early.
 */

/** The spec of a Lease, as podbell reads and writes it. Times are MicroTime text (RFC 3339, microseconds). */
export interface LeaseRecord {
  /** Empty or absent: nobody holds it (released). */
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

export interface ElectionTimes {
  /** LEASE_DURATION: how long a standby waits, after it last saw the Lease change, before taking it. */
  readonly leaseMs: number;
  /** LEASE_RENEW: how often the leader renews. */
  readonly renewMs: number;
  /**
   * The leader stops acting when it has not renewed for this long, counted from when it SENT its last
   * successful renew. Strictly between renewMs and leaseMs, so a leader cut off from the API server
   * stops before any standby can see its Lease expire.
   */
  readonly renewDeadlineMs: number;
  /** How often a standby looks at the Lease, and how soon a failed renew is tried again. */
  readonly retryMs: number;
}

/** The timings from LEASE_DURATION and LEASE_RENEW (renew < duration, checked by the config). */
export function electionTimes(leaseMs: number, renewMs: number): ElectionTimes {
  if (!(renewMs > 0 && leaseMs > renewMs)) throw new RangeError(`electionTimes: need 0 < renew (${renewMs} ms) < lease duration (${leaseMs} ms)`);
  return {
    leaseMs,
    renewMs,
    // 15 s and 5 s give 10 s, client-go's defaults.
    renewDeadlineMs: Math.floor((leaseMs + renewMs) / 2),
    // A released Lease (clean shutdown) is seen within a second, whatever the renew period.
    retryMs: Math.min(renewMs, 1000),
  };
}

/** A record as this replica saw it, and when (local clock) it saw it change. */
export interface Observed {
  readonly record: LeaseRecord;
  readonly at: number;
}

export type Decision =
  /** No Lease yet: create it, held by me. */
  | { readonly kind: 'create'; readonly record: LeaseRecord; readonly observed: Observed }
  /** Write this record over the version read (renew when I hold it, take over when it expired or was released). */
  | { readonly kind: 'update'; readonly record: LeaseRecord; readonly observed: Observed; readonly takeover: boolean }
  /** Someone else holds it: look again later. `expiresAt`: when it expires unless renewed (local clock). */
  | { readonly kind: 'wait'; readonly holder: string; readonly expiresAt: number; readonly observed: Observed };

/** Kubernetes MicroTime: 2026-01-01T00:00:00.000000Z. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const sameRecord = (a: LeaseRecord, b: LeaseRecord): boolean =>
  (a.holderIdentity ?? '') === (b.holderIdentity ?? '') &&
  a.leaseDurationSeconds === b.leaseDurationSeconds &&
  a.acquireTime === b.acquireTime &&
  a.renewTime === b.renewTime &&
  (a.leaseTransitions ?? 0) === (b.leaseTransitions ?? 0);

/**
 * What to do with the Lease as just read (`current`; undefined: it does not exist), given what this
 * replica saw before. client-go's tryAcquireOrRenew: a Lease held by another is left alone until it
 * has not changed for its leaseDurationSeconds; taking it over counts a transition.
 */
export function decide(current: LeaseRecord | undefined, before: Observed | undefined, me: string, now: number, times: ElectionTimes): Decision {
  const seconds = Math.max(1, Math.round(times.leaseMs / 1000));
  if (current === undefined) {
    const record: LeaseRecord = { holderIdentity: me, leaseDurationSeconds: seconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
    return { kind: 'create', record, observed: { record, at: now } };
  }
  const observed: Observed = before && sameRecord(before.record, current) ? before : { record: current, at: now };
  const holder = current.holderIdentity ?? '';
  const mine = holder === me;
  if (holder !== '' && !mine) {
    const expiresAt = observed.at + (current.leaseDurationSeconds ?? seconds) * 1000;
    if (expiresAt > now) return { kind: 'wait', holder, expiresAt, observed };
  }
  const record: LeaseRecord = {
    holderIdentity: me,
    leaseDurationSeconds: seconds,
    acquireTime: mine && current.acquireTime !== undefined ? current.acquireTime : microTime(now),
    renewTime: microTime(now),
    leaseTransitions: (current.leaseTransitions ?? 0) + (mine ? 0 : 1),
  };
  return { kind: 'update', record, observed, takeover: !mine };
}

/**
 * The record a leader writes when it shuts down cleanly (client-go's ReleaseOnCancel): no holder and
 * a one-second duration, so a standby takes over at its next look instead of after LEASE_DURATION.
 */
export function released(current: LeaseRecord, now: number): LeaseRecord {
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: current.leaseTransitions ?? 0 };
}

/** Until when a leader may act, having sent its last successful renew at `renewSentAt`. */
export const leadingUntil = (renewSentAt: number, times: ElectionTimes): number => renewSentAt + times.renewDeadlineMs;
