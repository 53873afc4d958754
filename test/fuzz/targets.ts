// Fuzz targets for every parser that reads untrusted input: each is a fast-check arbitrary and a
// check that throws when a property breaks. Properties: no crash (only the parser's own error
// class, with a message), no hang (a bounded amount of work), a line in range where the input has
// lines, and round trips where a printer exists. The short pass in fuzz.test.ts and the long one
// in scripts/fuzz.ts run these same targets.
import fc from 'fast-check';
import { parseFlags, UsageError, type CommandSpec } from '../../src/guest/util/flags.ts';
import { parseRequest, serve, URLSearchParamsLike, type Request } from '../../src/guest/daemon/http.ts';
import { body, filters } from '../../src/guest/daemon/routes/context.ts';
import { InvalidParameter } from '../../src/guest/daemon/errdefs.ts';
import { familiar, parseRef, ReferenceError } from '../../src/guest/images/reference.ts';
import { TarError, TarReader, type TarEntry } from '../../src/guest/util/tar.ts';
import { tarArchive, type TarMember } from '../../src/guest/build/context/tarwrite.ts';
import { FakeSyscalls } from '../../src/guest/sys/fake.ts';
import { SyscallError } from '../../src/guest/sys/errors.ts';
import { LayerError, layerWriter } from '../../src/guest/images/unpack.ts';
import { parseDockerfile } from '../../src/guest/build/dockerfile/parser.ts';
import { readDockerfile } from '../../src/guest/build/dockerfile/instructions.ts';
import { DockerfileError } from '../../src/guest/build/dockerfile/errors.ts';
import { ExpandError } from '../../src/guest/build/dockerfile/shell.ts';
import { loadProject } from '../../src/guest/compose/load.ts';
import { interpolateString } from '../../src/guest/compose/interpolate.ts';
import { ComposeError } from '../../src/guest/compose/errors.ts';
import { loadLesson } from '../../src/lessons/loader.ts';
import { parseBody } from '../../src/lessons/markdown.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/guest/sys/constants.ts';

export interface Target<T = unknown> {
  name: string;
  arb: fc.Arbitrary<T>;
  /** Throws (anything but a fast-check precondition) when a property does not hold. */
  check(input: T): void;
}

const target = <T>(name: string, arb: fc.Arbitrary<T>, check: (input: T) => void): Target => ({ name, arb, check: check as (i: unknown) => void }) as Target;

/** A property violation (as opposed to a parser's own, expected, rejection). */
export class Finding extends Error {
  override name = 'Finding';
}

function expectRejection(e: unknown, ...classes: (abstract new (...a: never[]) => Error)[]): Error {
  if (!classes.some((c) => e instanceof c)) throw new Finding(`crashed with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  const err = e as Error;
  if (!err.message.trim()) throw new Finding(`${err.name} without a message`);
  return err;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Strings that mix the parser's own punctuation with arbitrary text, so fuzzing gets past the first check. */
const textFrom = (tokens: string[], max = 30): fc.Arbitrary<string> =>
  fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) }), { maxLength: max }).map((a) => a.join(''));

// ---- CLI flags ----

const SPEC: CommandSpec = {
  path: 'docker run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  interspersed: false,
  minArgs: 1,
  flags: [
    { name: 'detach', short: 'd', kind: 'bool', help: '' },
    { name: 'interactive', short: 'i', kind: 'bool', help: '' },
    { name: 'tty', short: 't', kind: 'bool', help: '' },
    { name: 'env', short: 'e', kind: 'list', help: '' },
    { name: 'name', kind: 'string', help: '' },
    { name: 'cpu-shares', short: 'c', kind: 'int', help: '' },
    { name: 'rm', kind: 'bool', help: '' },
  ],
};
const flagWord = fc.oneof(
  fc.constantFrom('-d', '-i', '-t', '-dit', '-e', '-eA=1', '-e=B', '--env', '--env=X=1', '--name', '--name=', '--cpu-shares', '-c', '-c12', '--rm', '--rm=false', '--rm=maybe', '--', '-', '--help', '-h', '--nope', '-z', 'busybox', 'sh', '', '12', '-12'),
  fc.string({ maxLength: 8 }),
);

const cliFlags = target('cli-flags', fc.array(flagWord, { maxLength: 10 }), (argv) => {
  try {
    const p = parseFlags(SPEC, argv);
    if (!p.help && p.args.length < 1) throw new Finding('accepted fewer arguments than minArgs');
  } catch (e) {
    const err = expectRejection(e, UsageError, Finding) as UsageError;
    if (err instanceof Finding) throw err;
    if (!err.render().includes(err.message)) throw new Finding('usage text lacks the message');
  }
});

/** Round trip: flags printed in any of the accepted spellings parse back to the same values. */
const cliRoundTrip = target(
  'cli-flags-roundtrip',
  fc.record({
    env: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    name: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    cpu: fc.option(fc.integer({ min: -1000, max: 1_000_000 }), { nil: undefined }),
    detach: fc.boolean(),
    style: fc.constantFrom('separate', 'equals', 'attached'),
    args: fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }),
  }),
  (v) => {
    const argv: string[] = [];
    const put = (long: string, short: string | null, value: string): void => {
      if (v.style === 'equals') argv.push(`--${long}=${value}`);
      // pflag reads -e=x as "x": a value starting with = is only attached when it is exactly "="
      else if (v.style === 'attached' && short && value !== '' && (!value.startsWith('=') || value === '=')) argv.push(`-${short}${value}`);
      else argv.push(`--${long}`, value);
    };
    for (const e of v.env) put('env', 'e', e);
    if (v.name !== undefined) put('name', null, v.name);
    if (v.cpu !== undefined) put('cpu-shares', 'c', String(v.cpu));
    if (v.detach) argv.push('-d');
    argv.push('--', ...v.args);
    const p = parseFlags(SPEC, argv);
    const same = JSON.stringify([p.flags.list('env'), p.flags.string('name'), p.flags.int('cpu-shares'), p.flags.bool('detach'), p.args]);
    const want = JSON.stringify([v.env, v.name ?? '', v.cpu ?? 0, v.detach, v.args]);
    if (same !== want) throw new Finding(`round trip: ${same} != ${want}`);
  },
);

// ---- Engine API: HTTP framing ----

const httpTokens = ['GET', 'POST', ' ', '/v1.47/containers/json', '?all=1&filters=', '%7B%7D', 'HTTP/1.1', '\r\n', '\r\n\r\n', 'Content-Length: ', 'Transfer-Encoding: chunked', 'Connection: close', '0', '5', '-1', 'a', 'ffffffffffff', 'x', ':', '{}', 'hello', '%', '+'];

function checkParse(buf: Uint8Array): void {
  let r;
  try {
    r = parseRequest(buf);
  } catch (e) {
    expectRejection(e, Error);
    if ((e as Error).name === 'RangeError' || e instanceof TypeError) throw new Finding(`crashed with ${(e as Error).name}: ${(e as Error).message}`);
    return;
  }
  if (r === null) return;
  if (!(Number.isInteger(r.used) && r.used > 0 && r.used <= buf.length)) throw new Finding(`consumed ${r.used} of ${buf.length} bytes`);
}

const httpParse = target('http-parse', textFrom(httpTokens, 40), (s) => checkParse(enc.encode(s)));

/** What the served connection did with some bytes: the handler's calls and the bytes sent back. */
export function serveBytes(chunks: Uint8Array[], handler: (req: Request, res: import('../../src/guest/daemon/http.ts').Response) => void = (_q, res) => res.json(200, { ok: true })): { requests: Request[]; reply: string; sys: FakeSyscalls; server: number; client: number } {
  const sys = new FakeSyscalls();
  const lfd = sys.socket(AF_UNIX, SOCK_STREAM);
  sys.listen(lfd);
  const [client, server] = sys.socketpair(AF_UNIX, SOCK_STREAM);
  let accepted = false;
  sys.on('accept', () => {
    if (accepted) throw SyscallError.named('EAGAIN', 'accept4', []);
    accepted = true;
    return server;
  });
  const requests: Request[] = [];
  serve(sys, lfd, () => ({}), (req, res) => {
    requests.push(req);
    // a server that loops on one buffer would call the handler without end: stop it here
    if (requests.length > 1000) throw new Finding('handler called more than 1000 times for one input');
    handler(req, res);
  });
  sys.fire(lfd, 'read');
  for (const c of chunks) {
    sys.write(client, c);
    if (sys.watches.has(`read:${server}`)) sys.fire(server, 'read');
    for (let k = 0; k < 50 && sys.watches.has(`read:${server}`); k++) sys.advance(0);
  }
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
  return { requests, reply: dec.decode(Uint8Array.from(out)), sys, server, client };
}

const httpServe = target('http-serve', fc.array(textFrom(httpTokens, 20), { minLength: 1, maxLength: 4 }), (parts) => {
  const all = parts.join('');
  const { requests, reply } = serveBytes(parts.map((p) => enc.encode(p)));
  // each request needs its own blank line: more handler calls than that means bytes were served twice
  const heads = all.split('\r\n\r\n').length - 1;
  if (requests.length > heads) throw new Finding(`${requests.length} requests from ${heads} request heads`);
  for (const m of reply.matchAll(/^HTTP\/1\.1 (\d+)/gm)) {
    const code = Number(m[1]);
    if (code >= 500) throw new Finding(`server error ${code} for client bytes`);
  }
});

/** Round trip: a request printed with Content-Length or chunked framing parses back to itself. */
const httpRoundTrip = target(
  'http-roundtrip',
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'DELETE', 'HEAD'),
    path: fc.stringMatching(/^\/[a-z0-9/._-]{0,20}$/),
    query: fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: 3 }),
    headers: fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/), fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/), { maxKeys: 3 }),
    body: fc.uint8Array({ maxLength: 64 }),
    chunks: fc.option(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 4 }), { nil: null }),
  }),
  (v) => {
    const headers = Object.fromEntries(Object.entries(v.headers).filter(([k]) => !/^(content-length|transfer-encoding)$/i.test(k)));
    const qs = v.query.map(([k, val]) => `${encodeURIComponent(k)}=${encodeURIComponent(val)}`).join('&');
    let head = `${v.method} ${v.path}${qs ? `?${qs}` : ''} HTTP/1.1\r\n${Object.entries(headers).map(([k, val]) => `${k}: ${val}\r\n`).join('')}`;
    let bodyBytes: Uint8Array;
    if (v.chunks) {
      head += 'Transfer-Encoding: chunked\r\n\r\n';
      const parts: string[] = [];
      let pos = 0;
      for (const size of v.chunks) {
        const piece = v.body.subarray(pos, pos + size);
        pos += piece.length;
        if (piece.length) parts.push(`${piece.length.toString(16)}\r\n${String.fromCharCode(...piece)}\r\n`);
      }
      const rest = v.body.subarray(pos);
      if (rest.length) parts.push(`${rest.length.toString(16)}\r\n${String.fromCharCode(...rest)}\r\n`);
      parts.push('0\r\n\r\n');
      bodyBytes = Uint8Array.from([...parts.join('')].map((c) => c.charCodeAt(0)));
    } else {
      head += `Content-Length: ${v.body.length}\r\n\r\n`;
      bodyBytes = v.body;
    }
    const wire = Uint8Array.from([...enc.encode(head), ...bodyBytes]);
    const r = parseRequest(wire);
    if (!r) throw new Finding('complete request not parsed');
    if (r.used !== wire.length) throw new Finding(`used ${r.used} of ${wire.length}`);
    if (r.req.method !== v.method || r.req.path !== v.path) throw new Finding('request line changed');
    if (Buffer.compare(Buffer.from(r.req.body), Buffer.from(v.body)) !== 0) throw new Finding('body changed');
    for (const [k, val] of v.query) if (!r.req.query.getAll(k).includes(val)) throw new Finding(`query ${k} lost`);
    for (const [k, val] of Object.entries(headers)) if (r.req.headers[k.toLowerCase()] === undefined || !Object.values(headers).includes(val)) throw new Finding(`header ${k} lost`);
    // a prefix is never a complete request
    if (wire.length > 1 && parseRequest(wire.subarray(0, wire.length - 1)) !== null) throw new Finding('a truncated request parsed');
  },
);

// ---- Engine API: query strings and JSON bodies ----

const queryString = target('query-string', textFrom(['a', '=', '&', '%', '%2', '%zz', '%E2%82', '+', 'filters', '1', 'true', '%7B'], 30), (s) => {
  const q = new URLSearchParamsLike(s);
  for (const k of ['a', 'filters', '']) {
    q.get(k);
    q.getAll(k);
    q.bool(k);
  }
});

const jsonText = fc.oneof(
  fc.json(),
  textFrom(['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1', '"status"', '"exited"', '{"status":', '"a":null', '\\u00'], 20),
);

function fakeReq(bodyText: string, filterText: string | null): Request {
  const qs = filterText === null ? '' : `filters=${encodeURIComponent(filterText)}`;
  return { method: 'POST', path: '/x', query: new URLSearchParamsLike(qs), headers: {}, body: enc.encode(bodyText) };
}

const jsonBodies = target('json-bodies', jsonText, (s) => {
  try {
    const v = body<Record<string, unknown>>(fakeReq(s, null));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Finding(`body() gave ${JSON.stringify(v)} to a handler expecting an object`);
  } catch (e) {
    if (e instanceof Finding) throw e;
    expectRejection(e, InvalidParameter);
  }
  try {
    const f = filters(fakeReq('', s));
    for (const [k, v] of Object.entries(f)) if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Finding(`filter ${k} is not a list of strings`);
  } catch (e) {
    if (e instanceof Finding) throw e;
    expectRejection(e, InvalidParameter);
  }
});

// ---- image references ----

const refTokens = ['busybox', 'nginx', 'library/', 'docker.io/', 'index.docker.io/', 'user/', ':', 'latest', '1.22', '@', 'sha256:', 'a'.repeat(64), '/', '.', '-', '_', '__', 'UP', 'localhost:5000/'];
const imageRef = target('image-reference', textFrom(refTokens, 8), (s) => {
  let r;
  try {
    r = parseRef(s);
  } catch (e) {
    expectRejection(e, ReferenceError);
    return;
  }
  // familiar() is the printer: its output reads back as the same reference
  const again = parseRef(familiar(r));
  if (JSON.stringify(again) !== JSON.stringify(r.digest && r.tag ? { ...again, digest: r.digest } : r)) throw new Finding(`round trip ${JSON.stringify(r)} -> ${familiar(r)} -> ${JSON.stringify(again)}`);
});

// ---- tar reader ----

const member: fc.Arbitrary<TarMember> = fc.record({
  path: fc.oneof(fc.stringMatching(/^[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,3}$/), fc.string({ minLength: 1, maxLength: 120 }).filter((s) => !s.includes('\0'))),
  type: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const),
  mode: fc.integer({ min: 0, max: 0o7777 }),
  uid: fc.integer({ min: 0, max: 65535 }),
  gid: fc.integer({ min: 0, max: 65535 }),
  mtime: fc.integer({ min: 0, max: 2 ** 32 }),
  linkname: fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0')),
  data: fc.uint8Array({ maxLength: 700 }),
});

/** A valid archive, then maybe damaged: bytes flipped, cut short, or a header field overwritten. */
const damagedTar = fc.tuple(fc.array(member, { maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat(), { nil: null })).map(([ms, flips, cut]) => {
  const bytes = tarArchive(ms).slice();
  for (const [at, v] of flips) if (bytes.length) bytes[at % bytes.length] = v;
  return { members: ms, bytes: cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1)), damaged: flips.length > 0 || cut !== null };
});

function readAll(bytes: Uint8Array, chunk: number): (TarEntry & { data: number[] })[] {
  const out: (TarEntry & { data: number[] })[] = [];
  const r = new TarReader((e) => {
    if (e.size < 0 || !Number.isFinite(e.size)) throw new Finding(`entry size ${e.size}`);
    const item = { ...e, data: [] as number[] };
    out.push(item);
    return { data: (c) => item.data.push(...c), end: () => undefined };
  });
  for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
  r.end();
  return out;
}

const tarRead = target('tar-reader', fc.tuple(damagedTar, fc.integer({ min: 1, max: 1024 })), ([t, chunk]) => {
  let got;
  try {
    got = readAll(t.bytes, chunk);
  } catch (e) {
    if (e instanceof Finding) throw e;
    expectRejection(e, TarError);
    if (!t.damaged) throw new Finding(`rejected an intact archive: ${(e as Error).message}`);
    return;
  }
  if (t.damaged) return;
  // round trip: what tarArchive wrote reads back as the same members
  if (got.length !== t.members.length) throw new Finding(`${got.length} entries for ${t.members.length} members`);
  t.members.forEach((m, i) => {
    const g = got[i]!;
    // a directory's name gets a trailing slash in the archive; compare names without it
    const path = g.path.replace(/\/$/, '');
    if (path !== m.path.replace(/\/$/, '') || g.type !== m.type) throw new Finding(`member ${i}: ${JSON.stringify([g.path, g.type])} != ${JSON.stringify([m.path, m.type])}`);
    if (m.type === 'file' && Buffer.compare(Buffer.from(g.data), Buffer.from(m.data ?? [])) !== 0) throw new Finding(`member ${i}: data changed`);
    if (m.type === 'symlink' && g.linkname !== m.linkname) throw new Finding(`member ${i}: link target changed`);
    if ((g.mode & 0o7777) !== (m.mode & 0o7777)) throw new Finding(`member ${i}: mode changed`);
  });
});

// ---- layer unpacker on the fake ----

const hostilePath = fc.oneof(
  fc.constantFrom('etc/passwd', '../escape', '/abs', 'a/../../b', './x', 'link/inside', 'link2/x', 'd/.wh.f', '.wh..wh..opq', 'd/.wh..wh..opq', 'link/.wh.x', '..', '/', 'd', 'd/f'),
  fc.stringMatching(/^[a-z./]{1,10}$/),
);
const hostileMember: fc.Arbitrary<TarMember> = fc.record({
  path: hostilePath,
  type: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const),
  mode: fc.constantFrom(0o644, 0o755, 0o4755),
  linkname: fc.constantFrom('/', '/etc', '..', '../..', '../../outside', 'd', '/tmp'),
  data: fc.constant(enc.encode('x')),
});

const layerUnpack = target('layer-unpack', fc.tuple(fc.array(hostileMember, { maxLength: 6 }), fc.option(fc.nat(), { nil: null })), ([ms, cut]) => {
  const sys = new FakeSyscalls();
  sys.addDir('/layers/dest');
  sys.addFile('/etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
  const before = new Map([...sys.fs].filter(([p]) => p !== '/layers/dest' && !p.startsWith('/layers/dest/')).map(([p, n]) => [p, JSON.stringify({ ...n, data: [...n.data] })]));
  const bytes = tarArchive(ms);
  const w = layerWriter(sys, '/layers/dest');
  try {
    w.push(cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1)));
    w.finish();
  } catch (e) {
    expectRejection(e, LayerError, TarError, SyscallError);
  }
  for (const [p, n] of sys.fs) {
    // the layer root itself may change (an opaque mark on it)
    if (p === '/layers/dest' || p.startsWith('/layers/dest/')) continue;
    if (before.get(p) !== JSON.stringify({ ...n, data: [...n.data] })) throw new Finding(`wrote outside the layer: ${p}`);
  }
  for (const p of before.keys()) if (!sys.fs.has(p)) throw new Finding(`removed outside the layer: ${p}`);
});

// ---- Dockerfile ----

const dfTokens = ['FROM busybox', 'FROM alpine AS b', 'FROM b', 'RUN echo hi', 'RUN <<EOF', 'EOF', 'COPY --from=b /a /b', 'COPY . .', 'ADD x y', 'ENV A=1 B="2 3"', 'ENV A', 'ARG V=1', 'ARG', 'CMD ["sh"]', 'CMD [', 'ENTRYPOINT ["a",', 'EXPOSE 80/tcp', 'EXPOSE x', 'WORKDIR /w', 'USER 1000', 'LABEL a=b', 'HEALTHCHECK --interval=5s CMD true', 'HEALTHCHECK NONE', 'SHELL ["/bin/sh","-c"]', 'ONBUILD RUN x', 'ONBUILD ONBUILD x', 'STOPSIGNAL TERM', 'VOLUME /v', 'MAINTAINER me', 'FRM x', '# escape=`', '# syntax=docker/dockerfile:1', '\\', '`', '$A', '${A:-x}', '${A', '--mount=type=cache', '#', ' ', '\t'];
const dockerfileText = fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...dfTokens) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }), { maxLength: 12 }).map((ls) => ls.join('\n'));

const dockerfile = target('dockerfile', dockerfileText, (text) => {
  const lineCount = Math.max(1, text.split('\n').length);
  try {
    readDockerfile(parseDockerfile(text));
  } catch (e) {
    const err = expectRejection(e, DockerfileError, ExpandError);
    if (err instanceof DockerfileError && err.range && !(err.range.start >= 1 && err.range.start <= err.range.end && err.range.end <= lineCount)) {
      throw new Finding(`line range ${JSON.stringify(err.range)} outside the file's ${lineCount} lines`);
    }
  }
});

// ---- Compose ----

const yamlTokens = ['services:', '\n', '  ', '    ', 'web:', 'db:', 'image: busybox', 'image: ${IMG}', 'image: ${IMG:?need it}', 'image: $${x}', 'build: .', 'ports:', '- "80:80"', '- 80', '- "x:y"', 'volumes:', '- ./a:/b', '- data:/d:ro', 'environment:', '- A=1', 'A: 1', 'depends_on:', '- db', 'command: ["sh", "-c"]', 'networks:', 'x-a: &a', '<<: *a', '*a', '&a', '{', '}', '[', ']', '"', "'", ':', '- ', 'version: "3"', 'profiles: [p]', 'restart: always', 'deploy:', 'healthcheck:', 'test: ["CMD", "true"]', '${', '$', '#'];
const composeText = textFrom(yamlTokens, 30);

const compose = target('compose-load', composeText, (text) => {
  const host = { cwd: '/p', env: { IMG: 'busybox' }, readFile: (p: string) => (p === '/p/compose.yaml' ? text : null), warn: () => undefined };
  try {
    loadProject(host, {});
  } catch (e) {
    const err = expectRejection(e, ComposeError);
    const m = /yaml: line (\d+), column (\d+)/.exec(err.message);
    if (m && !(Number(m[1]) >= 1 && Number(m[1]) <= text.split('\n').length + 1)) throw new Finding(`line ${m[1]} outside the file`);
  }
});

const interpolation = target('compose-interpolate', textFrom(['$', '{', '}', 'A', 'B', ':-', '-', ':?', '?', ':+', '+', '$$', 'msg', ' ', '\\'], 16), (s) => {
  const env: Record<string, string> = { A: 'a', E: '' };
  try {
    const out = interpolateString(s, (n) => env[n], 'services.web.image', () => undefined);
    if (typeof out !== 'string') throw new Finding('not a string');
  } catch (e) {
    if (e instanceof Finding) throw e;
    expectRejection(e, ComposeError);
  }
});

// ---- lessons ----

const mdTokens = ['---', '\n', 'title: T', 'summary: S', 'minutes: 5', 'minutes: x', 'prerequisites: [00-x]', 'check: auto', 'hints:', '  - h', '```', '```sh run', '```quiz', '~~~', '> [!NOTE]', '> [!WARN]', '> ', '[a](b.md)', '[x](../01-vms/lesson.md)', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[j](javascript:alert(1))', 'question: Q', 'choices:', '  - text: a', '    correct: true', '# H', 'text', ' ', ':', '{', '\t'];
const lessonText = textFrom(mdTokens, 40);

function checkDiagnostics(list: { file: string; line?: number; message: string }[], lineCounts: Record<string, number>): void {
  for (const d of list) {
    if (!d.message.trim()) throw new Finding(`diagnostic without a message for ${d.file}`);
    const n = lineCounts[d.file];
    if (d.line !== undefined && n !== undefined && !(d.line >= 1 && d.line <= n + 1)) throw new Finding(`${d.file}:${d.line} outside its ${n} lines (${d.message})`);
  }
}

const lessons = target('lesson-loader', fc.tuple(lessonText, lessonText), ([lesson, step]) => {
  const files = { 'lesson.md': lesson, '01-step.md': step, '01-step.check.sh': 'true\n' };
  const entry = loadLesson('01-fuzz', files, new Set(['01-fuzz']), new Set(Object.keys(files).map((f) => `01-fuzz/${f}`)));
  checkDiagnostics(entry.errors, { '01-fuzz/lesson.md': lesson.split(/\r?\n/).length, '01-fuzz/01-step.md': step.split(/\r?\n/).length });
  if (entry.lesson === null && entry.errors.length === 0) throw new Finding('lesson refused without a reason');
});

const markdown = target('lesson-markdown', lessonText, (text) => {
  const r = parseBody(text, 'l.md', 1);
  checkDiagnostics(r.errors, { 'l.md': text.split(/\r?\n/).length });
  for (const b of r.blocks) if (!(b.line >= 1 && b.line <= text.split(/\r?\n/).length + 1)) throw new Finding(`block at line ${b.line}`);
});

export const TARGETS: Target[] = [cliFlags, cliRoundTrip, httpParse, httpServe, httpRoundTrip, queryString, jsonBodies, imageRef, tarRead, layerUnpack, dockerfile, compose, interpolation, lessons, markdown];
