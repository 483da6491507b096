import { SimApiError } from './errors.js';
import type { Obj } from '../core/json.js';

/**
 * Reads the Kubernetes protobuf bodies kubectl sends for the kinds its typed commands create in the
 * sim (`kubectl create namespace`, `kubectl create configmap`): kubectl 1.35 sends those as
 * `application/vnd.kubernetes.protobuf` and, unlike for CBOR, does not retry as JSON after a 415.
 * Field numbers are those of k8s.io/api/core/v1/generated.proto and apimachinery's meta/v1; fields
 * a client does not set on create (uid, resourceVersion, timestamps...) are skipped.
 */

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Field = { readonly no: number; readonly bytes?: Buffer; readonly int?: number };

const malformed = (why: string) => new SimApiError(400, 'BadRequest', `the protobuf body could not be decoded: ${why}`);

function varint(buf: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 1;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * shift;
    shift *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw malformed('truncated varint');
}

/** The top-level fields of one message, in order. */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    at = next;
    if (wire === 0) {
      const [int, after] = varint(buf, at);
      out.push({ no, int });
      at = after;
    } else if (wire === 2) {
      const [len, after] = varint(buf, at);
      if (after + len > buf.length) throw malformed('a field runs past the end');
      out.push({ no, bytes: buf.subarray(after, after + len) });
      at = after + len;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw malformed(`wire type ${wire}`);
  }
  return out;
}

const text = (f: Field | undefined) => f?.bytes?.toString('utf8') ?? '';
const field = (fs: Field[], no: number) => fs.find((f) => f.no === no);

/** map<string, string> (or bytes, as base64 like JSON): repeated entries of key=1, value=2. */
function map(fs: Field[], no: number, base64 = false): Record<string, string> | undefined {
  const entries = fs.filter((f) => f.no === no && f.bytes);
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e.bytes!);
    const value = field(kv, 2)?.bytes ?? Buffer.alloc(0);
    out[text(field(kv, 1))] = base64 ? value.toString('base64') : value.toString('utf8');
  }
  return out;
}

function objectMeta(buf: Buffer | undefined): Obj {
  const fs = fields(buf ?? Buffer.alloc(0));
  const meta: Obj = {};
  for (const [no, key] of [[1, 'name'], [2, 'generateName'], [3, 'namespace']] as const) if (text(field(fs, no)) !== '') meta[key] = text(field(fs, no));
  const labels = map(fs, 11);
  const annotations = map(fs, 12);
  const finalizers = fs.filter((f) => f.no === 14).map(text);
  return { ...meta, ...(labels && { labels }), ...(annotations && { annotations }), ...(finalizers.length && { finalizers }) };
}

const DECODERS: Readonly<Record<string, (fs: Field[]) => Obj>> = {
  Namespace: (fs) => {
    const finalizers = fields(field(fs, 2)?.bytes ?? Buffer.alloc(0)).filter((f) => f.no === 1).map(text);
    return { metadata: objectMeta(field(fs, 1)?.bytes), ...(finalizers.length && { spec: { finalizers } }) };
  },
  ConfigMap: (fs) => {
    const data = map(fs, 2);
    const binaryData = map(fs, 3, true);
    const immutable = field(fs, 4)?.int;
    return { metadata: objectMeta(field(fs, 1)?.bytes), ...(data && { data }), ...(binaryData && { binaryData }), ...(immutable !== undefined && { immutable: immutable !== 0 }) };
  },
};

/** Kinds whose protobuf bodies the sim reads. */
const PROTOBUF_KINDS = Object.freeze(Object.keys(DECODERS));

/**
 * Decodes a `k8s\0`-framed runtime.Unknown holding a v1 Namespace or ConfigMap into the JSON object
 * the same request would have carried; any other kind is refused with 415, naming JSON.
 */
export function decodeProtobufObject(body: Buffer): Obj {
  if (!body.subarray(0, 4).equals(MAGIC)) throw malformed('it does not start with the k8s magic number');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(field(unknown, 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = text(field(typeMeta, 1));
  const kind = text(field(typeMeta, 2));
  const decode = apiVersion === 'v1' ? DECODERS[kind] : undefined;
  if (!decode) throw new SimApiError(415, 'UnsupportedMediaType', `the sim reads ${PROTOBUF} bodies only for v1 ${PROTOBUF_KINDS.join(', ')}, not ${apiVersion} ${kind}; send application/json`);
  return { apiVersion, kind, ...decode(fields(field(unknown, 2)?.bytes ?? Buffer.alloc(0))) };
}
