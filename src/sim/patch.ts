import { badRequest, SimApiError } from './errors.js';
import { isObj, type Obj } from '../core/json.js';

/** The patch formats kubectl sends, applied the way the API server does for pods and namespaces. */

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** List fields merged element-wise by a key (the patchMergeKey of the Go types); other lists replace. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  ephemeralContainerStatuses: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  env: 'name',
  ports: 'containerPort',
  conditions: 'type',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  podIPs: 'ip',
};
/** Lists of scalars merged as sets. */
const SET_LISTS = new Set(['finalizers']);

/**
 * Strategic merge patch: like a merge patch, but lists of containers, statuses, conditions... merge
 * by their key; `$patch: delete|replace` directives are honoured; other `$` directives (element order,
 * retainKeys) only affect ordering or pruning and are dropped.
 */
export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) return mergeList(Array.isArray(target) ? target : [], patch, field);
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else {
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}

function mergeList(target: unknown[], patch: unknown[], field: string): unknown[] {
  const key = MERGE_KEYS[field];
  if (SET_LISTS.has(field)) return [...new Set([...target, ...patch])];
  if (!key) return stripDirectives(patch) as unknown[];
  const out = target.map((t) => structuredClone(t));
  for (const p of patch) {
    if (!isObj(p)) continue;
    const i = out.findIndex((t) => isObj(t) && t[key] === p[key]);
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMerge(out[i], p, '');
    else out.push(stripDirectives(p));
  }
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

// ---- RFC 6902 JSON patch ----

interface Op {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
}

const pointer = (path: string): string[] => {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch: path ${JSON.stringify(path)} must start with /`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
};

function parentOf(doc: unknown, parts: string[], path: string): { parent: Obj | unknown[]; last: string } {
  let cur: unknown = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (cur === undefined) throw new SimApiError(422, 'Invalid', `json patch: path ${path} does not exist`);
  }
  if (!Array.isArray(cur) && !isObj(cur)) throw new SimApiError(422, 'Invalid', `json patch: path ${path} does not exist`);
  return { parent: cur, last: parts[parts.length - 1]! };
}

function getAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const p of pointer(path)) cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
  if (cur === undefined) throw new SimApiError(422, 'Invalid', `json patch: path ${path} does not exist`);
  return cur;
}

function removeAt(doc: unknown, path: string): unknown {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
  const v = parent[last];
  if (v === undefined) throw new SimApiError(422, 'Invalid', `json patch: path ${path} does not exist`);
  delete parent[last];
  return v;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else {
    if (replace && !(last in parent)) throw new SimApiError(422, 'Invalid', `json patch: path ${path} does not exist`);
    parent[last] = structuredClone(value);
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch: body must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops) {
    const o = raw as Op;
    switch (o?.op) {
      case 'add':
        doc = addAt(doc, o.path, o.value, false);
        break;
      case 'replace':
        doc = addAt(doc, o.path, o.value, true);
        break;
      case 'remove':
        removeAt(doc, o.path);
        break;
      case 'move': {
        const v = removeAt(doc, o.from ?? '');
        doc = addAt(doc, o.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, o.path, getAt(doc, o.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, o.path)) !== JSON.stringify(o.value)) throw new SimApiError(422, 'Invalid', `json patch: test failed at ${o.path}`);
        break;
      default:
        throw badRequest(`json patch: unknown op ${JSON.stringify(o?.op)}`);
    }
  }
  return doc;
}
