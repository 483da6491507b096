import { type Obj, obj } from '../core/json.js';
/**
 * Slack mrkdwn and Block Kit back to text a terminal can show: control sequences (<url|label>,
 * <@U123>, <!here>) become what Slack would display, entities are decoded, emoji shortcodes become
 * the emoji, and terminal control characters from untrusted cluster text are removed so a pod
 * message cannot move the cursor or recolour the screen.
 */

export interface TextStyle {
  /** ANSI bold for *bold*; off: the markers are simply dropped. */
  readonly color: boolean;
}

const EMOJI: Readonly<Record<string, string>> = {
  red_circle: '🔴',
  large_red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  rotating_light: '🚨',
  warning: '⚠️',
  x: '❌',
  fire: '🔥',
  bell: '🔔',
  no_bell: '🔕',
  repeat: '🔁',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  zzz: '💤',
  boom: '💥',
  skull: '💀',
  information_source: 'ℹ️',
  link: '🔗',
  memo: '📝',
  mag: '🔍',
  arrows_counterclockwise: '🔄',
};

/** Removes C0/C1 control characters except newline and tab (ANSI escapes start with ESC or CSI). */
export function stripControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** `:red_circle:` -> 🔴 for the shortcodes podbell and Slack commonly use; unknown ones stay as written. */
export function emojify(s: string): string {
  return s.replace(/(?<![\w:]):([a-z][a-z0-9_+-]*):(?![\w:])/g, (all, name: string) => EMOJI[name] ?? all);
}

/** Slack's control sequences, as Slack displays them. */
function controls(s: string): string {
  return s.replace(/<([^<>\n]*)>/g, (_all, inner: string) => {
    const bar = inner.indexOf('|');
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? inner.slice(bar + 1) : undefined;
    if (target.startsWith('@')) return label ? `@${label}` : target;
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) {
      if (label) return label;
      const name = target.slice(1).split('^')[0];
      return `@${name}`;
    }
    return label && label !== target ? `${label} (${target})` : target;
  });
}

const decodeEntities = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** One mrkdwn string as readable text. */
export function mrkdwnToText(s: string, style: TextStyle = { color: false }): string {
  let out = stripControl(s);
  out = out.replace(/```\n?([\s\S]*?)\n?```/g, (_all, code: string) => code.split('\n').map((l) => `    ${l}`).join('\n'));
  out = controls(out);
  out = out.replace(/`([^`\n]+)`/g, (_all, code: string) => (style.color ? `\u001b[36m${code}\u001b[39m` : code));
  out = out.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,;:!?])/gm, (_all, pre: string, body: string) => (style.color ? `${pre}\u001b[1m${body}\u001b[22m` : `${pre}${body}`));
  out = out.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,;:!?])/gm, '$1$2');
  out = out.replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,;:!?])/gm, '$1$2');
  return emojify(decodeEntities(out));
}


/** A text object ({type: mrkdwn|plain_text, text}) as text. */
function textObject(v: unknown, style: TextStyle): string | undefined {
  const t = obj(v);
  if (!t || typeof t.text !== 'string') return undefined;
  return t.type === 'mrkdwn' ? mrkdwnToText(t.text, style) : emojify(stripControl(t.text));
}

function richText(elements: unknown, style: TextStyle): string {
  const parts: string[] = [];
  for (const el of Array.isArray(elements) ? elements : []) {
    const e = obj(el);
    if (!e) continue;
    if (typeof e.text === 'string') parts.push(stripControl(e.text));
    else if (e.type === 'emoji' && typeof e.name === 'string') parts.push(EMOJI[e.name] ?? `:${e.name}:`);
    else if (e.type === 'link' && typeof e.url === 'string') parts.push(stripControl(e.url));
    else if (e.type === 'user' && typeof e.user_id === 'string') parts.push(`@${e.user_id}`);
    else if (Array.isArray(e.elements)) parts.push(richText(e.elements, style));
  }
  return parts.join('');
}

/**
 * Block Kit blocks as the lines Slack would show, or undefined when none can be shown (the caller
 * then shows the text fallback, as Slack does).
 */
export function blocksToText(blocks: readonly unknown[] | null | undefined, style: TextStyle = { color: false }): string | undefined {
  if (!blocks || blocks.length === 0) return undefined;
  const lines: string[] = [];
  for (const raw of blocks) {
    const b = obj(raw);
    if (!b) continue;
    switch (b.type) {
      case 'header': {
        const t = textObject(b.text, style);
        if (t !== undefined) lines.push(style.color ? `\u001b[1m${t}\u001b[22m` : t);
        break;
      }
      case 'section': {
        const t = textObject(b.text, style);
        if (t !== undefined) lines.push(t);
        const fields = (Array.isArray(b.fields) ? b.fields : []).map((f) => textObject(f, style)).filter((f): f is string => f !== undefined);
        if (fields.length > 0) lines.push(fields.join('   '));
        break;
      }
      case 'context': {
        const parts = (Array.isArray(b.elements) ? b.elements : [])
          .map((e) => textObject(e, style) ?? (typeof obj(e)?.alt_text === 'string' ? stripControl(obj(e)!.alt_text as string) : undefined))
          .filter((p): p is string => p !== undefined);
        if (parts.length > 0) lines.push(parts.join('  '));
        break;
      }
      case 'divider':
        lines.push('────────');
        break;
      case 'markdown':
        if (typeof b.text === 'string') lines.push(decodeEntities(stripControl(b.text)));
        break;
      case 'rich_text':
        lines.push(richText(b.elements, style));
        break;
      default:
        break;
    }
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}
