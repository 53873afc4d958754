// A small HTTP/1.1 server and client over Syscalls sockets, enough for the Engine API: request
// parsing (Content-Length and chunked bodies), keep-alive, fixed and chunked (streaming)
// responses, and connection hijacking for attach.

import { Outbox } from '../shim/outbox.ts';
import type { Fd, Syscalls } from '../sys/syscalls.ts';
import { F_GETFL, F_SETFL, O_NONBLOCK } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';

export interface Request {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParamsLike;
  headers: Record<string, string>;
  body: Uint8Array;
}

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

export const STATUS_TEXT: Record<number, string> = {
  101: 'UPGRADED', 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found',
  409: 'Conflict', 500: 'Internal Server Error',
};

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfCrlfCrlf(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

/** Parses one request from the front of buf; null when more bytes are needed. */
export function parseRequest(buf: Uint8Array): { req: Request; used: number } | null {
  const end = indexOfCrlfCrlf(buf);
  if (end < 0) return null;
  const head = utf8Decode(buf, 0, end).split('\r\n');
  const [method, target] = (head[0] ?? '').split(' ');
  if (!method || !target) throw new Error('malformed request line');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  let pos = end + 4;
  let body: Uint8Array = new Uint8Array(0);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Uint8Array[] = [];
    for (;;) {
      let le = -1;
      for (let i = pos; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) { le = i; break; }
      if (le < 0) return null;
      // strict hex (an optional ;extension): parseInt would take "-5" or "1x" and lose our place
      const sizeText = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(utf8Decode(buf, pos, le).trim());
      if (!sizeText) throw new Error('bad chunk size');
      const size = parseInt(sizeText[1]!, 16);
      if (le + 2 + size + 2 > buf.length) return null;
      if (size === 0) {
        pos = le + 4;
        break;
      }
      parts.push(buf.subarray(le + 2, le + 2 + size));
      pos = le + 2 + size + 2;
    }
    body = parts.reduce((a, p) => concat(a, p), new Uint8Array(0));
  } else {
    // digits only: a NaN or negative length made `used` go nowhere and the server serve the same
    // bytes for ever (found by the fuzzer)
    const lenText = headers['content-length'] ?? '0';
    if (!/^\d{1,15}$/.test(lenText)) throw new Error('bad Content-Length');
    const len = Number(lenText);
    if (buf.length < pos + len) return null;
    body = buf.slice(pos, pos + len);
    pos += len;
  }
  const q = target.indexOf('?');
  return {
    req: { method, path: q >= 0 ? target.slice(0, q) : target, query: new URLSearchParamsLike(q >= 0 ? target.slice(q + 1) : ''), headers, body },
    used: pos,
  };
}

/** One accepted connection with buffered, non-blocking output. */
export class Conn {
  private readonly out: Outbox;
  closed = false;
  /** Set while a streaming response is in progress: further requests wait. */
  busy = false;
  /** Taken over by attach: the client's half-close (no stdin) must not end our output. */
  hijacked = false;
  onClose: (() => void)[] = [];
  /** On a hijacked connection: the client's raw bytes (stdin for attach and exec). */
  onData: ((b: Uint8Array) => void) | null = null;
  /** On a hijacked connection: the client closed its sending side (end of its stdin). */
  onEof: (() => void) | null = null;

  constructor(
    private sys: Syscalls,
    readonly fd: Fd,
  ) {
    this.out = new Outbox(sys, fd, () => this.close());
  }

  write(data: Uint8Array | string): void {
    this.out.write(typeof data === 'string' ? utf8Encode(data) : data);
  }

  /** Closes once everything queued is written. */
  end(): void {
    this.out.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.watch(this.fd, 'read', null);
    this.out.close();
    for (const f of this.onClose) f();
  }
}

/** A response being written: fixed body, or streamed chunks. */
export class Response {
  private started = false;
  private chunked = false;
  constructor(
    readonly conn: Conn,
    private headers: Record<string, string>,
    private keepAlive: boolean,
  ) {}

  private head(status: number, extra: Record<string, string>): string {
    const all = { ...this.headers, ...extra };
    return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  }

  send(status: number, body: string | Uint8Array = '', contentType = 'text/plain; charset=utf-8'): void {
    const b = typeof body === 'string' ? utf8Encode(body) : body;
    const h: Record<string, string> = { 'Content-Length': String(b.length) };
    if (b.length > 0 || status !== 204) h['Content-Type'] = contentType;
    this.conn.write(this.head(status, h));
    if (b.length) this.conn.write(b);
    this.finish();
  }

  json(status: number, value: unknown): void {
    this.send(status, JSON.stringify(value) + '\n', 'application/json');
  }

  /** Docker's error body: {"message": "..."} */
  error(status: number, message: string): void {
    this.json(status, { message });
  }

  /** Starts a chunked response; call chunk() then close(). */
  stream(status: number, contentType: string): void {
    this.started = true;
    this.chunked = true;
    this.conn.busy = true;
    this.conn.write(this.head(status, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked' }));
  }

  chunk(data: Uint8Array | string): void {
    const b = typeof data === 'string' ? utf8Encode(data) : data;
    if (b.length === 0) return;
    this.conn.write(`${b.length.toString(16)}\r\n`);
    this.conn.write(b);
    this.conn.write('\r\n');
  }

  close(): void {
    if (this.chunked) this.conn.write('0\r\n\r\n');
    this.conn.busy = false;
    this.finish();
  }

  /** Takes the raw connection over (attach): 101 then raw bytes, closed at the end. */
  hijack(contentType: string): void {
    this.started = true;
    this.conn.busy = true;
    this.conn.hijacked = true;
    this.conn.write(this.head(101, { 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' }));
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Called once the response is complete, so the connection may serve the next request. */
  onDone: (() => void) | null = null;

  private finish(): void {
    if (!this.keepAlive) this.conn.end();
    const d = this.onDone;
    this.onDone = null;
    d?.();
  }
}

export type Handler = (req: Request, res: Response) => void | Promise<void>;

export function setNonBlocking(sys: Syscalls, fd: Fd): void {
  sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/** Serves HTTP on a listening socket through the event loop. */
export function serve(sys: Syscalls, listenFd: Fd, headers: () => Record<string, string>, handler: Handler): void {
  setNonBlocking(sys, listenFd);
  sys.watch(listenFd, 'read', () => {
    let fd: Fd;
    try {
      fd = sys.accept(listenFd, O_NONBLOCK);
    } catch {
      return;
    }
    const conn = new Conn(sys, fd);
    let buf: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(65536);
    let inFlight = false;
    const pump = (): void => {
      while (!inFlight && !conn.closed) {
        let parsed;
        try {
          parsed = parseRequest(buf);
        } catch {
          conn.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
          conn.end();
          return;
        }
        if (!parsed) return;
        buf = buf.slice(parsed.used);
        const keepAlive = parsed.req.headers['connection']?.toLowerCase() !== 'close';
        const res = new Response(conn, headers(), keepAlive);
        inFlight = true;
        res.onDone = () => {
          inFlight = false;
          sys.setTimer(0, pump);
        };
        try {
          const r = handler(parsed.req, res);
          if (r) r.then(undefined, (e: unknown) => { if (!res.isStarted) res.error(500, e instanceof Error ? e.message : String(e)); });
        } catch (e) {
          if (!res.isStarted) res.error(500, e instanceof Error ? e.message : String(e));
        }
      }
    };
    sys.watch(fd, 'read', () => {
      let n: number;
      try {
        n = sys.read(fd, chunk);
      } catch (e) {
        if (isErrno(e, 'EAGAIN')) return;
        conn.close();
        return;
      }
      if (n === 0) {
        if (conn.hijacked) {
          sys.watch(fd, 'read', null);
          conn.onEof?.();
        } else conn.close();
        return;
      }
      if (conn.hijacked) {
        conn.onData?.(chunk.slice(0, n));
        return;
      }
      buf = concat(buf, chunk.subarray(0, n));
      pump();
      // bytes that came with the request that hijacked the connection are the client's stdin
      if (conn.hijacked && buf.length > 0) {
        const early = buf;
        buf = new Uint8Array(0);
        sys.setTimer(0, () => conn.onData?.(early));
      }
    });
  });
}
