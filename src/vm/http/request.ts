// Stage 1 of a request: its bytes on the wire. The body always goes with a Content-Length (the
// client has it whole), so the server never has to parse a chunked upload.
import { HttpProtocolError } from './errors.ts';
import type { HeaderList, HttpRequest } from './types.ts';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Framing and connection headers are the client's to set: a caller's copy would contradict them. */
const OURS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection']);

const enc = new TextEncoder();

export function bodyBytes(body: HttpRequest['body']): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === 'string' ? enc.encode(body) : body;
}

/** The request head and body as one buffer; throws HttpProtocolError on a malformed method, path or header. */
export function encodeRequest(req: HttpRequest, port: number): Uint8Array {
  const method = (req.method ?? 'GET').toUpperCase();
  if (!TOKEN.test(method)) throw new HttpProtocolError(`bad HTTP method ${JSON.stringify(req.method)}`);
  const path = req.path ?? '/';
  if (!path.startsWith('/') || /[\s\x00-\x1f\x7f]/.test(path)) throw new HttpProtocolError(`bad request path ${JSON.stringify(path)} (it must start with / and have no spaces)`);
  const body = bodyBytes(req.body);
  const lines = [`${method} ${path} HTTP/1.1`];
  const headers: HeaderList = req.headers ?? [];
  if (!headers.some(([k]) => k.toLowerCase() === 'host')) lines.push(`Host: localhost:${port}`);
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) throw new HttpProtocolError(`bad header name ${JSON.stringify(name)}`);
    if (/[\r\n\x00]/.test(value)) throw new HttpProtocolError(`bad value for header ${name}: it has a line break`);
    if (OURS.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${value}`);
  }
  // A body is announced even when empty for the methods that carry one (servers may wait otherwise).
  if (body.length > 0 || method === 'POST' || method === 'PUT' || method === 'PATCH') lines.push(`Content-Length: ${body.length}`);
  const head = enc.encode(lines.join('\r\n') + '\r\n\r\n');
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}
