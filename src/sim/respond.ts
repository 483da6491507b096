import type { ServerResponse } from 'node:http';
import { SimApiError } from './errors.js';

/**
 * How the sim writes a whole (non-streaming) answer: a JSON body, plain text, or a failure as the
 * metav1.Status a real API server sends, which is what kubectl prints for an error.
 */

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A failed request: its Status if nothing was sent yet (unexpected errors are 500 InternalError), else the connection is cut. */
export function sendFailure(res: ServerResponse, err: unknown): void {
  const e = err instanceof SimApiError ? err : new SimApiError(500, 'InternalError', `internal error: ${(err as Error)?.message ?? String(err)}`);
  if (!res.headersSent) sendJson(res, e.status, e.toStatus());
  else res.destroy();
}
