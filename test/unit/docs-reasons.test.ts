import { readFileSync } from 'node:fs';
import { MUTABLE_REASONS } from '../../src/core/mute.js';

// docs/annotations.md tells users which names podbell.io/mute-reasons accepts: it must be the real list.
test('docs/annotations.md lists exactly the reasons podbell.io/mute-reasons accepts', () => {
  const doc = readFileSync(new URL('../../docs/annotations.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('**Reasons**'), doc.indexOf('A name podbell never reports'));
  const listed = [...section.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]).filter((n) => n !== 'podbell');
  expect([...new Set(listed)].sort()).toEqual([...MUTABLE_REASONS].sort());
});
