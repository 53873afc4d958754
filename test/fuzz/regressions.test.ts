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
