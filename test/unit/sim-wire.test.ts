import { SimCluster, startSimServer, type SimServer } from '../../src/sim/index.js';
import { decodeProtobufObject } from '../../src/sim/protobuf.js';

/** What the sim reads and serves beyond JSON objects: body media types and OpenAPI documents. */
let sim: SimCluster;
let server: SimServer;

beforeEach(async () => {
  sim = new SimCluster();
  server = await startSimServer({ cluster: sim });
});
afterEach(async () => {
  await server.close();
});

const post = (path: string, body: string | Buffer, type: string) => fetch(server.url + path, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'Content-Type': type } });

/** The bytes kubectl 1.35 sent for `kubectl create namespace shop` (captured from its request). */
const CREATE_NS_SHOP = Buffer.from('6b3873000a0f0a02763112094e616d657370616365121c0a140a0473686f7012001a0022002a0032003800420012001a020a001a002200', 'hex');

test('a body in a format the sim cannot read is 415 with the types it reads, not a JSON parse error', async () => {
  const res = await post('/api/v1/namespaces', 'metadata: {name: shop}', 'application/yaml');
  expect(res.status).toBe(415);
  expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415, message: expect.stringContaining('accepted media types include: application/json, application/vnd.kubernetes.protobuf') });
  expect(sim.get('namespaces', undefined, 'shop')).toBeUndefined();
});

test('the protobuf kubectl sends for `create namespace` creates the namespace', async () => {
  const res = await post('/api/v1/namespaces', CREATE_NS_SHOP, 'application/vnd.kubernetes.protobuf');
  expect(res.status).toBe(201);
  expect(sim.get('namespaces', undefined, 'shop')).toMatchObject({ kind: 'Namespace', metadata: { name: 'shop' }, status: { phase: 'Active' } });
});

test('a protobuf body of a kind the sim does not decode is 415 naming JSON; a body without the magic is 400', async () => {
  const pod = Buffer.concat([Buffer.from('k8s\0'), Buffer.from('0a090a02763112035' + '06f64', 'hex')]);
  expect(() => decodeProtobufObject(pod)).toThrow(/only for v1 Namespace, ConfigMap, not v1 Pod; send application\/json/);
  const res = await post('/api/v1/namespaces/default/pods', pod, 'application/vnd.kubernetes.protobuf');
  expect(res.status).toBe(415);
  expect(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}'))).toThrow(/does not start with the k8s magic number/);
});

test('a pod created in a namespace that does not exist is 404 namespaces "x" not found', async () => {
  const res = await post('/api/v1/namespaces/nope/pods', JSON.stringify({ metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'i' }] } }), 'application/json');
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ reason: 'NotFound', message: 'namespaces "nope" not found' });
  expect(sim.get('namespaces', undefined, 'nope')).toBeUndefined();
});

test('OpenAPI: v3 root points at the core document; v2 is JSON; a protobuf-only client gets 406', async () => {
  const root = (await (await fetch(`${server.url}/openapi/v3`)).json()) as { paths: Record<string, { serverRelativeURL: string }> };
  const core = (await (await fetch(server.url + root.paths['api/v1']!.serverRelativeURL)).json()) as { components: { schemas: Record<string, any> }; paths: Record<string, any> };
  const pod = core.components.schemas['io.k8s.api.core.v1.Pod'];
  expect(pod['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
  expect(core.components.schemas['io.k8s.api.core.v1.Container'].properties.image).toEqual({ type: 'string' });
  expect(core.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.labels).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
  // kubectl apply leaves validation to the server when PATCH takes fieldValidation.
  expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  const v2 = (await (await fetch(`${server.url}/openapi/v2`, { headers: { Accept: 'application/json' } })).json()) as { swagger: string; definitions: Record<string, any> };
  expect(v2.swagger).toBe('2.0');
  expect(v2.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers.items).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.Container' });
  expect((await fetch(`${server.url}/openapi/v2`, { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } })).status).toBe(406);
});

test('kinds map to their client-node models, core/v1 Event included; a kind without one gets no schema', async () => {
  const { modelOf, schemaName } = await import('../../src/sim/openapi.js');
  expect(modelOf('Pod')).toBe('V1Pod');
  expect(modelOf('Event')).toBe('CoreV1Event');
  expect(schemaName('CoreV1Event')).toBe('io.k8s.api.core.v1.Event');
  expect(modelOf('NoSuchKind')).toBeUndefined();
});
