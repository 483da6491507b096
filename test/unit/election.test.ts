import { decide, electionTimes, leadingUntil, microTime, released, type LeaseRecord, type Observed } from '../../src/core/election.js';

const T = electionTimes(15_000, 5_000);
const t0 = Date.parse('2026-11-30T12:00:00Z');
const held = (holder: string, at: number, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: microTime(at),
  renewTime: microTime(at),
  leaseTransitions: 0,
  ...extra,
});

describe('electionTimes', () => {
  test.each([
    [15_000, 5_000, 10_000, 1_000],
    [2_000, 500, 1_250, 500],
    [60_000, 20_000, 40_000, 1_000],
  ])('lease %i ms, renew %i ms: the leader stops after %i ms without a renew, standbys look every %i ms', (lease, renew, deadline, retry) => {
    const t = electionTimes(lease, renew);
    expect(t).toEqual({ leaseMs: lease, renewMs: renew, renewDeadlineMs: deadline, retryMs: retry });
    // The fence: a renew deadline that passes after the lease could have expired would allow two leaders.
    expect(t.renewDeadlineMs).toBeLessThan(t.leaseMs);
    expect(t.renewDeadlineMs).toBeGreaterThan(t.renewMs);
  });

  test.each([
    [5_000, 5_000],
    [5_000, 10_000],
    [5_000, 0],
  ])('lease %i ms with renew %i ms is refused', (lease, renew) => {
    expect(() => electionTimes(lease, renew)).toThrow(/renew/);
  });
});

describe('decide (client-go tryAcquireOrRenew)', () => {
  test('no Lease: create it, held by me, acquired and renewed now, no transitions yet', () => {
    const d = decide(undefined, undefined, 'bot-a', t0, T);
    expect(d).toMatchObject({ kind: 'create', record: { holderIdentity: 'bot-a', leaseDurationSeconds: 15, acquireTime: '2026-11-30T12:00:00.000000Z', renewTime: '2026-11-30T12:00:00.000000Z', leaseTransitions: 0 } });
  });

  test('my own Lease: renew keeps acquireTime and the transition count', () => {
    const d = decide(held('bot-a', t0, { leaseTransitions: 3 }), undefined, 'bot-a', t0 + 5_000, T);
    expect(d).toMatchObject({ kind: 'update', takeover: false, record: { holderIdentity: 'bot-a', acquireTime: microTime(t0), renewTime: microTime(t0 + 5_000), leaseTransitions: 3 } });
  });

  test.each<[string, number, 'wait' | 'update']>([
    ['just seen', 0, 'wait'],
    ['unchanged for 14.9 s', 14_900, 'wait'],
    ['unchanged for exactly its duration', 15_000, 'update'],
    ['unchanged for 40 s', 40_000, 'update'],
  ])("another's Lease %s (%i ms): %s", (_what, unchangedFor, kind) => {
    const record = held('bot-a', t0);
    const before: Observed = { record, at: t0 };
    const d = decide(record, before, 'bot-b', t0 + unchangedFor, T);
    expect(d.kind).toBe(kind);
    if (d.kind === 'update') expect(d).toMatchObject({ takeover: true, record: { holderIdentity: 'bot-b', acquireTime: microTime(t0 + unchangedFor), leaseTransitions: 1 } });
    if (d.kind === 'wait') expect(d).toMatchObject({ holder: 'bot-a', expiresAt: t0 + 15_000 });
  });

  test('expiry counts from when I saw the record change, not from its renewTime (another clock wrote that)', () => {
    // renewTime says an hour ago (skewed node clock), but I saw this record appear just now.
    const record = held('bot-a', t0 - 3_600_000);
    const first = decide(record, undefined, 'bot-b', t0, T);
    expect(first).toMatchObject({ kind: 'wait', expiresAt: t0 + 15_000 });
    expect(decide(record, first.observed, 'bot-b', t0 + 10_000, T).kind).toBe('wait');
    // A renew changes the record: the wait starts again from when it is seen.
    const renewed = held('bot-a', t0 - 3_600_000 + 5_000);
    expect(decide(renewed, first.observed, 'bot-b', t0 + 14_000, T)).toMatchObject({ kind: 'wait', expiresAt: t0 + 29_000 });
  });

  test("the Lease's own duration is what a standby waits (a released Lease says 1 s)", () => {
    const record = released(held('bot-a', t0, { leaseTransitions: 2 }), t0 + 1_000);
    expect(record).toEqual({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(t0 + 1_000), renewTime: microTime(t0 + 1_000), leaseTransitions: 2 });
    // No holder: taken at once, one more transition.
    expect(decide(record, undefined, 'bot-b', t0 + 1_200, T)).toMatchObject({ kind: 'update', takeover: true, record: { holderIdentity: 'bot-b', leaseTransitions: 3 } });
    // A holder with a 1 s duration (some other client's release): after one second.
    const short = held('bot-a', t0, { leaseDurationSeconds: 1 });
    const seen = decide(short, undefined, 'bot-b', t0, T);
    expect(seen.kind).toBe('wait');
    expect(decide(short, seen.observed, 'bot-b', t0 + 1_000, T).kind).toBe('update');
  });
});

describe('the fence, on a virtual timeline of two replicas', () => {
  test.each([
    [15_000, 5_000],
    [2_000, 500],
    [10_000, 9_000],
  ])('lease %i ms, renew %i ms: a leader cut off after a renew stops acting before the standby can take over', (lease, renew) => {
    const times = electionTimes(lease, renew);
    // bot-a renews at t0 (sent then, written by the server at once); bot-b sees it at the same instant at the
    // earliest. Then bot-a is partitioned: no renew of its ever arrives.
    const record = held('bot-a', t0, { leaseDurationSeconds: lease / 1000 });
    const stopsAt = leadingUntil(t0, times);
    let observed: Observed | undefined;
    let takeoverAt: number | undefined;
    for (let now = t0; takeoverAt === undefined; now += times.retryMs) {
      const d = decide(record, observed, 'bot-b', now, times);
      observed = d.observed;
      if (d.kind === 'update') takeoverAt = now;
    }
    expect(stopsAt).toBeLessThan(takeoverAt);
    // The margin is what absorbs a slow clock or a late-delivered write (docs/high-availability.md).
    expect(takeoverAt - stopsAt).toBeGreaterThanOrEqual(lease - times.renewDeadlineMs);
  });
});
