/**
 * How a new parent links the earlier thread of the same workload: a line at the end of the text,
 * and a context block when Slack's 50-block limit leaves room. One place, because `podbell replay`
 * must record exactly what the real sender posts.
 */
export function withPreviousThreadLink<B extends readonly unknown[] | null | undefined>(
  text: string,
  blocks: B,
  permalink: string | undefined,
): { text: string; blocks: B | unknown[] } {
  if (permalink === undefined) return { text, blocks };
  const link = `<${permalink}|Previous thread>`;
  return {
    text: `${text}\n${link}`,
    blocks: blocks && blocks.length < 50 ? [...blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: link }] }] : blocks,
  };
}
