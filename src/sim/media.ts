import type { IncomingMessage } from 'node:http';
import type { Obj } from '../core/json.js';
import { SimApiError, badRequest } from './errors.js';
import { PROTOBUF, decodeProtobufObject } from './protobuf.js';

/** Body media types the sim reads for create and update. */
const READABLE = ['application/json', PROTOBUF];

/**
 * The object a create or update carries: JSON, or protobuf for the kinds kubectl's typed commands send
 * that way (src/sim/protobuf.ts). Any other format is refused with 415 and the types the sim reads,
 * as a real API server does.
 */
export function requestObject(req: IncomingMessage, body: Buffer): Obj {
  const type = String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return parseJson(body.toString('utf8'));
  if (type === PROTOBUF) return decodeProtobufObject(body);
  throw new SimApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${READABLE.join(', ')}`);
}

export function parseAnyJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw badRequest(`the request body is not JSON: ${body.slice(0, 80)}`);
  }
}

export function parseJson(body: string): Obj {
  const v = parseAnyJson(body);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest('the request body must be a JSON object');
  return v as Obj;
}

/** The request body as bytes (protobuf is binary), refused with 413 past `maxBytes` (3 MiB: an object). */
export function readBodyBytes(req: IncomingMessage, maxBytes = 3 * 1024 * 1024, tooLarge = 'request body too large'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      chunks.push(c);
      if (size > maxBytes) {
        reject(new SimApiError(413, 'RequestEntityTooLarge', tooLarge));
        req.destroy();
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
