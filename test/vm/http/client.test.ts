import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/vm/http/client.ts';
import { encodeRequest } from '../../../src/vm/http/request.ts';
import { ResponseParser } from '../../../src/vm/http/response-parser.ts';
import { splitFinSegments, v86Dialer } from '../../../src/vm/http/v86-socket.ts';
import type { V86NetworkAdapter, V86TcpConnection } from '../../../src/vm/v86-types.ts';
import { header } from '../../../src/vm/http/types.ts';
import { FakeGuest } from './fake.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const eachByte = (s: string) => [...s];

describe('response parser', () => {
  it('reads a Content-Length body fed one byte at a time', () => {
    const p = new ResponseParser('GET');
    const wire = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';
    let r = null;
    for (const c of eachByte(wire)) r = p.push(Uint8Array.of(c.charCodeAt(0)));
    expect(r?.status).toBe(200);
    expect(r?.statusText).toBe('OK');
    expect(text(r!.body)).toBe('hello');
    expect(r?.keepAlive).toBe(true);
    expect(header(r!.headers, 'content-type')).toBe('text/plain');
  });

  it('reads chunked bodies with extensions and trailers, split inside size lines and CRLFs', () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=val\r\nWiki\r\n5 ; x="y"\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const cut of [1, 2, 3, 7, 13, 1000]) {
      const p = new ResponseParser('GET');
      let r = null;
      for (let i = 0; i < wire.length; i += cut) r = p.push(Uint8Array.from(wire.slice(i, i + cut), (c) => c.charCodeAt(0)));
      expect(text(r!.body), `cut ${cut}`).toBe('Wikipedia in\r\n\r\nchunks.');
      expect(header(r!.headers, 'x-trailer')).toBe('t');
      expect(r!.keepAlive).toBe(true);
    }
  });

  it('rejects a chunk size that is not hex and a chunk longer than announced', () => {
    expect(() => new ResponseParser('GET').push(new TextEncoder().encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/bad chunk size/);
    expect(() => new ResponseParser('GET').push(new TextEncoder().encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n'))).toThrow(/does not end where its size says/);
  });

  it('has no body for 204, 304 and HEAD, whatever Content-Length says', () => {
    for (const [method, status] of [['GET', 204], ['GET', 304], ['HEAD', 200]] as const) {
      const p = new ResponseParser(method);
      const r = p.push(new TextEncoder().encode(`HTTP/1.1 ${status} X\r\nContent-Length: 1234\r\n\r\n`));
      expect(r?.status).toBe(status);
      expect(r?.body.length).toBe(0);
      expect(r?.keepAlive).toBe(true);
    }
  });

  it('reads a body delimited by the close of the connection, and skips 100 Continue', () => {
    const p = new ResponseParser('GET');
    expect(p.push(new TextEncoder().encode('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nall of '))).toBeNull();
    expect(p.push(new TextEncoder().encode('it'))).toBeNull();
    const r = p.end();
    expect(text(r.body)).toBe('all of it');
    expect(r.keepAlive).toBe(false);
  });

  it('says what was cut short when the server closes early', () => {
    const p = new ResponseParser('GET');
    p.push(new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(() => p.end()).toThrow('the server closed the connection before the end of the body (3 bytes received)');
    expect(() => new ResponseParser('GET').end()).toThrow('without answering');
  });

  it('refuses a response that is not HTTP and a bad Content-Length', () => {
    expect(() => new ResponseParser('GET').push(new TextEncoder().encode('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/not an HTTP\/1.x response/);
    expect(() => new ResponseParser('GET').push(new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n'))).toThrow(/bad Content-Length/);
    expect(() => new ResponseParser('GET').push(new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'))).toThrow(/bad Content-Length/);
  });
});

describe('request writer', () => {
  it('writes method, path, Host, headers and a Content-Length for the body; framing headers are its own', () => {
    const wire = text(encodeRequest({ method: 'post', path: '/form?a=1', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', '999'], ['Connection', 'close']], body: 'name=whale' }, 8080));
    expect(wire).toBe('POST /form?a=1 HTTP/1.1\r\nHost: localhost:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nname=whale');
  });

  it('refuses header injection, bad methods and bad paths', () => {
    expect(() => encodeRequest({ headers: [['X-A', 'b\r\nEvil: 1']] }, 80)).toThrow(/line break/);
    expect(() => encodeRequest({ method: 'GE T' }, 80)).toThrow(/bad HTTP method/);
    expect(() => encodeRequest({ path: 'no-slash' }, 80)).toThrow(/must start with \//);
    expect(() => encodeRequest({ path: '/a b' }, 80)).toThrow(/no spaces/);
  });
});

describe('client', () => {
  const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

  it('reuses a keep-alive connection and opens a new one after Connection: close', async () => {
    const guest = new FakeGuest({
      80: (req, s) => s.send(req.includes('/last') ? ok('bye', 'Connection: close\r\n') : ok('hi')),
    });
    const c = new HttpClient(guest.dialer);
    const a = await c.request(80, { path: '/' });
    const b = await c.request(80, { path: '/again' });
    expect([text(a.body), a.reused, text(b.body), b.reused]).toEqual(['hi', false, 'hi', true]);
    expect(guest.connections).toBe(1);
    await c.request(80, { path: '/last' });
    await c.request(80, { path: '/' });
    expect(guest.connections).toBe(2);
  });

  it('retries on a fresh connection when the pooled one was closed by the server', async () => {
    const guest = new FakeGuest({
      80: (_req, s, conn) => {
        if (conn === 1 && guest.requests.length > 1) return s.end(); // the idle connection timed out server-side
        s.send(ok(`conn ${conn}`));
      },
    });
    const c = new HttpClient(guest.dialer);
    expect(text((await c.request(80)).body)).toBe('conn 1');
    const r = await c.request(80);
    expect(text(r.body)).toBe('conn 2');
    expect(r.reused).toBe(false);
  });

  it('carries a POST body and binary answers intact', async () => {
    const all = Uint8Array.from({ length: 256 * 64 }, (_, i) => i & 255);
    let seen = '';
    const guest = new FakeGuest({
      80: (req, s) => {
        seen = req;
        s.send(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${all.length}\r\n\r\n`, all.subarray(0, 1000), all.subarray(1000));
      },
    });
    const r = await new HttpClient(guest.dialer).request(80, { method: 'POST', path: '/up', body: 'a=1&b=2', headers: [['Content-Type', 'application/x-www-form-urlencoded']] });
    expect(seen.endsWith('\r\n\r\na=1&b=2')).toBe(true);
    expect(r.body).toEqual(all);
  });

  it('reads a close-delimited answer to its end', async () => {
    const guest = new FakeGuest({ 80: (_r, s) => (s.send('HTTP/1.0 200 OK\r\n\r\n', 'part one, ', 'part two'), s.end()) });
    const c = new HttpClient(guest.dialer);
    expect(text((await c.request(80)).body)).toBe('part one, part two');
    await c.request(80);
    expect(guest.connections).toBe(2);
  });

  it('says nothing is listening for a closed port, and times out rather than hang', async () => {
    const guest = new FakeGuest({ 81: () => undefined });
    const c = new HttpClient(guest.dialer);
    await expect(c.request(9999)).rejects.toMatchObject({ name: 'NothingListeningError', message: 'nothing is listening on port 9999 in the guest' });
    await expect(c.request(81, { timeoutMs: 50 })).rejects.toMatchObject({ name: 'HttpTimeoutError' });
  });

  it('rejects a bad port before dialling', async () => {
    const guest = new FakeGuest({});
    await expect(new HttpClient(guest.dialer).request(70000)).rejects.toThrow(/bad port 70000/);
    expect(guest.connections).toBe(0);
  });
});

describe('v86 data+FIN segments', () => {
  /** Mimics v86 0.5.462's TCPConnection.process: a FIN segment's payload is never emitted. */
  function v86Like() {
    const events: string[] = [];
    const conn = {
      ack: 100,
      process(packet: { tcp: { seq: number; fin?: boolean }; tcp_data?: Uint8Array }) {
        if (packet.tcp.fin) {
          this.ack++;
          events.push('shutdown');
          return;
        }
        if (packet.tcp.seq !== this.ack) return;
        this.ack += packet.tcp_data?.length ?? 0;
        events.push(`data:${new TextDecoder().decode(packet.tcp_data)}`);
      },
      on() {},
      write() {},
      close() {},
    };
    return { conn, events };
  }

  it('delivers the data before the shutdown', () => {
    const { conn, events } = v86Like();
    splitFinSegments(conn);
    conn.process({ tcp: { seq: 100 }, tcp_data: new TextEncoder().encode('abc') });
    conn.process({ tcp: { seq: 103, fin: true }, tcp_data: new TextEncoder().encode('tail') });
    expect(events).toEqual(['data:abc', 'data:tail', 'shutdown']);
    expect(conn.ack).toBe(108);
  });
});

describe('v86 dialer', () => {
  /** A v86-like connection that the test drives: it fires the events v86 would. */
  function adapter() {
    const fire: Record<string, (d?: Uint8Array) => void> = {};
    let closed = false;
    const conn: V86TcpConnection & { process?: unknown } = {
      on: (ev, fn) => void (fire[ev] = fn),
      write: () => undefined,
      close: () => void (closed = true),
    };
    const net = { connect: () => conn } as unknown as V86NetworkAdapter;
    return { net, fire, isClosed: () => closed };
  }

  it('calls a reset "nothing listening" and silence a timeout that names the port', async () => {
    const reset = adapter();
    const p1 = v86Dialer(() => reset.net, 1000)(8080);
    reset.fire['close']!();
    await expect(p1).rejects.toMatchObject({ name: 'NothingListeningError', message: 'nothing is listening on port 8080 in the guest' });

    const silent = adapter();
    await expect(v86Dialer(() => silent.net, 30)(8081)).rejects.toMatchObject({ name: 'HttpTimeoutError', message: 'port 8081 in the guest did not accept a connection within 0.03 s' });
    expect(silent.isClosed()).toBe(true);
  });

  it('hands over data that arrived before the listener, copied', async () => {
    const a = adapter();
    const dial = v86Dialer(() => a.net, 1000)(80);
    a.fire['connect']!();
    const socket = await dial;
    const buf = Uint8Array.of(1, 2, 3);
    a.fire['data']!(buf);
    buf[0] = 9; // v86 reuses its packet buffer
    const got: number[][] = [];
    socket.listen({ data: (d) => got.push([...d]), end: () => got.push([]) });
    a.fire['shutdown']!();
    expect(got).toEqual([[1, 2, 3], []]);
  });
});
