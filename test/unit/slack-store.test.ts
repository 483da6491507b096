import { MemoryThreadStore } from '../../src/adapters/store/memory.js';

const ref = (ts: string) => ({ channel: 'C0001', ts, replyTo: ts });

test('remembers where threads landed; a later set replaces the ref (a thread re-parented)', () => {
  const s = new MemoryThreadStore();
  s.set('t', ref('1.1'));
  s.set('t', ref('2.2'));
  expect(s.get('t')).toEqual(ref('2.2'));
  expect(s.get('nope')).toBeUndefined();
});

test('bounded: beyond maxThreads the least recently used thread is forgotten', () => {
  const s = new MemoryThreadStore({ maxThreads: 2 });
  s.set('a', ref('1'));
  s.set('b', ref('2'));
  s.get('a'); // a is in use again
  s.set('c', ref('3'));
  expect([s.get('a'), s.get('b'), s.get('c')]).toEqual([ref('1'), undefined, ref('3')]);
  expect(s.size).toBe(2);
});

test.each([0, -1, 1.5, Number.NaN])('maxThreads %p is a TypeError naming the option', (maxThreads) => {
  expect(() => new MemoryThreadStore({ maxThreads })).toThrow(/maxThreads/);
});
