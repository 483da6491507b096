import { badRequest } from './errors.js';
import { type Obj, objOrEmpty as obj } from '../core/json.js';

export type Matcher = (o: Obj) => boolean;


/** Splits on commas that are not inside parentheses (`env in (a,b),tier`). */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out.filter((t) => t !== '');
}

/** A label selector as kubectl sends it: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function labelSelector(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  const tests: Matcher[] = terms(text).map((t) => {
    let m: RegExpExecArray | null;
    const labels = (o: Obj) => obj(obj(o.metadata).labels);
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const [, key, op, list] = m;
      const values = new Set(list!.split(',').map((v) => v.trim()));
      return op === 'in'
        ? (o) => typeof labels(o)[key!] === 'string' && values.has(labels(o)[key!] as string)
        : (o) => !(typeof labels(o)[key!] === 'string' && values.has(labels(o)[key!] as string));
    }
    if ((m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(t))) {
      const [, key, op, value] = m;
      return op === '!=' ? (o) => labels(o)[key!] !== value : (o) => labels(o)[key!] === value;
    }
    if ((m = /^!\s*([^\s!=]+)$/.exec(t))) return (o) => !(m![1]! in labels(o));
    if ((m = /^([^\s!=()]+)$/.exec(t))) return (o) => m![1]! in labels(o);
    throw badRequest(`unable to parse requirement: ${JSON.stringify(t)} in labelSelector ${JSON.stringify(text)}`);
  });
  return (o) => tests.every((f) => f(o));
}

const FIELDS: Record<string, (o: Obj) => string> = {
  'metadata.name': (o) => String(obj(o.metadata).name ?? ''),
  'metadata.namespace': (o) => String(obj(o.metadata).namespace ?? ''),
  'spec.nodeName': (o) => String(obj(o.spec).nodeName ?? ''),
  'status.phase': (o) => String(obj(o.status).phase ?? ''),
  // Events (core/v1): the fields the real server indexes for them.
  type: (o) => String(o.type ?? ''),
  reason: (o) => String(o.reason ?? ''),
  'involvedObject.kind': (o) => String(obj(o.involvedObject).kind ?? ''),
  'involvedObject.name': (o) => String(obj(o.involvedObject).name ?? ''),
  'involvedObject.namespace': (o) => String(obj(o.involvedObject).namespace ?? ''),
  'involvedObject.uid': (o) => String(obj(o.involvedObject).uid ?? ''),
  'involvedObject.fieldPath': (o) => String(obj(o.involvedObject).fieldPath ?? ''),
  'involvedObject.apiVersion': (o) => String(obj(o.involvedObject).apiVersion ?? ''),
  'involvedObject.resourceVersion': (o) => String(obj(o.involvedObject).resourceVersion ?? ''),
};

/** A field selector over the fields the real API server indexes for pods and namespaces. */
export function fieldSelector(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  const tests: Matcher[] = terms(text).map((t) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw badRequest(`invalid field selector: ${JSON.stringify(t)}`);
    const [, field, op, value] = m;
    const get = FIELDS[field!];
    if (!get) throw badRequest(`field label not supported: ${field}`);
    return op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value;
  });
  return (o) => tests.every((f) => f(o));
}
