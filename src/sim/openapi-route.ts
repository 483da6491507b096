import { SimApiError } from './errors.js';

const PROTOBUF_ONLY = /protobuf/;

/**
 * The JSON document for `/openapi/v2`, `/openapi/v3` and `/openapi/v3/api/v1`, or undefined for any other path.
 * The documents' module loads on first use: it evaluates every client-node model.
 */
export async function openApiAnswer(path: string, accept: string): Promise<{ readonly body: unknown } | undefined> {
  if (path !== '/openapi/v2' && path !== '/openapi/v3' && path !== '/openapi/v3/api/v1') return undefined;
  // A client that accepts only protobuf (kubectl's v2 fetch) gets 406 like from a server without it,
  // never a JSON body it would fail to parse.
  if (PROTOBUF_ONLY.test(accept) && !/json|\*\/\*/.test(accept)) throw new SimApiError(406, 'NotAcceptable', `only application/json is served for ${path}`);
  const docs = await import('./openapi.js');
  const body = path === '/openapi/v2' ? docs.openApiV2Document() : path === '/openapi/v3' ? docs.openApiV3Root() : docs.openApiV3CoreDocument();
  return { body };
}
