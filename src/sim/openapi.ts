import * as models from '@kubernetes/client-node/dist/gen/models/all.js';
import { createHash } from 'node:crypto';
import { SIM_KINDS, type SimResource } from './store.js';

/**
 * The OpenAPI documents of the simulated API server, generated from the model type maps that ship in
 * @kubernetes/client-node (itself generated from the Kubernetes OpenAPI spec), so no copy of the schema
 * lives here. kubectl reads them: `explain` (OpenAPI v3) and `apply`'s validation, which asks the v3
 * document whether PATCH takes `fieldValidation` and, when it does, leaves validation to the server.
 *
 * Loaded only when a client asks for /openapi (it evaluates every client-node model).
 */

interface Attribute {
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}
type ModelClass = { readonly attributeTypeMap?: readonly Attribute[] };
type Schema = Record<string, unknown>;

const MODELS = models as unknown as Record<string, ModelClass | undefined>;

/** apimachinery's meta/v1 types keep their real names; everything else here is core/v1. */
const META_TYPES = new Set(['ObjectMeta', 'ManagedFieldsEntry', 'OwnerReference', 'ListMeta', 'Status', 'StatusDetails', 'StatusCause', 'Time', 'MicroTime', 'LabelSelector', 'LabelSelectorRequirement']);

/** The client-node model of a kind the sim holds (`Pod` -> `V1Pod`; core/v1 Event is `CoreV1Event`). */
export function modelOf(kind: string): string | undefined {
  return [`V1${kind}`, `CoreV1${kind}`].find((m) => MODELS[m]?.attributeTypeMap !== undefined);
}

/** `V1PodSpec` -> `io.k8s.api.core.v1.PodSpec`, the names a real server's documents use. */
export function schemaName(model: string): string {
  const m = /^(?:Core)?V1([A-Z]\w*)$/.exec(model);
  if (!m) return `io.k8s.clientnode.${model}`;
  return META_TYPES.has(m[1]!) ? `io.k8s.apimachinery.pkg.apis.meta.v1.${m[1]}` : `io.k8s.api.core.v1.${m[1]}`;
}

const KIND_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Pod: 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
  Namespace: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
  ConfigMap: 'ConfigMap holds configuration data for pods to consume.',
};

/** One client-node type string (`Array<V1Container>`, `{ [key: string]: string; }`, `IntOrString`...) as an OpenAPI schema. */
function typeSchema(type: string, format: string, ref: (model: string) => Schema): Schema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: typeSchema(array[1]!, '', ref) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, '', ref) };
  switch (type) {
    case 'string':
      return { type: 'string', ...(format && { format }) };
    case 'Date':
      return { type: 'string', format: 'date-time' };
    case 'number':
      return format === 'double' || format === 'float' ? { type: 'number', format } : { type: 'integer', ...(format && { format }) };
    case 'boolean':
      return { type: 'boolean' };
    case 'IntOrString':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
    case 'object':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      return MODELS[type]?.attributeTypeMap ? ref(type) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** components.schemas for the kinds the sim holds and every type they reach. */
function kindSchemas(v3: boolean): Record<string, Schema> {
  const schemas: Record<string, Schema> = {};
  const prefix = v3 ? '#/components/schemas/' : '#/definitions/';
  const visit = (model: string): void => {
    const name = schemaName(model);
    if (name in schemas) return;
    schemas[name] = {};
    const properties: Record<string, Schema> = {};
    for (const a of MODELS[model]!.attributeTypeMap!) {
      properties[a.baseName] = typeSchema(a.type, a.format, (m) => {
        visit(m);
        // v3 wraps a $ref in allOf so it can carry siblings; kubectl reads both shapes.
        return v3 ? { allOf: [{ $ref: `${prefix}${schemaName(m)}` }] } : { $ref: `${prefix}${schemaName(m)}` };
      });
    }
    schemas[name] = { type: 'object', properties };
  };
  for (const kind of Object.values(SIM_KINDS)) {
    // A kind without a client-node model gets no schema (and no validation) rather than no documents.
    const model = modelOf(kind);
    if (model === undefined) continue;
    visit(model);
    const s = schemas[schemaName(model)]!;
    Object.assign(s, { description: KIND_DESCRIPTIONS[kind], 'x-kubernetes-group-version-kind': [{ group: '', kind, version: 'v1' }] });
  }
  return schemas;
}

const GVK = (kind: string) => ({ 'x-kubernetes-group-version-kind': { group: '', kind, version: 'v1' } });
const query = (name: string, type = 'string') => ({ name, in: 'query', schema: { type }, description: name });

/** Operations of one path, with the query parameters kubectl looks for (fieldValidation on PATCH). */
function operations(resource: SimResource, named: boolean, v3: boolean): Schema {
  const kind = SIM_KINDS[resource];
  const model = modelOf(kind) ?? `V1${kind}`;
  const body = (schema: string) => (v3 ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } } : { schema: { $ref: `#/definitions/${schema}` } });
  const param = (p: ReturnType<typeof query>) => (v3 ? p : { name: p.name, in: p.in, type: p.schema.type, uniqueItems: true });
  const ok = { '200': { description: 'OK', ...body(schemaName(model)) } };
  const op = (action: string, extra: string[] = []) => ({
    operationId: `${action}${kind}`,
    'x-kubernetes-action': action,
    ...GVK(kind),
    parameters: [...extra.map((n) => param(query(n)))],
    responses: ok,
  });
  const write = ['dryRun', 'fieldManager', 'fieldValidation'];
  if (named) return { get: op('get'), put: op('put', write), patch: op('patch', [...write, 'force']), delete: op('delete', ['dryRun']) };
  return { get: op('list', ['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch']), post: op('post', write) };
}

function paths(v3: boolean): Schema {
  const out: Schema = {};
  for (const resource of Object.keys(SIM_KINDS) as SimResource[]) {
    const base = resource === 'namespaces' ? '/api/v1/namespaces' : `/api/v1/namespaces/{namespace}/${resource}`;
    out[base] = operations(resource, false, v3);
    out[`${base}/{name}`] = operations(resource, true, v3);
  }
  return out;
}

const INFO = { title: 'Kubernetes (podbell sim)', version: 'v1.35.0' };

/** The OpenAPI v3 document of the core group (`/openapi/v3/api/v1`). */
export const openApiV3CoreDocument = once(() => ({ openapi: '3.0.0', info: INFO, paths: paths(true), components: { schemas: kindSchemas(true) } }));

/** The OpenAPI v2 (swagger) document, JSON only: kubectl asks for it in protobuf, which the sim does not speak. */
export const openApiV2Document = once(() => ({ swagger: '2.0', info: INFO, paths: paths(false), definitions: kindSchemas(false) }));

/** `/openapi/v3`: where each group's document lives, with a hash clients cache it by. */
export const openApiV3Root = once(() => {
  const hash = createHash('sha512').update(JSON.stringify(openApiV3CoreDocument())).digest('hex').slice(0, 128).toUpperCase();
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${hash}` } } };
});

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
