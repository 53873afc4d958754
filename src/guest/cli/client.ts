// A blocking HTTP client for the Engine API over the daemon's unix socket (the CLI does one
// thing at a time, so plain blocking reads are simplest), with chunked bodies, streamed reads
// and hijacked (attach) connections.

import type { Fd, Syscalls } from '../sys/syscalls.ts';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';
import { API_PREFIX } from '../api/engine-api.ts';
import { tracer } from '../sys/trace.ts';

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

export class DaemonDownError extends Error {
  override name = 'DaemonDownError';
  constructor(host: string) {
    super(`Cannot connect to the Docker daemon at ${host}. Is the docker daemon running?`);
  }
}

/** An error response: Docker prints "Error response from daemon: <message>". */
export class ApiResponseError extends Error {
  override name = 'ApiResponseError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
}

/** One connection with a read buffer. */
export class Connection {
  private buf: Uint8Array = new Uint8Array(0);
  private eof = false;
  constructor(
    private sys: Syscalls,
    readonly fd: Fd,
  ) {}

  send(data: string | Uint8Array): void {
    const b = typeof data === 'string' ? utf8Encode(data) : data;
    for (let off = 0; off < b.length; ) off += this.sys.write(this.fd, b.subarray(off));
  }

  /** Reads more bytes into the buffer; false at end of stream. */
  private fill(): boolean {
    if (this.eof) return false;
    const chunk = new Uint8Array(65536);
    let n: number;
    for (;;) {
      try {
        n = this.sys.read(this.fd, chunk);
        break;
      } catch (e) {
        if (isErrno(e, 'EINTR')) continue;
        if (isErrno(e, 'ECONNRESET')) {
          n = 0;
          break;
        }
        throw e;
      }
    }
    if (n === 0) {
      this.eof = true;
      return false;
    }
    const nb = new Uint8Array(this.buf.length + n);
    nb.set(this.buf);
    nb.set(chunk.subarray(0, n), this.buf.length);
    this.buf = nb;
    return true;
  }

  /** Exactly n bytes, or fewer at end of stream. */
  readN(n: number): Uint8Array {
    while (this.buf.length < n && this.fill());
    const out = this.buf.slice(0, Math.min(n, this.buf.length));
    this.buf = this.buf.slice(out.length);
    return out;
  }

  readLine(): string | null {
    for (;;) {
      const i = this.buf.indexOf(10);
      if (i >= 0) {
        const line = utf8Decode(this.buf, 0, i).replace(/\r$/, '');
        this.buf = this.buf.slice(i + 1);
        return line;
      }
      if (!this.fill()) return this.buf.length ? utf8Decode(this.readN(this.buf.length)) : null;
    }
  }

  /** Bytes already read past the response head (the start of a hijacked stream). */
  takeBuffered(): Uint8Array {
    const out = this.buf;
    this.buf = new Uint8Array(0);
    return out;
  }

  /** Whatever arrives, until end of stream. */
  readSome(): Uint8Array | null {
    if (this.buf.length === 0 && !this.fill()) return null;
    const out = this.buf;
    this.buf = new Uint8Array(0);
    return out;
  }

  readHead(): HttpResponse {
    const status = this.readLine();
    if (status === null) throw new Error('the daemon closed the connection');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(status);
    if (!m) throw new Error(`bad response from the daemon: ${status}`);
    const headers: Record<string, string> = {};
    for (;;) {
      const line = this.readLine();
      if (line === null || line === '') break;
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    return { status: Number(m[1]), headers };
  }

  /** Calls fn with each piece of the body (chunked or sized or until close). */
  readBody(h: HttpResponse, fn: (b: Uint8Array) => void): void {
    if (h.headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      for (;;) {
        const sizeLine = this.readLine();
        if (sizeLine === null) return;
        const size = parseInt(sizeLine, 16);
        if (!(size > 0)) {
          this.readLine();
          return;
        }
        fn(this.readN(size));
        this.readLine();
      }
    }
    if (h.headers['content-length'] !== undefined) {
      const n = Number(h.headers['content-length']);
      if (n > 0) fn(this.readN(n));
      return;
    }
    if (h.status === 204 || h.status === 304) return;
    for (let b = this.readSome(); b; b = this.readSome()) fn(b);
  }

  close(): void {
    try {
      this.sys.close(this.fd);
    } catch {
      // closed
    }
  }
}

export class Client {
  readonly host: string;
  private path: string;
  constructor(
    private sys: Syscalls,
    host?: string,
  ) {
    this.host = host || sys.getenv('DOCKER_HOST') || DEFAULT_HOST;
    if (!this.host.startsWith('unix://')) throw new Error(`unsupported DOCKER_HOST ${this.host}: only unix:// sockets`);
    this.path = this.host.slice('unix://'.length);
  }

  connect(): Connection {
    const fd = this.sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    try {
      this.sys.connect(fd, { family: 'unix', path: this.path });
    } catch {
      this.sys.close(fd);
      throw new DaemonDownError(this.host);
    }
    return new Connection(this.sys, fd);
  }

  /** Sends a request on a new connection and returns it with the response head read. */
  open(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): { conn: Connection; res: HttpResponse } {
    const conn = this.connect();
    const b = body === undefined ? new Uint8Array(0) : utf8Encode(JSON.stringify(body));
    const headers: Record<string, string> = { Host: 'docker', 'User-Agent': 'Docker-Client/whalebone', ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD') headers['Content-Length'] = String(b.length);
    tracer().mark(`http ${method} ${API_PREFIX}${path}`);
    conn.send(`${method} ${API_PREFIX}${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    if (b.length) conn.send(b);
    return { conn, res: traceStatus(conn.readHead(), method, path) };
  }

  /** Sends a request with a raw body (a build context tar) and returns it with the response head read. */
  openBytes(method: string, path: string, body: Uint8Array, contentType: string, extraHeaders: Record<string, string> = {}): { conn: Connection; res: HttpResponse } {
    const conn = this.connect();
    tracer().mark(`http ${method} ${API_PREFIX}${path}`);
    const headers: Record<string, string> = { Host: 'docker', 'User-Agent': 'Docker-Client/whalebone', 'Content-Type': contentType, 'Content-Length': String(body.length), ...extraHeaders };
    conn.send(`${method} ${API_PREFIX}${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    // in pieces: a socket write takes what fits
    for (let off = 0; off < body.length; off += 65536) conn.send(body.subarray(off, Math.min(body.length, off + 65536)));
    return { conn, res: traceStatus(conn.readHead(), method, path) };
  }

  /** A whole request: JSON (or text) result, API errors thrown with the daemon's message. */
  call<T = unknown>(method: string, path: string, body?: unknown): T {
    const { conn, res } = this.open(method, path, body, { Connection: 'close' });
    const parts: Uint8Array[] = [];
    conn.readBody(res, (b) => parts.push(b));
    conn.close();
    const total = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    const text = utf8Decode(all);
    if (res.status >= 400) {
      let msg = text.trim();
      try {
        msg = (JSON.parse(text) as { message: string }).message;
      } catch {
        // plain text
      }
      throw new ApiResponseError(res.status, msg);
    }
    if (!text.trim()) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }
}

/** The response's status in the trace (the app's engine chain view pairs it with the request). */
function traceStatus(res: HttpResponse, method: string, path: string): HttpResponse {
  tracer().mark(`http ${res.status} ${method} ${API_PREFIX}${path}`);
  return res;
}
