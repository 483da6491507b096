// The live incidents of a workload are found without reading every incident: a pod added or deleted
// (workloadSize) and a failure whose channel changed (followChannel) stay O(1) after a restart
// restores hundreds of incidents, and the book still round-trips through JSON.
import type { IncidentBook } from '../../src/core/incidents.js';
import { checkout, MIN, SEC, Story } from './incidents-story.js';

const cart = { kind: 'Deployment', name: 'cart' } as const;
const size = (workload: { kind: string; name: string }, pods: number, namespace = 'shop') => ({ type: 'workloadSize', namespace, workload, pods }) as const;

/** A book read back after a restart, as persistence does it. */
const restored = (book: IncidentBook): IncidentBook => JSON.parse(JSON.stringify(book)) as IncidentBook;

/** Counts how often the incidents are listed (for…in, Object.keys/values/entries all list own keys). */
function countListings(book: IncidentBook): { listings: number } {
  const counter = { listings: 0 };
  book.incidents = new Proxy(book.incidents, {
    ownKeys(target) {
      counter.listings++;
      return Reflect.ownKeys(target);
    },
  });
  return counter;
}

/** `n` open incidents of workloads app-0 … app-(n-1), posted and accepted. */
function manyIncidents(n: number): Story {
  const s = new Story();
  for (let i = 0; i < n; i++) s.fail({ pod: `app-${i}-a`, workload: { kind: 'Deployment', name: `app-${i}` } });
  return s.advance(30 * SEC);
}

describe('workloadSize and followChannel find a workload\'s incidents by (namespace, kind, name)', () => {
  test('pods added and deleted for workloads without a live incident never list the 300 restored incidents', () => {
    const s = manyIncidents(300);
    expect(s.topLevel().length).toBeGreaterThan(0);
    s.book = restored(s.book);
    s.input(size(checkout, 1)); // the first question after the restore builds the index (one listing)
    const counter = countListings(s.book);
    for (let i = 0; i < 50; i++) s.input(size({ kind: 'Deployment', name: `web-${i}` }, i + 1)).input(size(checkout, 2)).input(size(checkout, 1));
    // The pod count of an incident's workload that did not change: nothing to do either.
    s.input(size({ kind: 'Deployment', name: 'app-7' }, 1)).input(size({ kind: 'Deployment', name: 'app-7' }, 1));
    const listedAfterChange = counter.listings;
    s.input(size({ kind: 'Deployment', name: 'app-7' }, 1));
    expect(counter.listings).toBe(listedAfterChange);
    // Only the one change of app-7's size went through the timers (which list the incidents once).
    expect(listedAfterChange).toBe(1);
  });

  test('a failure of a workload with no incident lists the incidents only for the timers', () => {
    const s = manyIncidents(300);
    s.book = restored(s.book);
    s.input(size(checkout, 1));
    const counter = countListings(s.book);
    s.fail({ pod: 'cart-a', workload: cart }, '#payments');
    expect(counter.listings).toBe(1);
  });

  test('a book restored from JSON answers workloadSize right, for old incidents and new ones', () => {
    const s = new Story();
    s.fail({ pod: 'checkout-a' }).advance(30 * SEC);
    s.book = restored(s.book);
    s.input(size(checkout, 6)).advance(30 * SEC);
    expect(s.parentText('t1')).toContain('1 of 6 pods failing');
    // Created after the restore (the index was already built): found too.
    s.fail({ pod: 'cart-a', workload: cart }).advance(30 * SEC);
    s.input(size(cart, 4)).advance(30 * SEC);
    expect(s.parentText('t2')).toContain('1 of 4 pods failing');
    // Another namespace's workload of the same name is another workload.
    s.input(size(cart, 9, 'billing')).advance(30 * SEC);
    expect(s.parentText('t2')).toContain('1 of 4 pods failing');
    // The index is not part of the saved book.
    expect(JSON.stringify(s.book)).toBe(JSON.stringify(restored(s.book)));
  });

  test('a resolved incident, and one that expired and came back, are counted right', () => {
    const s = new Story();
    s.fail({ pod: 'checkout-a' }).advance(30 * SEC).healthy('checkout-a').advance(6 * MIN);
    expect(s.book.incidents[Object.keys(s.book.incidents)[0]!]!.status).toBe('resolved');
    s.input(size(checkout, 6)).advance(30 * SEC);
    expect(s.parentText('t1')).not.toContain('of 6');
    // REOPEN_WINDOW (1 h) passes: the incident expires; the workload fails again in a new thread.
    s.advance(61 * MIN).fail({ pod: 'checkout-b' }).advance(30 * SEC);
    s.input(size(checkout, 3)).advance(30 * SEC);
    expect(s.parentText('t2')).toContain('1 of 3 pods failing');
    expect(s.parentText('t1')).not.toContain('of 3');
  });

  test('after a restore, a failure routed to a new channel keeps the open incident\'s thread', () => {
    const s = new Story();
    s.fail({ pod: 'checkout-a' }).advance(30 * SEC);
    s.book = restored(s.book);
    s.fail({ pod: 'checkout-b' }, '#payments').advance(30 * SEC);
    expect(s.topLevel()).toHaveLength(1);
    expect(s.parentText('t1')).toContain('new ones go to #payments');
  });
});
