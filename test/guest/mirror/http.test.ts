import { describe, expect, it } from 'vitest';
import { Conn } from '../../../src/guest/daemon/http.ts';
import { answerRequests } from '../../../src/guest/mirror/http.ts';
import type { FileReply } from '../../../src/guest/mirror/files.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { AF_UNIX, SOCK_STREAM } from '../../../src/guest/sys/constants.ts';

function readAll(sys: FakeSyscalls, fd: number): string {
  const buf = new Uint8Array(65536);
  const n = sys.read(fd, buf);
  return new TextDecoder().decode(buf.subarray(0, n));
}

describe('mirror http connection', () => {
  it('answers pipelined keep-alive requests in order and keeps what is incomplete', () => {
    const sys = new FakeSyscalls();
    const [server, client] = sys.socketpair(AF_UNIX, SOCK_STREAM);
    const conn = new Conn(sys, server);
    const seen: string[] = [];
    const handle = (req: { method: string; path: string }): FileReply => {
      seen.push(`${req.method} ${req.path}`);
      const body = new TextEncoder().encode(req.path);
      return { status: 200, headers: { 'Content-Length': String(body.length) }, body: req.method === 'HEAD' ? null : body };
    };
    const input = new TextEncoder().encode('GET /debian/a HTTP/1.1\r\nHost: deb.debian.org\r\n\r\nHEAD /debian/b HTTP/1.1\r\nHost: deb.debian.org\r\n\r\nGET /debian/c HTTP/1.1\r\nHo');
    const rest = answerRequests(conn, input, handle, () => {});
    expect(seen).toEqual(['GET /debian/a', 'HEAD /debian/b']);
    expect(new TextDecoder().decode(rest)).toBe('GET /debian/c HTTP/1.1\r\nHo');
    const out = readAll(sys, client);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(out).toContain('Connection: keep-alive');
    expect(out).toContain('Content-Length: 9\r\nConnection: keep-alive\r\n\r\n/debian/aHTTP/1.1 200 OK');
    // HEAD: headers only, so the next answer starts right after them
    expect(out.endsWith('Content-Length: 9\r\nConnection: keep-alive\r\n\r\n')).toBe(true);
    expect(conn.closed).toBe(false);
  });

  it('closes after a request that asks to, and answers garbage with 400', () => {
    const sys = new FakeSyscalls();
    const [server, client] = sys.socketpair(AF_UNIX, SOCK_STREAM);
    const conn = new Conn(sys, server);
    answerRequests(conn, new TextEncoder().encode('GET /debian/a HTTP/1.1\r\nConnection: close\r\n\r\n'), () => ({ status: 404, headers: { 'Content-Length': '0' }, body: null }), () => {});
    expect(readAll(sys, client)).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[^]*Connection: close\r\n\r\n$/);
    expect(conn.closed).toBe(true);
    const [s2, c2] = sys.socketpair(AF_UNIX, SOCK_STREAM);
    answerRequests(new Conn(sys, s2), new TextEncoder().encode('\r\n\r\n'), () => { throw new Error('not reached'); }, () => {});
    expect(readAll(sys, c2)).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    // a file that cannot be read (9p gone, EIO) is a 500 with the reason, and the connection lives on
    const [s3, c3] = sys.socketpair(AF_UNIX, SOCK_STREAM);
    const conn3 = new Conn(sys, s3);
    answerRequests(conn3, new TextEncoder().encode('GET /debian/x HTTP/1.1\r\n\r\n'), () => { throw new Error('read /mnt/host/mirror/x: EIO'); }, () => {});
    expect(readAll(sys, c3)).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n[^]*\r\n\r\nread \/mnt\/host\/mirror\/x: EIO\n$/);
    expect(conn3.closed).toBe(false);
  });
});
