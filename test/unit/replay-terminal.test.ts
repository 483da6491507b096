import { buildConversation, emptyConversation, type ConversationCall } from '../../src/terminal/conversation.js';
import { blocksToText, emojify, mrkdwnToText, stripControl } from '../../src/terminal/mrkdwn.js';
import { renderCallLive, renderCalls } from '../../src/terminal/render.js';

const post = (at: string, ts: string, text: string, thread_ts: string | null = null, channel = '#alerts'): ConversationCall => ({ at: `2026-11-21T${at}.000Z`, method: 'chat.postMessage', channel, ts, thread_ts, text, blocks: null });
const update = (at: string, ts: string, text: string, channel = '#alerts'): ConversationCall => ({ at: `2026-11-21T${at}.000Z`, method: 'chat.update', channel, ts, thread_ts: null, text, blocks: null });

describe('terminal rendering of Slack threads', () => {
  test('a parent edited three times shows once, in its latest version, with replies nested under it', () => {
    const out = renderCalls(
      [
        post('09:00:10', '1.000001', 'checkout v1'),
        post('09:00:25', '1.000002', 'pod a failed', '1.000001'),
        update('09:00:25', '1.000001', 'checkout v2'),
        post('09:00:40', '1.000003', 'pod b failed', '1.000001'),
        update('09:00:40', '1.000001', 'checkout v3'),
        update('09:05:40', '1.000001', 'checkout resolved\nsince 09:00'),
      ],
      { color: false },
    );
    expect(out).toBe(
      [
        '#alerts',
        '[09:00:10] checkout resolved (edited 3×, last 09:05:40)',
        '           since 09:00',
        '   └ [09:00:25] pod a failed',
        '   └ [09:00:40] pod b failed',
        '',
      ].join('\n'),
    );
  });

  test('channels appear in order of first use, each with its own threads; an edit names no count when made once', () => {
    const out = renderCalls([post('09:00:00', '1.1', 'in alerts'), post('09:00:01', '1.2', 'in payments', null, '#team-payments'), update('09:00:30', '1.2', 'payments v2', '#team-payments')], { color: false });
    expect(out).toBe(['#alerts', '[09:00:00] in alerts', '', '#team-payments', '[09:00:01] payments v2 (edited, last 09:00:30)', ''].join('\n'));
  });

  test('times carry the date when the conversation spans days', () => {
    const out = renderCalls([post('09:00:00', '1.1', 'a'), { ...post('09:00:00', '2.1', 'b'), at: '2026-11-22T01:00:00.000Z' }], { color: false });
    expect(out).toContain('[11-21 09:00:00] a');
    expect(out).toContain('[11-22 01:00:00] b');
  });

  test('blocks are shown when they render, the text fallback otherwise', () => {
    const withBlocks: ConversationCall = { ...post('09:00:00', '1.1', 'fallback'), blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Title' } }, { type: 'section', text: { type: 'mrkdwn', text: '*bold* &lt;x&gt;' } }, { type: 'divider' }, { type: 'context', elements: [{ type: 'mrkdwn', text: 'ctx' }] }] };
    const unknownBlocks: ConversationCall = { ...post('09:00:01', '1.2', 'only text'), blocks: [{ type: 'video' }] };
    const out = renderCalls([withBlocks, unknownBlocks], { color: false });
    expect(out).toContain('[09:00:00] Title\n           bold <x>\n           ────────\n           ctx');
    expect(out).toContain('[09:00:01] only text');
  });

  test('a reply to an unknown thread or an edit of an unknown message is noted, not lost or crashing', () => {
    const conv = buildConversation([post('09:00:00', '1.1', 'orphan', '9.9'), update('09:00:01', '7.7', 'nothing')]);
    expect(conv.channels[0]!.messages.map((m) => m.text)).toEqual(['orphan']);
    expect(conv.notes).toHaveLength(2);
    expect(renderCalls([update('09:00:01', '7.7', 'nothing')], { color: false })).toContain('note: ');
  });

  test('colour only when asked', () => {
    const calls = [post('09:00:00', '1.1', 'x'), update('09:00:09', '1.1', 'y')];
    expect(renderCalls(calls, { color: false })).not.toContain('\u001b[');
    expect(renderCalls(calls, { color: true })).toContain('\u001b[');
    expect(() => renderCalls(calls, {} as never)).toThrow(TypeError);
  });
});

describe('live rendering, one call at a time (the demo)', () => {
  test('new threads, replies under their thread title, and edits with their count', () => {
    const conv = emptyConversation();
    const live = (c: ConversationCall) => renderCallLive(conv, c, { color: false });
    expect(live(post('09:00:10', '1.1', 'checkout · Deployment · shop\nCrashLoopBackOff ×1'))).toBe('[09:00:10] #alerts  checkout · Deployment · shop\n                    CrashLoopBackOff ×1\n');
    expect(live(post('09:00:25', '1.2', 'pod a &lt;failed&gt;', '1.1'))).toBe('[09:00:25] #alerts    └ pod a <failed>   (in checkout · Deployment · shop)\n');
    expect(live(update('09:00:40', '1.1', 'checkout v2'))).toBe('[09:00:40] #alerts  ✎ checkout v2 (edit 1)\n');
    expect(live(update('09:00:41', '9.9', 'ghost'))).toMatch(/^note: .*unknown message 9\.9/);
    // The live view and the final view agree on what the channel holds.
    expect(renderCalls([post('09:00:10', '1.1', 'x'), post('09:00:25', '1.2', 'y', '1.1')], { color: false })).toContain('   └ [09:00:25] y');
  });
});

describe('mrkdwn to terminal text', () => {
  test.each([
    ['entities are decoded once, &amp; last', 'a &lt;b&gt; &amp;lt; c', 'a <b> &lt; c'],
    ['a labelled link shows label and url', 'see <https://x.example/a|the runbook>', 'see the runbook (https://x.example/a)'],
    ['a bare link shows the url', '<https://x.example/a>', 'https://x.example/a'],
    ['user and channel mentions', '<@U123> in <#C42|ops>', '@U123 in #ops'],
    ['special mentions', '<!here> <!date^1700000000^{date}|Nov 14>', '@here Nov 14'],
    ['bold, italic and strike markers are dropped', '*checkout* _slow_ ~old~', 'checkout slow old'],
    ['snake_case and arithmetic stay as written', 'max_conn_count 2*3*4', 'max_conn_count 2*3*4'],
    ['known emoji shortcodes become emoji', ':red_circle: down :white_check_mark:', '🔴 down ✅'],
    ['unknown shortcodes and clock times stay', ':custom_thing: at 10:30:00', ':custom_thing: at 10:30:00'],
    ['inline code loses its backticks', 'pod `checkout-abc` restarted', 'pod checkout-abc restarted'],
    ['code blocks lose their fences and are indented', '```\nline 1\nline 2\n```', '    line 1\n    line 2'],
    ['terminal control characters from cluster text are removed', 'ok\u001b[2J\u001b]0;pwned\u0007 done\r\nnext', 'ok[2J]0;pwned done\nnext'],
  ])('%s', (_name, input, expected) => {
    expect(mrkdwnToText(input)).toBe(expected);
  });

  test('bold becomes ANSI bold only with colour', () => {
    expect(mrkdwnToText('*x*', { color: true })).toBe('\u001b[1mx\u001b[22m');
  });

  test('helpers: stripControl keeps tabs and newlines; emojify leaves text alone', () => {
    expect(stripControl('a\tb\nc\u0000')).toBe('a\tb\nc');
    expect(emojify('plain')).toBe('plain');
    expect(blocksToText([])).toBeUndefined();
    expect(blocksToText(null)).toBeUndefined();
  });
});
