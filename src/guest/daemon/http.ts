// A small HTTP/1.1 server and client over Syscalls sockets, enough for the Engine API: request
// parsing (Content-Length and chunked bodies), keep-alive, fixed and chunked (streaming)
// responses, and connection hijacking for attach.

import { Outbox } from '../shim/outbox.ts';
import type { Fd, Syscalls } from '../sys/syscalls.ts';
import { F_GETFL, F_SETFL, O_CLOEXEC, O_NONBLOCK } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { utf8Encode } from '../util/text.ts';

import { HttpError, RequestReader, type Limits, type Request } from './http-request.ts';

export { HttpError, parseRequest, RequestReader, URLSearchParamsLike, DEFAULT_LIMITS, type Limits, type Request } from './http-request.ts';

export const STATUS_TEXT: Record<number, string> = {
  101: 'UPGRADED', 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found',
  408: 'Request Timeout', 409: 'Conflict', 413: 'Request Entity Too Large', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

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

  /** A HEAD request: status and headers only (a body would be read as the next response). */
  headOnly = false;

  /** Adds a header to the response (before it starts). */
  setHeader(name: string, value: string): void {
    this.headers = { ...this.headers, [name]: value };
  }

  private head(status: number, extra: Record<string, string>): string {
    const all = { ...this.headers, ...extra };
    return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  }

  send(status: number, body: string | Uint8Array = '', contentType = 'text/plain; charset=utf-8'): void {
    const b = typeof body === 'string' ? utf8Encode(body) : body;
    const h: Record<string, string> = { 'Content-Length': String(b.length) };
    if (b.length > 0 || status !== 204) h['Content-Type'] = contentType;
    this.conn.write(this.head(status, h));
    if (b.length && !this.headOnly) this.conn.write(b);
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

/** How long a started request may sit with no new bytes before it is answered 408 and closed. */
export const REQUEST_IDLE_MS = 60_000;

/** A refusal before any handler ran: Docker's error JSON, then the connection closes. */
function refuse(conn: Conn, status: number, message: string): void {
  const body = JSON.stringify({ message }) + '\n';
  conn.write(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}\r\nContent-Type: application/json\r\nContent-Length: ${utf8Encode(body).length}\r\nConnection: close\r\n\r\n${body}`);
  conn.end();
}

export interface ServeOptions {
  limits?: Limits;
  idleMs?: number;
}

/** Serves HTTP on a listening socket through the event loop. */
export function serve(sys: Syscalls, listenFd: Fd, headers: () => Record<string, string>, handler: Handler, opts: ServeOptions = {}): void {
  const idleMs = opts.idleMs ?? REQUEST_IDLE_MS;
  setNonBlocking(sys, listenFd);
  sys.watch(listenFd, 'read', () => {
    let fd: Fd;
    try {
      // close-on-exec: a shim forked meanwhile must not keep a client's connection open (the
      // client would wait for its end as long as that shim lives)
      fd = sys.accept(listenFd, O_NONBLOCK | O_CLOEXEC);
    } catch {
      return;
    }
    const conn = new Conn(sys, fd);
    const reader = new RequestReader(opts.limits);
    const chunk = new Uint8Array(65536);
    let inFlight = false;
    // a client that starts a request and stops sending (slowloris) holds only its own connection,
    // and only until this fires
    let idle: unknown = null;
    const disarm = (): void => {
      if (idle !== null) sys.clearTimer(idle);
      idle = null;
    };
    const arm = (): void => {
      disarm();
      if (inFlight || conn.closed || conn.hijacked || !reader.partial) return;
      idle = sys.setTimer(idleMs, () => {
        idle = null;
        if (!inFlight && !conn.closed && reader.partial) refuse(conn, 408, 'timed out waiting for the rest of the request');
      });
    };
    conn.onClose.push(disarm);
    const pump = (): void => {
      while (!inFlight && !conn.closed) {
        let req: Request | null;
        try {
          req = reader.next();
        } catch (e) {
          disarm();
          if (e instanceof HttpError) refuse(conn, e.status, e.message);
          else refuse(conn, 400, e instanceof Error ? e.message : String(e));
          return;
        }
        if (!req) {
          arm();
          return;
        }
        disarm();
        const keepAlive = req.headers['connection']?.toLowerCase() !== 'close';
        const res = new Response(conn, headers(), keepAlive);
        res.headOnly = req.method === 'HEAD';
        inFlight = true;
        res.onDone = () => {
          inFlight = false;
          sys.setTimer(0, pump);
        };
        try {
          const r = handler(req, res);
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
      reader.push(chunk.subarray(0, n));
      pump();
      // bytes that came with the request that hijacked the connection are the client's stdin
      if (conn.hijacked && reader.pending > 0) {
        const early = reader.takeRest();
        sys.setTimer(0, () => conn.onData?.(early));
      }
    });
  });
}
