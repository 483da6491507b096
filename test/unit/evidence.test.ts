import { cleanText, lastLines, MAX_LINE, tailCodeBlock, warningLines, withEvidence } from '../../src/core/evidence.js';
import { WarningBuffer } from '../../src/core/warnings.js';

const textOf = (m: { blocks?: readonly unknown[] }): string => JSON.stringify(m.blocks);
const base = { text: 'pod · app · CrashLoopBackOff', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'pod · app' } }] };

describe('lastLines', () => {
  test.each<[string, number, string[]]>([
    ['a\nb\nc\n', 2, ['b', 'c']],
    ['a\nb\nc', 5, ['a', 'b', 'c']],
    ['', 20, []],
    ['\n', 20, []],
    ['only', 0, []],
  ])('%j, %d', (text, n, lines) => expect(lastLines(text, n)).toEqual(lines));

  test('a 10 MB single line is capped', () => {
    const [line] = lastLines('x'.repeat(10 * 1024 * 1024), 20);
    expect(line!.length).toBe(MAX_LINE);
    expect(line!.endsWith('…')).toBe(true);
  });
});

describe('cleanText', () => {
  test.each([
    ['\x1b[31mERROR\x1b[0m boom', 'ERROR boom'],
    ['bell\x07 nul\x00 del\x7f', 'bell nul del'],
    ['crlf\r\nline', 'crlf\nline'],
    ['tab\tkept', 'tab\tkept'],
    ['lone \ud800 surrogate', 'lone \ufffd surrogate'],
    ['pair 😀 kept', 'pair 😀 kept'],
  ])('%j', (raw, clean) => expect(cleanText(raw)).toBe(clean));
});

describe('tailCodeBlock keeps the end', () => {
  test('short text fits whole', () => expect(tailCodeBlock(['a', 'b'], 100)).toBe('```a\nb```'));

  test('too long: drops the first lines and keeps the last', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const block = tailCodeBlock(lines, 1000);
    expect(block.length).toBeLessThanOrEqual(1000);
    expect(block.startsWith('```…')).toBe(true);
    expect(block.endsWith(`line 99 ${'x'.repeat(40)}\`\`\``)).toBe(true);
    expect(block).not.toContain('line 0 ');
  });

  test('a cut never starts inside an entity', () => {
    const block = tailCodeBlock(['<'.repeat(500)], 108);
    expect(block).toMatch(/^```…(&lt;)+```$/);
  });

  test('``` runs in the log cannot close the block', () => {
    const block = tailCodeBlock(['before ``` after'], 200);
    expect(block.slice(3, -3)).not.toContain('```');
  });
});

describe('withEvidence', () => {
  const log = Array.from({ length: 25 }, (_, i) => `2026-11-30T09:00:${String(i).padStart(2, '0')}Z line ${i}`);
  log[20] = 'connecting with password=hunter2';
  log[21] = 'notify <!channel> and <@U123> <https://evil.example|click>';

  test('the log tail is redacted, escaped and ends with the last line', () => {
    const m = withEvidence(base, { log: { text: log.join('\n') + '\n', container: 'app', previous: true, lines: 20 } });
    const blocks = textOf(m);
    expect(blocks).toContain('last 20 log lines of the previous run of app');
    expect(blocks).toContain('password=[REDACTED]');
    expect(blocks).not.toContain('hunter2');
    expect(blocks).toContain('&lt;!channel&gt;');
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).not.toContain('<@U123>');
    expect(blocks).not.toContain('line 4\\n'); // 25 lines, the last 20 shown
    expect(blocks).toContain('line 24```');
    expect(m.text).not.toContain('hunter2');
    expect(m.text).not.toContain('<!channel>');
  });

  test('user patterns apply to logs and warnings', () => {
    const m = withEvidence(base, {
      log: { text: 'customer cust-123456 failed', container: 'app', previous: false, lines: 20 },
      warnings: [{ reason: 'Failed', count: 1, message: 'for cust-654321', lastAt: 1 }],
      redactions: [/cust-\d{6}/g],
    });
    expect(textOf(m)).not.toMatch(/cust-\d/);
    expect(textOf(m)).toContain('current run of app');
  });

  test('unavailable logs are said once, in plain words', () => {
    const m = withEvidence(base, { logUnavailable: 'logs unavailable: forbidden (podbell may not get pods/log)' });
    expect(textOf(m)).toContain('logs unavailable: forbidden');
  });

  test('warnings are folded lines, latest first', () => {
    const lines = warningLines([
      { reason: 'BackOff', count: 9, message: 'Back-off restarting failed container app', lastAt: 5 },
      { reason: 'Unhealthy', count: 12, message: 'Liveness probe failed: HTTP probe failed with statuscode: 500', lastAt: 9 },
    ]);
    expect(lines).toEqual(['Unhealthy ×12: Liveness probe failed: HTTP probe failed with statuscode: 500', 'BackOff ×9: Back-off restarting failed container app']);
  });

  test('stays within Slack limits with a huge log and many warnings', () => {
    const huge = Array.from({ length: 20 }, () => 'y'.repeat(100_000)).join('\n');
    const warnings = Array.from({ length: 5 }, (_, i) => ({ reason: `R${i}`, count: 1, message: 'z'.repeat(5000), lastAt: i }));
    const m = withEvidence(base, { log: { text: huge, container: 'app', previous: true, lines: 20 }, warnings });
    expect(m.text.length).toBeLessThanOrEqual(4000);
    for (const b of m.blocks as { text?: { text: string } }[]) if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('WarningBuffer', () => {
  const ev = (pod: string, reason: string, at: number, count = 1, uid?: string) => ({ namespace: 'shop', pod, reason, message: `${reason} at ${at}`, count, at, uid });

  test('folds by reason with counts and the latest message', () => {
    const b = new WarningBuffer();
    b.add(ev('p', 'Unhealthy', 1000), 1000);
    b.add(ev('p', 'Unhealthy', 2000, 2), 2000);
    b.add(ev('p', 'BackOff', 3000), 3000);
    expect(b.of('shop', 'p', undefined, 3000)).toEqual([
      { reason: 'BackOff', count: 1, message: 'BackOff at 3000', lastAt: 3000 },
      { reason: 'Unhealthy', count: 3, message: 'Unhealthy at 2000', lastAt: 2000 },
    ]);
  });

  test('forgets what is older than the window, and deleted pods', () => {
    const b = new WarningBuffer({ windowMs: 60_000 });
    b.add(ev('p', 'Unhealthy', 0), 0);
    expect(b.of('shop', 'p', undefined, 61_000)).toEqual([]);
    b.add(ev('q', 'Failed', 0), 0);
    b.deletePod('shop', 'q');
    expect(b.size).toBe(1);
    b.prune(61_000);
    expect(b.size).toBe(0);
  });

  test('bounded: reasons per pod and pods in all', () => {
    const b = new WarningBuffer({ reasonsPerPod: 2, maxPods: 3 });
    for (const r of ['A', 'B', 'C']) b.add(ev('p', r, r.charCodeAt(0)), 100);
    expect(b.of('shop', 'p', undefined, 100).map((f) => f.reason)).toEqual(['C', 'B']);
    for (const pod of ['q', 'r', 's']) b.add(ev(pod, 'X', 50), 100);
    expect(b.size).toBe(3);
    expect(b.of('shop', 'p', undefined, 100)).toEqual([]);
  });

  test('a new pod with an old name does not inherit its warnings', () => {
    const b = new WarningBuffer();
    b.add(ev('db-0', 'FailedMount', 10, 1, 'uid-1'), 10);
    expect(b.of('shop', 'db-0', 'uid-2', 20)).toEqual([]);
    expect(b.of('shop', 'db-0', 'uid-1', 20)).toHaveLength(1);
  });
});
