import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { AF_UNIX, SOCK_STREAM } from '../../../src/guest/sys/constants.ts';
import { Attachments } from '../../../src/guest/daemon/attach.ts';
import { Conn, Response, parseRequest } from '../../../src/guest/daemon/http.ts';
import { newState, type ContainerRecord } from '../../../src/guest/daemon/model.ts';

function created(id: string): ContainerRecord {
  return { Id: id, State: newState(), Config: { Tty: false, OpenStdin: false } } as unknown as ContainerRecord;
}

function attachRequest(sys: FakeSyscalls, a: Attachments, c: ContainerRecord): Conn {
  const [fd] = sys.socketpair(AF_UNIX, SOCK_STREAM);
  const conn = new Conn(sys, fd);
  const req = parseRequest(new TextEncoder().encode(`POST /containers/${c.Id}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: docker\r\n\r\n`))!.req;
  a.attach(c, `/run/docker/s/${c.Id}`, req, new Response(conn, {}, true), null);
  return conn;
}

describe('attaches waiting for a start', () => {
  it('tell start whether the shim must wait for them (docker run) or may start at once (run -d)', () => {
    const sys = new FakeSyscalls();
    const a = new Attachments(sys);
    const c = created('c1');
    expect(a.hasPending('c1')).toBe(false);
    const conn = attachRequest(sys, a, c);
    expect(a.hasPending('c1')).toBe(true);
    expect(a.hasPending('other')).toBe(false);
    // the client went away before the start: nobody waits any more
    conn.close();
    expect(a.hasPending('c1')).toBe(false);
  });
});
