// Inputs the fuzzer found that broke a parser, kept so the fixes stay fixed.
import { describe, expect, it } from 'vitest';
import { parseFlags, type CommandSpec } from '../../src/guest/util/flags.ts';
import { body, filters } from '../../src/guest/daemon/routes/context.ts';
import { URLSearchParamsLike, type Request } from '../../src/guest/daemon/http.ts';
import { InvalidParameter } from '../../src/guest/daemon/errdefs.ts';
import { familiar, parseRef } from '../../src/guest/images/reference.ts';

const spec: CommandSpec = { path: 'docker run', usage: 'IMAGE', description: '', interspersed: false, flags: [{ name: 'env', short: 'e', kind: 'list', help: '' }] };
const req = (b: string, f: string | null = null): Request => ({
  method: 'POST', path: '/x', headers: {}, body: new TextEncoder().encode(b),
  query: new URLSearchParamsLike(f === null ? '' : `filters=${encodeURIComponent(f)}`),
});

describe('fuzz regressions', () => {
  it('cli: "-e=" is the value "=" as pflag reads it, and does not swallow the next word', () => {
    const p = parseFlags(spec, ['-e=', 'busybox']);
    expect(p.flags.list('env')).toEqual(['=']);
    expect(p.args).toEqual(['busybox']);
    expect(parseFlags(spec, ['-e=A=1', 'x']).flags.list('env')).toEqual(['A=1']);
  });

  it('api: a JSON body that is not an object is a 400, not a crash in the handler', () => {
    for (const b of ['""', '1', '[]', 'true']) expect(() => body(req(b))).toThrow(InvalidParameter);
    expect(body(req('null'))).toEqual({});
    expect(() => body(req('{'))).toThrow(/invalid JSON/);
  });

  it('api: malformed filters are a 400 (they were a 500 from JSON.parse or Object.entries)', () => {
    for (const f of ['{', '"x"', '[1]', '{"status":5}', '{"status":[1]}', '{"a":null}']) expect(() => filters(req('', f)), f).toThrow(InvalidParameter);
    expect(filters(req('', 'null'))).toEqual({});
    expect(filters(req('', '{"status":{"exited":true,"running":false}}'))).toEqual({ status: ['exited'] });
  });

  it('image reference: a repository named like a Hub alias prints back to itself', () => {
    const r = parseRef('index.docker.io/index.docker.io/busybox');
    expect(r.repo).toBe('index.docker.io/busybox');
    expect(parseRef(familiar(r))).toEqual(r);
    expect(familiar(parseRef('busybox'))).toBe('busybox:latest');
  });
});

describe('fuzz regressions: HTTP framing', () => {
  it('a Content-Length that is not a number is a 400 that ends the connection, not a server looping on the same bytes', async () => {
    const { parseRequest } = await import('../../src/guest/daemon/http.ts');
    const { serveBytes } = await import('./targets.ts');
    for (const cl of ['GET', '-4', '1e3', '']) {
      expect(() => parseRequest(new TextEncoder().encode(`POST / HTTP/1.1\r\nContent-Length: ${cl}\r\n\r\n`)), cl).toThrow(/Content-Length/);
    }
    const r = serveBytes([new TextEncoder().encode('Connection: close\r\nContent-Length: GET\r\n\r\n')]);
    expect(r.requests).toHaveLength(0);
    expect(r.reply).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('chunk sizes are strict hex', async () => {
    const { parseRequest } = await import('../../src/guest/daemon/http.ts');
    const head = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
    for (const size of ['-5', '1x', 'zz']) expect(() => parseRequest(new TextEncoder().encode(`${head}${size}\r\nhello\r\n0\r\n\r\n`)), size).toThrow(/chunk size/);
    expect(new TextDecoder().decode(parseRequest(new TextEncoder().encode(`${head}5;ext=1\r\nhello\r\n0\r\n\r\n`))!.req.body)).toBe('hello');
  });
});

describe('fuzz regressions: layers and references', () => {
  it('image reference: library/library/x keeps one library/ and prints back to itself', () => {
    const r = parseRef('library/library/busybox');
    expect(r.repo).toBe('library/busybox');
    expect(parseRef(familiar(r))).toEqual(r);
    expect(parseRef('docker.io/library/busybox').repo).toBe('busybox');
  });

  it('layer: a dir entry over a symlink to / replaces the link instead of chmod-ing the host root', async () => {
    const { FakeSyscalls } = await import('../../src/guest/sys/fake.ts');
    const { layerWriter } = await import('../../src/guest/images/unpack.ts');
    const { tarArchive } = await import('../../src/guest/build/context/tarwrite.ts');
    const sys = new FakeSyscalls();
    sys.addDir('/layers/dest');
    const rootPerm = sys.nodeAt('/')!.perm;
    const w = layerWriter(sys, '/layers/dest');
    w.push(tarArchive([{ path: 'abs', type: 'symlink', mode: 0o777, linkname: '/' }, { path: 'abs', type: 'dir', mode: 0o4777 }]));
    w.finish();
    expect(sys.nodeAt('/')!.perm).toBe(rootPerm);
    expect(sys.nodeAt('/layers/dest/abs')!.type).toBe('dir');
  });

  it('layer: an entry through a symlink the layer made is refused, naming the link', async () => {
    const { FakeSyscalls } = await import('../../src/guest/sys/fake.ts');
    const { layerWriter } = await import('../../src/guest/images/unpack.ts');
    const { tarArchive } = await import('../../src/guest/build/context/tarwrite.ts');
    const sys = new FakeSyscalls();
    sys.addDir('/layers/dest');
    const w = layerWriter(sys, '/layers/dest');
    expect(() => w.push(tarArchive([{ path: 'etc', type: 'symlink', mode: 0o777, linkname: '/etc' }, { path: 'etc/passwd', type: 'file', mode: 0o644, data: new TextEncoder().encode('x') }]))).toThrow(
      'layer entry etc/passwd goes through the symbolic link etc',
    );
  });
});
