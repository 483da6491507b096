import type { ServerResponse } from 'node:http';
import { isObj } from '../core/json.js';
import { SimApiError } from './errors.js';
import { SIM_KINDS, type SimResource } from './store.js';

type Schema = Record<string, unknown>;

/**
 * Server-side field validation of a create, update or patch body, as on a real API server: unknown
 * fields fail the request with `fieldValidation=Strict` (what kubectl's create and apply send: the
 * sim's OpenAPI says PATCH takes the parameter, so kubectl leaves validation to the server); with
 * `Warn` or `Ignore` they are dropped from `body` (mutated), with a Warning header per field for Warn.
 * Without the parameter the sim keeps the body as sent (a real server defaults to Warn): checking
 * loads every client-node model (about 1 s and 30 MB), which tests and podbell's own writes skip.
 */
export async function validateFields(url: URL, res: ServerResponse, resource: SimResource, body: unknown): Promise<void> {
  const mode = url.searchParams.get('fieldValidation');
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') return;
  const { modelOf, openApiV3CoreDocument, schemaName } = await import('./openapi.js');
  const model = modelOf(SIM_KINDS[resource]);
  if (model === undefined) return;
  const schemas = openApiV3CoreDocument().components.schemas;
  const unknown: Unknown[] = [];
  walk(schemas, schemas[schemaName(model)], body, '', unknown);
  if (unknown.length === 0) return;
  const fields = unknown.map((u) => `unknown field ${JSON.stringify(u.path)}`);
  if (mode === 'Strict') {
    const kind = SIM_KINDS[resource];
    throw new SimApiError(400, 'BadRequest', `${kind} in version "v1" cannot be handled as a ${kind}: strict decoding error: ${fields.join(', ')}`);
  }
  for (const u of unknown) delete u.parent[u.key];
  if (mode !== 'Ignore') res.setHeader('Warning', fields.map((f) => `299 - ${JSON.stringify(f)}`));
}

interface Unknown {
  readonly path: string;
  readonly parent: Record<string, unknown>;
  readonly key: string;
}

/** `{allOf: [{$ref}]}` or `{$ref}` to the schema it names. */
function resolve(schemas: Record<string, Schema>, s: unknown): Schema | undefined {
  if (!isObj(s)) return undefined;
  const ref = typeof s.$ref === 'string' ? s.$ref : Array.isArray(s.allOf) && isObj(s.allOf[0]) ? s.allOf[0].$ref : undefined;
  return typeof ref === 'string' ? schemas[ref.slice(ref.lastIndexOf('/') + 1)] : s;
}

function walk(schemas: Record<string, Schema>, schemaOrRef: unknown, value: unknown, path: string, out: Unknown[]): void {
  const s = resolve(schemas, schemaOrRef);
  if (!s || s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-int-or-string']) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(schemas, s.items, v, `${path}[${i}]`, out));
    return;
  }
  if (!isObj(value)) return;
  const properties = isObj(s.properties) ? s.properties : undefined;
  for (const [k, v] of Object.entries(value)) {
    // Strategic merge patch directives ($patch, $setElementOrder/..., $retainKeys) are not fields.
    if (k.startsWith('$')) continue;
    const at = path === '' ? k : `${path}.${k}`;
    if (properties) {
      if (!(k in properties)) out.push({ path: at, parent: value, key: k });
      else walk(schemas, properties[k], v, at, out);
    } else if (s.additionalProperties !== undefined) walk(schemas, s.additionalProperties, v, at, out);
  }
}
