// The mirror's HTTP/1.1 server: keep-alive connections (apt reuses one for a whole update or
// install), one request answered at a time in order, every answer from serveArchiveFile.
import { Conn, parseRequest } from '../daemon/http.ts';
import type { Fd, Syscalls } from '../sys/syscalls.ts';
import { AF_INET, O_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { utf8Encode } from '../util/text.ts';
import type { FileReply, FileRequest } from './files.ts';

const REASON: Record<number, string> = {
  200: 'OK', 206: 'Partial Content', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found',
  405: 'Method Not Allowed', 416: 'Range Not Satisfiable', 500: 'Internal Server Error',
};

export type FileHandler = (req: FileRequest) => FileReply;

/** The bytes of a reply's status line and headers. */
export function replyHead(r: FileReply, keepAlive: boolean): string {
  const headers = { Server: 'whalebone-mirror', ...r.headers, Connection: keepAlive ? 'keep-alive' : 'close' };
  return `HTTP/1.1 ${r.status} ${REASON[r.status] ?? 'Status'}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Answers every complete request at the front of buf on conn; returns the bytes left over. */
export function answerRequests(conn: Conn, buf: Uint8Array, handle: FileHandler, log: (line: string) => void): Uint8Array {
  while (!conn.closed) {
    let parsed;
    try {
      parsed = parseRequest(buf);
    } catch {
      conn.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      conn.end();
      return new Uint8Array(0);
    }
    if (!parsed) return buf;
    buf = buf.subarray(parsed.used);
    const { req } = parsed;
    const keepAlive = req.headers['connection']?.toLowerCase() !== 'close';
    let reply: FileReply;
    try {
      reply = handle({ method: req.method, path: req.path, headers: req.headers });
    } catch (e) {
      const body = utf8Encode(`${e instanceof Error ? e.message : String(e)}\n`);
      reply = { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length) }, body };
    }
    log(`${req.method} ${req.path} ${reply.status} ${reply.headers['Content-Length'] ?? '-'}`);
    conn.write(replyHead(reply, keepAlive));
    if (reply.body && reply.body.length) conn.write(reply.body);
    if (!keepAlive) conn.end();
  }
  return buf;
}

/** Listens on host:port and serves through the event loop. Returns the listening socket. */
export function listenHttp(sys: Syscalls, host: string, port: number, handle: FileHandler, log: (line: string) => void = () => {}): Fd {
  const lfd = sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
  sys.setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
  sys.bind(lfd, { family: 'inet', host, port });
  sys.listen(lfd, 64);
  const chunk = new Uint8Array(16384);
  sys.watch(lfd, 'read', () => {
    for (;;) {
      let fd: Fd;
      try {
        fd = sys.accept(lfd, O_NONBLOCK | SOCK_CLOEXEC);
      } catch {
        return;
      }
      const conn = new Conn(sys, fd);
      let buf: Uint8Array = new Uint8Array(0);
      sys.watch(fd, 'read', () => {
        let n: number;
        try {
          n = sys.read(fd, chunk);
        } catch (e) {
          if (!isErrno(e, 'EAGAIN')) conn.close();
          return;
        }
        if (n === 0) {
          conn.close();
          return;
        }
        buf = answerRequests(conn, concat(buf, chunk.subarray(0, n)), handle, log);
      });
    }
  });
  return lfd;
}
