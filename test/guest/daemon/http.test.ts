// The Engine API's HTTP server against hostile clients: oversized heads and bodies, clients that
// stop half way, requests split at every byte, and one slow client beside a good one.
import { describe, expect, it } from 'vitest';
import { parseRequest, RequestReader, serve, type Limits, type Request, type ServeOptions } from '../../../src/guest/daemon/http.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { AF_UNIX, O_CLOEXEC, O_NONBLOCK, SOCK_STREAM } from '../../../src/guest/sys/constants.ts';
import { SyscallError } from '../../../src/guest/sys/errors.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A server on the fake with connections made on demand; each connection's reply readable. */
function server(opts: ServeOptions = {}) {
  const sys = new FakeSyscalls();
  const lfd = sys.socket(AF_UNIX, SOCK_STREAM);
  sys.listen(lfd);
  let next: number | null = null;
  sys.on('accept', () => {
    if (next === null) throw SyscallError.named('EAGAIN', 'accept4', []);
    const fd = next;
    next = null;
    return fd;
  });
  const requests: Request[] = [];
  serve(sys, lfd, () => ({}), (req, res) => {
    requests.push(req);
    res.json(200, { path: req.path, size: req.body.length });
  }, opts);
  const connect = () => {
    const [client, srv] = sys.socketpair(AF_UNIX, SOCK_STREAM);
    next = srv;
    sys.fire(lfd, 'read');
    const send = (b: string | Uint8Array) => {
      sys.write(client, typeof b === 'string' ? enc.encode(b) : b);
      if (sys.watches.has(`read:${srv}`)) sys.fire(srv, 'read');
      for (let k = 0; k < 5; k++) sys.advance(0);
    };
    const reply = () => {
      const out: number[] = [];
      const buf = new Uint8Array(65536);
      for (;;) {
        try {
          const n = sys.read(client, buf);
          if (n === 0) break;
          out.push(...buf.subarray(0, n));
        } catch {
          break;
        }
      }
      return dec.decode(Uint8Array.from(out));
    };
    const open = () => sys.watches.has(`read:${srv}`);
    return { send, reply, open };
  };
  return { sys, requests, connect };
}

const small: Limits = { header: 256, body: 100, archiveBody: 1000 };

describe('Engine API HTTP server limits', () => {
  it('accepts connections close-on-exec, so a shim forked meanwhile does not hold one open', () => {
    const s = server();
    s.connect();
    expect(s.sys.callsOf('accept').map((a) => a[1])).toEqual([O_NONBLOCK | O_CLOEXEC]);
  });

  it('answers an oversized head with 431 and Docker error JSON, without calling a handler', () => {
    const s = server({ limits: small });
    const c = s.connect();
    c.send(`GET /_ping HTTP/1.1\r\nX-Pad: ${'a'.repeat(300)}`);
    const r = c.reply();
    expect(r).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(r).toContain('{"message":"request header fields too large"}');
    expect(s.requests).toHaveLength(0);
    expect(c.open()).toBe(false);
  });

  it('refuses a body over the limit with 413 as soon as the head says so', () => {
    const s = server({ limits: small });
    const c = s.connect();
    c.send('POST /containers/create HTTP/1.1\r\nContent-Length: 101\r\n\r\n');
    const r = c.reply();
    expect(r).toMatch(/^HTTP\/1\.1 413 /);
    expect(r).toMatch(/"message":"request body too large/);
    expect(s.requests).toHaveLength(0);
  });

  it('counts a chunked body against the limit as it arrives', () => {
    const s = server({ limits: small });
    const c = s.connect();
    c.send('POST /containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n' + 'x'.repeat(64) + '\r\n');
    expect(c.reply()).toBe('');
    c.send('40\r\n' + 'x'.repeat(64) + '\r\n');
    expect(c.reply()).toMatch(/^HTTP\/1\.1 413 /);
    expect(s.requests).toHaveLength(0);
  });

  it('lets archives (build contexts, load, cp) be bigger than JSON bodies', () => {
    const s = server({ limits: small });
    const c = s.connect();
    c.send(`POST /v1.43/build?t=x HTTP/1.1\r\nContent-Length: 500\r\n\r\n${'y'.repeat(500)}`);
    expect(c.reply()).toContain('"size":500');
    c.send(`PUT /containers/abc/archive?path=/ HTTP/1.1\r\nContent-Length: 1001\r\n\r\n`);
    expect(c.reply()).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('answers 408 to a client that stops half way, and only after the idle time', () => {
    const s = server({ idleMs: 1000 });
    const c = s.connect();
    c.send('GET /_ping HTTP/1.1\r\nHost: x\r\n');
    s.sys.advance(900);
    c.send('User-Agent: slow\r\n');
    s.sys.advance(900);
    expect(c.reply()).toBe('');
    expect(c.open()).toBe(true);
    s.sys.advance(200);
    const r = c.reply();
    expect(r).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(c.open()).toBe(false);
  });

  it('keeps an idle keep-alive connection with no partial request open', () => {
    const s = server({ idleMs: 1000 });
    const c = s.connect();
    c.send('GET /_ping HTTP/1.1\r\n\r\n');
    expect(c.reply()).toMatch(/^HTTP\/1\.1 200 /);
    s.sys.advance(10_000);
    expect(c.open()).toBe(true);
    c.send('GET /version HTTP/1.1\r\n\r\n');
    expect(c.reply()).toContain('"path":"/version"');
  });

  it('serves a good client while a slow one sits on a half-sent request', () => {
    const s = server();
    const slow = s.connect();
    slow.send('POST /containers/create HTTP/1.1\r\nContent-Length: 50\r\n\r\n{"Ima');
    const good = s.connect();
    good.send('GET /containers/json HTTP/1.1\r\n\r\n');
    expect(good.reply()).toContain('"path":"/containers/json"');
    expect(slow.reply()).toBe('');
  });

  it('malformed framing is a 400 with Docker error JSON', () => {
    const s = server();
    const c = s.connect();
    c.send('POST /x HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n');
    const r = c.reply();
    expect(r).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(r).toContain('{"message":"bad Content-Length"}');
  });
});

describe('RequestReader', () => {
  const wire = 'POST /v1.43/build?t=a%20b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;e=1\r\nhello\r\n3\r\n!!!\r\n0\r\nTrailer: t\r\n\r\n' + 'GET /_ping HTTP/1.1\r\nContent-Length: 2\r\n\r\nok';

  it('reads the same pipelined requests whatever the split of the bytes', () => {
    const bytes = enc.encode(wire);
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = new RequestReader();
      const got: Request[] = [];
      for (const part of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
        r.push(part);
        for (let q = r.next(); q; q = r.next()) got.push(q);
      }
      expect(got.map((q) => [q.method, q.path, q.query.get('t'), dec.decode(q.body)]), `cut at ${cut}`).toEqual([
        ['POST', '/v1.43/build', 'a b', 'hello!!!'],
        ['GET', '/_ping', null, 'ok'],
      ]);
      expect(r.pending).toBe(0);
    }
  });

  it('reads a large body sent in small pieces', () => {
    const r = new RequestReader();
    const size = 4 << 20;
    r.push(enc.encode(`POST /build HTTP/1.1\r\nContent-Length: ${size}\r\n\r\n`));
    const piece = new Uint8Array(4096).fill(7);
    let req: Request | null = null;
    for (let sent = 0; sent < size; sent += piece.length) {
      expect(req).toBeNull();
      r.push(piece);
      req = r.next();
    }
    expect(req?.body.length).toBe(size);
    expect(req?.body[size - 1]).toBe(7);
  });

  it('parseRequest reports the bytes it used', () => {
    const p = parseRequest(enc.encode('GET / HTTP/1.1\r\n\r\nGET /b'));
    expect(p?.used).toBe(18);
  });
});
