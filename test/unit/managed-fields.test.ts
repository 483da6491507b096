import { benchPod } from '../../bench/pods.js';
import { dropManagedFields, parseWithoutManagedFields } from '../../src/adapters/kube/managed-fields.js';
import { pods } from '../../src/sim/index.js';

const entry = (manager: string, fields: unknown) => ({ manager, operation: 'Update', apiVersion: 'v1', time: '2026-11-22T09:00:00Z', fieldsType: 'FieldsV1', fieldsV1: fields });
const withoutManaged = (o: Record<string, any>) => {
  const copy = structuredClone(o);
  delete copy.metadata.managedFields;
  return copy;
};

describe('dropManagedFields: what is cut from the text', () => {
  test.each([
    ['no managedFields: the same string back', '{"metadata":{"name":"a"},"spec":{}}', '{"metadata":{"name":"a"},"spec":{}}'],
    ['last in metadata (as the API server writes it)', '{"metadata":{"name":"a","managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}]},"spec":{"x":[1]}}', '{"metadata":{"name":"a"},"spec":{"x":[1]}}'],
    ['first in its object: the following comma goes', '{"metadata":{"managedFields":[{"manager":"m"}],"name":"a"}}', '{"metadata":{"name":"a"}}'],
    ['alone in its object', '{"metadata":{"managedFields":[]}}', '{"metadata":{}}'],
    ['followed by other members, with arrays after it', '{"metadata":{"managedFields":[{"manager":"m"}],"ownerReferences":[{"name":"rs"}]},"spec":{}}', '{"metadata":{"ownerReferences":[{"name":"rs"}]},"spec":{}}'],
    ['brackets and quotes inside its strings', '{"metadata":{"managedFields":[{"manager":"a]},\\"spec\\":[x","fieldsV1":{"v:\\"[b]\\"":{}}}]},"spec":{"keep":"me"}}', '{"metadata":{},"spec":{"keep":"me"}}'],
    ['an escaped backslash before a closing quote', '{"metadata":{"managedFields":[{"manager":"a\\\\"}]},"spec":{}}', '{"metadata":{},"spec":{}}'],
    ['several objects (a LIST page)', '{"items":[{"metadata":{"name":"a","managedFields":[{"m":1}]},"spec":{}},{"metadata":{"name":"b","managedFields":[{"m":2}]},"spec":{}}]}', '{"items":[{"metadata":{"name":"a"},"spec":{}},{"metadata":{"name":"b"},"spec":{}}]}'],
    ['inside a string value: not a member, left alone', '{"metadata":{"annotations":{"note":"\\"managedFields\\":[1]"}}}', '{"metadata":{"annotations":{"note":"\\"managedFields\\":[1]"}}}'],
    ['a key that ends in managedFields is another key: left alone', '{"x\\"managedFields":[1],"keep":true}', '{"x\\"managedFields":[1],"keep":true}'],
    ['pretty-printed (not what the API server sends): left alone', '{"metadata": {"managedFields": [1]}}', '{"metadata": {"managedFields": [1]}}'],
    ['unbalanced (a truncated line): left alone for JSON.parse to report', '{"metadata":{"managedFields":[{"m":"x"', '{"metadata":{"managedFields":[{"m":"x"'],
  ])('%s', (_, input, expected) => {
    expect(dropManagedFields(input)).toBe(expected);
    if (expected !== input) expect(() => JSON.parse(expected)).not.toThrow();
  });
});

describe('parseWithoutManagedFields: the object podbell sees', () => {
  test('a realistic Deployment pod parses to the same object without managedFields, and nothing else is lost', () => {
    const pod = benchPod({ namespace: 'shop-01', deployment: 'checkout', replica: 3 });
    expect((pod.metadata as Record<string, unknown>).managedFields).toBeDefined();
    const event = { type: 'MODIFIED', object: pod };
    expect(parseWithoutManagedFields(JSON.stringify(event))).toEqual({ type: 'MODIFIED', object: withoutManaged(pod) });
  });

  test('managedFields holding every awkward character still come out whole', () => {
    const pod = pods.deploymentPod({ namespace: 'default', deployment: 'web', suffix: 'x2k4q' }) as Record<string, any>;
    pod.metadata.managedFields = [
      entry('kubectl-client-side-apply', { 'f:metadata': { 'f:annotations': { 'f:note]},"spec":[': {} } } }),
      entry('weird "manager" \\ ]}{[', { 'v:"[a]"': {}, 'k:{"type":"Ready"}': { '.': {} } }),
    ];
    pod.metadata.annotations = { note: 'a ] b [ c "managedFields":[ d' };
    expect(parseWithoutManagedFields(JSON.stringify(pod))).toEqual(withoutManaged(pod));
  });

  test('a key that merely ends in managedFields is kept (cutting it would still be JSON, with another meaning)', () => {
    const text = '{"x\\"managedFields":[1,2],"keep":true}';
    expect(parseWithoutManagedFields(text)).toEqual({ 'x"managedFields': [1, 2], keep: true });
  });

  test('malformed input fails as JSON.parse fails on the original', () => {
    const text = '{"metadata":{"managedFields":[]},"spec":';
    expect(() => parseWithoutManagedFields(text)).toThrow(SyntaxError);
  });
});
