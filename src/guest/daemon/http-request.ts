// Reading HTTP/1.1 requests off a byte stream, incrementally and within limits. Bytes are kept in
// one growing buffer and a request's head and chunk framing are parsed once, so a large upload
// (a build context, `docker load`) costs linear time; before this, every read re-copied and
// re-parsed everything buffered, which is quadratic in the body's size.

import { utf8Decode } from '../util/text.ts';

/** QuickJS has no URLSearchParams: a minimal one. */
export class URLSearchParamsLike {
  private entries: [string, string][] = [];
  constructor(qs: string) {
    for (const part of qs.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const k = eq >= 0 ? part.slice(0, eq) : part;
      const v = eq >= 0 ? part.slice(eq + 1) : '';
      this.entries.push([decode(k), decode(v)]);
    }
  }
  get(k: string): string | null {
    return this.entries.find(([n]) => n === k)?.[1] ?? null;
  }
  getAll(k: string): string[] {
    return this.entries.filter(([n]) => n === k).map(([, v]) => v);
  }
  /** Docker's booleans: 1, true, True. */
  bool(k: string): boolean {
    const v = this.get(k);
    return v !== null && /^(1|true|True|TRUE)$/.test(v);
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export interface Request {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParamsLike;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A request the server refuses, with the status to answer it with. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 431,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface Limits {
  /** Request line plus headers (Go's http.Server default, which dockerd uses, is 1 MiB). */
  header: number;
  /** Bodies of ordinary API calls (JSON). */
  body: number;
  /** Bodies that are archives: build contexts, `docker load`, `docker cp` into a container. */
  archiveBody: number;
}

export const DEFAULT_LIMITS: Limits = { header: 1 << 20, body: 32 << 20, archiveBody: 1 << 30 };

const ARCHIVE_PATH = /^(?:\/v[0-9.]+)?\/(?:build|images\/load|containers\/[^/]+\/archive)$/;

function bodyLimit(limits: Limits, path: string): number {
  return ARCHIVE_PATH.test(path) ? limits.archiveBody : limits.body;
}

/** A byte buffer that grows by doubling, so appending is amortised O(1). */
class Bytes {
  private buf = new Uint8Array(4096);
  length = 0;
  push(d: Uint8Array): void {
    if (this.length + d.length > this.buf.length) {
      let cap = this.buf.length;
      while (cap < this.length + d.length) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(d, this.length);
    this.length += d.length;
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  drop(n: number): void {
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
    // a big upload should not pin its buffer for the connection's life
    if (this.length < 4096 && this.buf.length > 1 << 20) this.buf = this.buf.slice(0, 4096);
  }
}

function indexOfCrlfCrlf(b: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

function indexOfCrlf(b: Uint8Array, from: number): number {
  for (let i = from; i + 1 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10) return i;
  return -1;
}

interface Head {
  method: string;
  target: string;
  headers: Record<string, string>;
  /** Offset of the body in the buffer. */
  start: number;
  chunked: boolean;
  /** Content-Length, for a body that is not chunked. */
  length: number;
  limit: number;
}

/** Takes bytes as they arrive and hands out whole requests, in order. */
export class RequestReader {
  private bytes = new Bytes();
  private head: Head | null = null;
  /** Where the search for the end of the head resumes. */
  private scanned = 0;
  // chunked body progress: the next chunk-size line's offset, the chunks so far, their size
  private chunkAt = 0;
  private parts: Uint8Array[] = [];
  private bodySize = 0;

  constructor(private readonly limits: Limits = DEFAULT_LIMITS) {}

  push(d: Uint8Array): void {
    this.bytes.push(d);
  }

  /** Bytes buffered and not yet handed out as a request. */
  get pending(): number {
    return this.bytes.length;
  }

  /** Whether a request has started arriving but is not complete. */
  get partial(): boolean {
    return this.head !== null || this.bytes.length > 0;
  }

  /** Everything buffered, removed (after a hijack these bytes are the client's stdin). */
  takeRest(): Uint8Array {
    const rest = this.bytes.view().slice();
    this.bytes.drop(this.bytes.length);
    this.reset();
    return rest;
  }

  /** The next complete request, or null until more bytes arrive. Throws HttpError on bad input. */
  next(): Request | null {
    const buf = this.bytes.view();
    if (!this.head) {
      const end = indexOfCrlfCrlf(buf, this.scanned - 3);
      if (end < 0) {
        this.scanned = buf.length;
        if (buf.length > this.limits.header) throw new HttpError(431, 'request header fields too large');
        return null;
      }
      if (end > this.limits.header) throw new HttpError(431, 'request header fields too large');
      this.head = this.parseHead(buf, end);
      this.chunkAt = this.head.start;
    }
    const h = this.head;
    let body: Uint8Array;
    let used: number;
    if (h.chunked) {
      const r = this.readChunks(buf, h);
      if (!r) return null;
      body = r.body;
      used = r.used;
    } else {
      if (buf.length < h.start + h.length) return null;
      body = buf.slice(h.start, h.start + h.length);
      used = h.start + h.length;
    }
    const q = h.target.indexOf('?');
    const req: Request = {
      method: h.method,
      path: q >= 0 ? h.target.slice(0, q) : h.target,
      query: new URLSearchParamsLike(q >= 0 ? h.target.slice(q + 1) : ''),
      headers: h.headers,
      body,
    };
    this.bytes.drop(used);
    this.reset();
    return req;
  }

  private reset(): void {
    this.head = null;
    this.scanned = 0;
    this.chunkAt = 0;
    this.parts = [];
    this.bodySize = 0;
  }

  private parseHead(buf: Uint8Array, end: number): Head {
    const lines = utf8Decode(buf, 0, end).split('\r\n');
    const [method, target] = (lines[0] ?? '').split(' ');
    if (!method || !target) throw new HttpError(400, 'malformed request line');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    const path = target.split('?')[0]!;
    const limit = bodyLimit(this.limits, path);
    const chunked = headers['transfer-encoding']?.toLowerCase() === 'chunked';
    let length = 0;
    if (!chunked) {
      // digits only: a NaN or negative length once made the server serve the same bytes for ever
      const text = headers['content-length'] ?? '0';
      if (!/^\d{1,15}$/.test(text)) throw new HttpError(400, 'bad Content-Length');
      length = Number(text);
      if (length > limit) throw new HttpError(413, `request body too large (${length} bytes; the limit is ${limit})`);
    }
    return { method, target, headers, start: end + 4, chunked, length, limit };
  }

  /** Reads chunks from where the last call stopped; the body and bytes used once the last arrived. */
  private readChunks(buf: Uint8Array, h: Head): { body: Uint8Array; used: number } | null {
    for (;;) {
      const le = indexOfCrlf(buf, this.chunkAt);
      if (le < 0) return null;
      // strict hex (an optional ;extension): parseInt would take "-5" or "1x" and lose our place
      const m = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(utf8Decode(buf, this.chunkAt, le).trim());
      if (!m) throw new HttpError(400, 'bad chunk size');
      const size = parseInt(m[1]!, 16);
      if (size === 0) {
        // the last chunk, then optional trailers, then an empty line
        const end = indexOfCrlfCrlf(buf, le);
        if (end < 0) return null;
        const body = new Uint8Array(this.bodySize);
        let at = 0;
        for (const p of this.parts) {
          body.set(p, at);
          at += p.length;
        }
        return { body, used: end + 4 };
      }
      if (this.bodySize + size > h.limit) throw new HttpError(413, `request body too large (more than ${h.limit} bytes)`);
      if (le + 2 + size + 2 > buf.length) return null;
      // copied: the buffer moves when it grows
      this.parts.push(buf.slice(le + 2, le + 2 + size));
      this.bodySize += size;
      this.chunkAt = le + 2 + size + 2;
    }
  }
}

/** Parses one request from the front of buf; null when more bytes are needed. */
export function parseRequest(buf: Uint8Array, limits: Limits = DEFAULT_LIMITS): { req: Request; used: number } | null {
  const reader = new RequestReader(limits);
  reader.push(buf);
  const req = reader.next();
  return req ? { req, used: buf.length - reader.pending } : null;
}
