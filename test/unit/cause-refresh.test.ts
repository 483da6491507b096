// The parent's cause line follows Warning Events that arrive after the failure: the kubelet reports
// `ImagePullBackOff` in the pod status a moment before its `Failed` Event says why the pull failed.
import { incidentSettingsOf } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { WarningBuffer } from '../../src/core/warnings.js';
import { PipelineCluster } from '../support/pipeline-cluster.js';
import { failureOf, SEC, Story, T0 } from './incidents-story.js';

const NOT_FOUND =
  'Failed to pull image "registry.example.com/checkout:1.4.3": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/checkout:1.4.3": failed to resolve reference "registry.example.com/checkout:1.4.3": registry.example.com/checkout:1.4.3: not found';

/** An ImagePullBackOff of pod `pod` whose cause line is still the fallback (no Event read yet). */
const pullFailure = (pod: string) => ({ type: 'failure', failure: { ...failureOf({ pod, reason: 'ImagePullBackOff', restartCount: 0 }), cause: 'ImagePullBackOff' }, channel: '#alerts' }) as const;
const causeInput = (pod: string, cause: string) => ({ type: 'cause', uid: `uid-${pod}`, cause }) as const;

/** The cause line of each post and edit of t1's parent, with its second after T0. */
const causesShown = (s: Story) =>
  s.sent.filter((x) => x.msg.thread === 't1' && x.msg.kind !== 'reply').map((x) => `${x.msg.kind}@${(x.at - T0) / SEC}s: ${/cause: (.*)/.exec(x.msg.message.text)?.[1] ?? '-'}`);

describe('a Warning Event after the failure refreshes the incident cause (core, virtual clock)', () => {
  test.each<[string, (s: Story) => void, string[]]>([
    [
      'posted parent: edited at once with the cause the Event gives',
      (s) => s.input(pullFailure('checkout-a')).advance(30 * SEC).input(causeInput('checkout-a', 'image or tag not found')),
      ['parent@10s: ImagePullBackOff', 'edit@30s: image or tag not found'],
    ],
    [
      'while pending: the first post already says it, no edit',
      (s) => s.input(pullFailure('checkout-a')).advance(3 * SEC).input(causeInput('checkout-a', 'registry refused the credentials')).advance(30 * SEC),
      ['parent@10s: registry refused the credentials'],
    ],
    [
      'GROUP_INTERVAL since the post has not passed: the edit waits for it',
      (s) => s.input(pullFailure('checkout-a')).advance(12 * SEC).input(causeInput('checkout-a', 'image or tag not found')).advance(30 * SEC),
      ['parent@10s: ImagePullBackOff', 'edit@25s: image or tag not found'],
    ],
    [
      'the same cause again: no edit',
      (s) => s.input(pullFailure('checkout-a')).advance(30 * SEC).input(causeInput('checkout-a', 'ImagePullBackOff')).advance(60 * SEC),
      ['parent@10s: ImagePullBackOff'],
    ],
    [
      'a pod in no incident: nothing',
      (s) => s.input(pullFailure('checkout-a')).advance(30 * SEC).input(causeInput('other-b', 'image or tag not found')).advance(60 * SEC),
      ['parent@10s: ImagePullBackOff'],
    ],
    [
      'a resolved incident is not edited',
      (s) => s.input(pullFailure('checkout-a')).advance(30 * SEC).healthy('checkout-a').advance(6 * 60 * SEC).input(causeInput('checkout-a', 'image or tag not found')).advance(60 * SEC),
      // recovering at 30 s, resolved at 330 s (no cause line): the later cause changes nothing
      ['parent@10s: ImagePullBackOff', 'edit@30s: ImagePullBackOff', 'edit@330s: -'],
    ],
  ])('%s', (_name, script, want) => {
    const s = new Story();
    script(s);
    expect(causesShown(s)).toEqual(want);
  });

  test('pods failing for different causes take turns in the line: no more edits than with one cause', () => {
    // Two replicas crash in turn for 10 minutes, every 10 s (inside GROUP_INTERVAL: details wait).
    const edits = (causes: readonly [string, string]) => {
      const s = new Story();
      for (let i = 0; i < 60; i++) {
        const pod = i % 2 ? 'checkout-b' : 'checkout-a';
        s.input({ type: 'failure', failure: { ...failureOf({ pod, restartCount: Math.floor(i / 2) + 1 }), cause: causes[i % 2]! }, channel: '#alerts' }).advance(10 * SEC);
      }
      return s.advance(60 * SEC).of('edit', 't1').length;
    };
    const one = edits(['exited with code 1', 'exited with code 1']);
    // At most the one edit that tells the second cause (here it coincides with a count step).
    expect(edits(['exited with code 1', 'out of memory (limit 256Mi)'])).toBeLessThanOrEqual(one + 1);
  });

  test('a saved book whose remembered causes were hand-edited into nonsense still takes the new cause', () => {
    const s = new Story().input(pullFailure('checkout-a')).advance(30 * SEC);
    const inc = Object.values(s.book.incidents)[0]!;
    (inc as { causes?: unknown }).causes = 'not a list';
    s.input(causeInput('checkout-a', 'image or tag not found'));
    expect(causesShown(s).at(-1)).toBe('edit@30s: image or tag not found');
    expect(inc.causes).toEqual(['image or tag not found']);
  });

  test('a cause for a pod in no incident leaves the book as it was', () => {
    const s = new Story().input(pullFailure('checkout-a')).advance(30 * SEC);
    const before = JSON.stringify(s.book);
    s.input(causeInput('other-b', 'image or tag not found'));
    expect(JSON.stringify(s.book)).toBe(before);
  });
});

describe('the pipeline refreshes the cause when a Warning Event arrives for a pod of a live incident', () => {
  test('ImagePullBackOff: the parent first shows the fallback, then what the Failed Event says', () => {
    const warnings = new WarningBuffer();
    const c = new PipelineCluster(T0, incidentSettingsOf(loadConfig({})), { warnings });
    c.pod('checkout', 0, { state: 'imagepull' }).advance(30 * SEC);
    c.warning('checkout', 0, 'Failed', NOT_FOUND).advance(30 * SEC);
    const texts = c.parentTexts('t1').map((p) => /cause: (.*)/.exec(p.text)?.[1]);
    expect(texts).toEqual(['ImagePullBackOff', 'image or tag not found']);
  });

  test('an Event that names the pod but not its uid (written by hand) refreshes it too', () => {
    const c = new PipelineCluster(T0, incidentSettingsOf(loadConfig({})), { warnings: new WarningBuffer() });
    c.pod('checkout', 0, { state: 'imagepull' }).advance(30 * SEC);
    c.warning('checkout', 0, 'Failed', NOT_FOUND, false).advance(30 * SEC);
    expect(c.parentTexts('t1').map((p) => /cause: (.*)/.exec(p.text)?.[1])).toEqual(['ImagePullBackOff', 'image or tag not found']);
  });

  test('an Event that explains nothing never takes an explanation away', () => {
    const c = new PipelineCluster(T0, incidentSettingsOf(loadConfig({})), { warnings: new WarningBuffer() });
    // ErrImagePull says why in the status; the Failed Event was never seen (it came before podbell).
    c.pod('checkout', 0, { state: 'imagepull', reason: 'ErrImagePull', message: NOT_FOUND }).advance(2 * SEC);
    c.pod('checkout', 0, { state: 'imagepull' }).advance(30 * SEC);
    c.warning('checkout', 0, 'BackOff', 'Back-off pulling image "registry.example.com/checkout:1.4.2"').advance(60 * SEC);
    const causes = c.parentTexts('t1').map((p) => /cause: (.*)/.exec(p.text)?.[1]);
    expect(causes.length).toBeGreaterThan(0);
    expect(new Set(causes)).toEqual(new Set(['image or tag not found']));
  });

  test('a Warning Event for a healthy pod, or one of no incident, posts and edits nothing', () => {
    const warnings = new WarningBuffer();
    const c = new PipelineCluster(T0, incidentSettingsOf(loadConfig({})), { warnings });
    c.pod('checkout', 0, { state: 'running' }).advance(30 * SEC);
    c.warning('checkout', 0, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503').advance(30 * SEC);
    expect(c.sent).toEqual([]);
  });
});
