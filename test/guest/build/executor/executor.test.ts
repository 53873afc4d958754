// The build executor (src/guest/build/executor) on the Syscalls fake and a fake backend: what each
// instruction does to the image config and history, RUN's command and environment, COPY/ADD,
// the cache (what is reused and what is not), multi-stage builds and the errors Docker gives.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../../src/guest/sys/fake.ts';
import { Executor, type BuildOptions } from '../../../../src/guest/build/executor/executor.ts';
import { BuildError, type BuildEvent } from '../../../../src/guest/build/executor/events.ts';
import { LegacyWriter } from '../../../../src/guest/build/progress/legacy.ts';
import { tarArchive } from '../../../../src/guest/build/context/tarwrite.ts';
import { mkdirp } from '../../../../src/guest/util/fsutil.ts';
import { utf8Decode } from '../../../../src/guest/util/text.ts';
import { FakeBackend, type RunAnswer } from './fake-backend.ts';
import type { RunRequest } from '../../../../src/guest/build/executor/backend.ts';

function setup(onRun?: (req: RunRequest) => RunAnswer): { sys: FakeSyscalls; be: FakeBackend } {
  const sys = new FakeSyscalls();
  const be = new FakeBackend(sys, onRun);
  be.addBase('debian:bookworm-slim', { '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n', '/etc/group': 'root:x:0:\nstaff:x:50:\n', '/tmp/.keep': '' });
  mkdirp(sys, '/ctx');
  return { sys, be };
}

async function build(sys: FakeSyscalls, be: FakeBackend, dockerfile: string, o: Partial<BuildOptions> = {}): Promise<{ id: string; events: BuildEvent[]; legacy: string }> {
  const events: BuildEvent[] = [];
  let legacy = '';
  const lw = new LegacyWriter((s) => (legacy += s));
  const ex = new Executor(sys, be, (e) => {
    events.push(e);
    lw.event(e);
  });
  const r = await ex.build({ dockerfileText: dockerfile, dockerfileName: 'Dockerfile', contextDir: '/ctx', buildArgs: new Map(), target: null, noCache: false, pull: false, labels: {}, network: 'default', tags: [], ...o });
  lw.finished(r.id, o.tags ?? [], r.unusedArgs);
  return { id: r.id, events, legacy };
}

async function failure(sys: FakeSyscalls, be: FakeBackend, dockerfile: string, o: Partial<BuildOptions> = {}): Promise<BuildError> {
  try {
    await build(sys, be, dockerfile, o);
  } catch (e) {
    if (e instanceof BuildError) return e;
    throw e;
  }
  throw new Error('the build did not fail');
}

describe('executor: image config', () => {
  it('applies metadata instructions to the config, each with a history line and no layer', async () => {
    const { sys, be } = setup();
    const { id } = await build(sys, be, [
      'FROM debian:bookworm-slim',
      'LABEL maintainer="Your name " version=1',
      'ENV A=1 B="two words"',
      'ENV C=$A-${B:+set}',
      'WORKDIR /app',
      'WORKDIR sub',
      'USER app',
      'EXPOSE 80 53/udp 8000-8001',
      'VOLUME ["/data"]',
      'STOPSIGNAL SIGQUIT',
      'HEALTHCHECK --interval=5s --retries=2 CMD curl -f localhost',
      'ONBUILD RUN echo child',
      'SHELL ["/bin/bash", "-c"]',
      'ENTRYPOINT ["/entry"]',
      'CMD echo hi',
    ].join('\n'));
    const c = be.images.get(id)!.config;
    expect(c.config).toMatchObject({
      Labels: { maintainer: 'Your name ', version: '1' },
      Env: ['PATH=/usr/bin:/bin', 'A=1', 'B=two words', 'C=1-set'],
      WorkingDir: '/app/sub',
      User: 'app',
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
      Volumes: { '/data': {} },
      StopSignal: 'SIGQUIT',
      Healthcheck: { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 5e9, Retries: 2 },
      OnBuild: ['RUN echo child'],
      Shell: ['/bin/bash', '-c'],
      Entrypoint: ['/entry'],
      Cmd: ['/bin/bash', '-c', 'echo hi'],
    });
    const hist = c.history!.slice(1);
    expect(hist[0]).toMatchObject({ created_by: 'LABEL maintainer=Your name  version=1', empty_layer: true, comment: 'buildkit.dockerfile.v0' });
    expect(hist.map((h) => h.created_by)).toContain('ENV C=1-set');
    // WORKDIR /app makes its directory: the one history line with a layer
    expect(hist.filter((h) => !h.empty_layer).map((h) => h.created_by)).toEqual(['WORKDIR /app', 'WORKDIR /app/sub']);
    expect(sys.statOrNull(`${be.images.get(id)!.root}/app/sub`)).not.toBeNull();
  });

  it('drops an inherited CMD when ENTRYPOINT is set, keeps one set in this file', async () => {
    const { sys, be } = setup();
    const a = await build(sys, be, 'FROM debian:bookworm-slim\nENTRYPOINT ["/e"]\n');
    expect(be.images.get(a.id)!.config.config?.Cmd).toBeNull();
    const b = await build(sys, be, 'FROM debian:bookworm-slim\nCMD ["x"]\nENTRYPOINT ["/e"]\n');
    expect(be.images.get(b.id)!.config.config?.Cmd).toEqual(['x']);
  });

  it('adds --label to the final image', async () => {
    const { sys, be } = setup();
    const { id } = await build(sys, be, 'FROM debian:bookworm-slim\n', { labels: { team: 'a b' } });
    expect(be.images.get(id)!.config.config?.Labels).toEqual({ team: 'a b' });
  });
});

describe('executor: RUN', () => {
  it('runs the shell form under /bin/sh -c with ENV and ARG values, and commits what it wrote', async () => {
    const { sys, be } = setup((req) => ({ files: { '/hello': 'hi\n' }, output: `ran ${req.argv.join(' ')}\n` }));
    const { id, legacy } = await build(sys, be, 'FROM debian:bookworm-slim\nARG V=1\nENV E=2\nRUN echo $V $E > /hello\n', { buildArgs: new Map([['V', '9'], ['UNUSED', 'x']]) });
    expect(be.runs[0]).toMatchObject({ argv: ['/bin/sh', '-c', 'echo $V $E > /hello'], env: ['PATH=/usr/bin:/bin', 'E=2', 'V=9'], workdir: '/', user: '', network: 'default' });
    expect(utf8Decode(sys.readFile(`${be.images.get(id)!.root}/hello`))).toBe('hi\n');
    const hist = be.images.get(id)!.config.history!;
    expect(hist[hist.length - 1]).toMatchObject({ created_by: 'RUN |1 V=9 /bin/sh -c echo $V $E > /hello # buildkit' });
    expect(hist[hist.length - 1]!.empty_layer).toBeUndefined();
    expect(be.removed).toHaveLength(1);
    expect(legacy).toMatch(/^Step 1\/4 : FROM debian:bookworm-slim\npulled debian:bookworm-slim\n ---> 000000000001\nStep 2\/4 : ARG V=1\n ---> [0-9a-f]{12}\n/);
    expect(legacy).toMatch(/Step 4\/4 : RUN echo \$V \$E > \/hello\n ---> Running in c\d+\nran \/bin\/sh -c echo \$V \$E > \/hello\n ---> Removed intermediate container c\d+\n ---> [0-9a-f]{12}\n/);
    expect(legacy).toMatch(/\[Warning\] One or more build-args \[UNUSED\] were not consumed\nSuccessfully built [0-9a-f]{12}\n$/);
  });

  it('runs heredocs: a lone <<EOF as the script, with a command as that command\'s input', async () => {
    const { sys, be } = setup();
    await build(sys, be, 'FROM debian:bookworm-slim\nRUN <<EOF\necho one\necho two\nEOF\nRUN cat <<X > /f\nline\nX\n');
    expect(be.runs[0]!.argv).toEqual(['/bin/sh', '-c', 'echo one\necho two\n']);
    expect(be.runs[1]!.argv).toEqual(['/bin/sh', '-c', 'cat <<X > /f\nline\nX\n']);
  });

  it('fails with the command and its exit code, in both builders\' words', async () => {
    const { sys, be } = setup(() => ({ exitCode: 3 }));
    const e = await failure(sys, be, 'FROM debian:bookworm-slim\n\nRUN exit 3\n');
    expect(e.message).toBe('process "/bin/sh -c exit 3" did not complete successfully: exit code: 3');
    expect(e.legacy).toBe("The command '/bin/sh -c exit 3' returned a non-zero code: 3");
    expect(e.code).toBe(3);
    expect(e.range).toEqual({ start: 3, end: 3 });
    expect(be.removed).toHaveLength(1);
  });

  it('uses RUN --network and the build\'s --network', async () => {
    const { sys, be } = setup();
    await build(sys, be, 'FROM debian:bookworm-slim\nRUN --network=none true\nRUN true\n', { network: 'host' });
    expect(be.runs.map((r) => r.network)).toEqual(['none', 'host']);
  });
});

describe('executor: cache', () => {
  const df = 'FROM debian:bookworm-slim\nLABEL maintainer=me\nCOPY app.txt /app/\nARG V=1\nRUN echo $V\n';

  it('reuses every step of an unchanged build and gives the same image', async () => {
    const { sys, be } = setup();
    sys.writeFile('/ctx/app.txt', 'v1');
    const first = await build(sys, be, df);
    expect(first.events.filter((e) => e.kind === 'cached')).toHaveLength(0);
    const second = await build(sys, be, df);
    expect(second.events.filter((e) => e.kind === 'cached')).toHaveLength(4);
    expect(second.id).toBe(first.id);
    expect(be.runs).toHaveLength(1);
    expect(second.legacy).toContain(' ---> Using cache\n');
  });

  it('redoes a COPY whose file changed and every step after it', async () => {
    const { sys, be } = setup();
    sys.writeFile('/ctx/app.txt', 'v1');
    await build(sys, be, df);
    sys.writeFile('/ctx/app.txt', 'v2');
    const again = await build(sys, be, df);
    expect(again.events.filter((e) => e.kind === 'cached')).toHaveLength(1);
    expect(be.runs).toHaveLength(2);
    expect(utf8Decode(sys.readFile(`${be.images.get(again.id)!.root}/app/app.txt`))).toBe('v2');
  });

  it('redoes a RUN when a build arg it sees changes, and everything with --no-cache', async () => {
    const { sys, be } = setup();
    sys.writeFile('/ctx/app.txt', 'v1');
    await build(sys, be, df);
    const a = await build(sys, be, df, { buildArgs: new Map([['V', '2']]) });
    expect(a.events.filter((e) => e.kind === 'cached')).toHaveLength(2);
    const b = await build(sys, be, df, { noCache: true });
    expect(b.events.filter((e) => e.kind === 'cached')).toHaveLength(0);
    expect(be.runs).toHaveLength(3);
  });
});

describe('executor: COPY and ADD', () => {
  it('copies files and folders with wildcards, --chown by name and --chmod, into WORKDIR', async () => {
    const { sys, be } = setup();
    sys.writeFile('/ctx/a.py', 'a');
    sys.writeFile('/ctx/b.py', 'b');
    mkdirp(sys, '/ctx/src/lib');
    sys.writeFile('/ctx/src/lib/x', 'x');
    const { id } = await build(sys, be, 'FROM debian:bookworm-slim\nWORKDIR /srv\nCOPY --chown=app:staff --chmod=600 *.py ./\nCOPY src /opt/src\nCOPY a.py /renamed\n');
    const root = be.images.get(id)!.root;
    const st = sys.lstat(`${root}/srv/a.py`);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([1000, 50, 0o600]);
    expect(sys.lstatOrNull(`${root}/srv/b.py`)).not.toBeNull();
    expect(utf8Decode(sys.readFile(`${root}/opt/src/lib/x`))).toBe('x');
    expect(utf8Decode(sys.readFile(`${root}/renamed`))).toBe('a');
    const hist = be.images.get(id)!.config.history!;
    expect(hist[hist.length - 1]!.created_by).toBe('COPY a.py /renamed # buildkit');
  });

  it('writes COPY heredocs as files', async () => {
    const { sys, be } = setup();
    const { id } = await build(sys, be, 'FROM debian:bookworm-slim\nENV WHO=world\nCOPY <<EOF /greeting\nhello $WHO\nEOF\n');
    expect(utf8Decode(sys.readFile(`${be.images.get(id)!.root}/greeting`))).toBe('hello world\n');
  });

  it('unpacks a local tar with ADD and refuses a URL (offline)', async () => {
    const { sys, be } = setup();
    sys.writeFile('/ctx/site.tar', tarArchive([{ path: 'index.html', type: 'file', mode: 0o644, data: new TextEncoder().encode('<h1>hi</h1>') }]));
    const { id } = await build(sys, be, 'FROM debian:bookworm-slim\nADD site.tar /www/\n');
    expect(utf8Decode(sys.readFile(`${be.images.get(id)!.root}/www/index.html`))).toBe('<h1>hi</h1>');
    const e = await failure(sys, be, 'FROM debian:bookworm-slim\nADD https://example.com/x.tgz /x\n');
    expect(e.message).toContain('Get "https://example.com/x.tgz": dial tcp: lookup example.com: no such host');
    expect(e.message).toContain('no internet access');
    expect(e.range?.start).toBe(2);
  });

  it('reports a file missing from the context at its line, in both builders\' words', async () => {
    const { sys, be } = setup();
    const e = await failure(sys, be, 'FROM debian:bookworm-slim\nRUN true\nCOPY missing.txt /\n');
    expect(e.message).toBe('failed to compute cache key: failed to calculate checksum of ref: "/missing.txt": not found');
    expect(e.legacy).toBe('COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist');
    expect(e.range).toEqual({ start: 3, end: 3 });
  });

  it('wants a directory destination for several sources', async () => {
    const { sys, be } = setup();
    sys.writeFile('/ctx/a', '');
    sys.writeFile('/ctx/b', '');
    const e = await failure(sys, be, 'FROM debian:bookworm-slim\nCOPY a b /dest\n');
    expect(e.message).toBe('When using COPY with more than one source file, the destination must be a directory and end with a /');
  });
});

describe('executor: stages and bases', () => {
  it('copies from an earlier stage, builds up to --target only', async () => {
    const { sys, be } = setup((req): RunAnswer => ({ files: req.argv[2]!.includes('make') ? { '/out/app': 'binary' } : {} }));
    const df = 'FROM debian:bookworm-slim AS build\nRUN make\nFROM debian:bookworm-slim AS final\nCOPY --from=build /out/app /usr/bin/app\nFROM final AS extra\nRUN later\n';
    const { id, events } = await build(sys, be, df, { target: 'final' });
    expect(utf8Decode(sys.readFile(`${be.images.get(id)!.root}/usr/bin/app`))).toBe('binary');
    expect(be.runs.map((r) => r.argv[2])).toEqual(['make']);
    const vertices = events.flatMap((e) => (e.kind === 'step' && e.step.vertex ? [e.step.vertex] : []));
    expect(vertices).toEqual(['[build 1/2] FROM docker.io/library/debian:bookworm-slim', '[build 2/2] RUN make', '[final 1/2] FROM docker.io/library/debian:bookworm-slim', '[final 2/2] COPY --from=build /out/app /usr/bin/app']);
  });

  it('fails an unknown --target in Docker\'s words', async () => {
    const { sys, be } = setup();
    const e = await failure(sys, be, 'FROM debian:bookworm-slim AS a\n', { target: 'nope' });
    expect(e.message).toBe('target stage "nope" could not be found');
    expect(e.legacy).toBe('failed to reach build target nope in Dockerfile');
  });

  it('names what exists when FROM names an image the offline registry lacks', async () => {
    const { sys, be } = setup();
    const e = await failure(sys, be, 'FROM ubuntu:16.04\nRUN apt-get update\n');
    expect(e.message).toMatch(/^failed to resolve source metadata for docker\.io\/library\/ubuntu:16\.04: pull access denied for ubuntu/);
    expect(e.message).toContain('FROM debian:bookworm-slim: it has the same apt-get commands');
    expect(e.message).toContain('busybox, debian');
    expect(e.range).toEqual({ start: 1, end: 1 });
  });

  it('expands global ARGs in FROM and runs the base image\'s ONBUILD triggers', async () => {
    const { sys, be } = setup();
    be.addBase('parent:1', {}, { OnBuild: ['RUN echo triggered'] });
    const { id } = await build(sys, be, 'ARG TAG=1\nFROM parent:${TAG}\n');
    expect(be.runs.map((r) => r.argv[2])).toEqual(['echo triggered']);
    expect(be.images.get(id)!.config.config?.OnBuild).toBeNull();
  });

  it('reports Dockerfile errors with the line, for both builders', async () => {
    const { sys, be } = setup();
    const e = await failure(sys, be, 'FROM debian:bookworm-slim\nRUNN x\n');
    expect(e.message).toBe('dockerfile parse error on line 2: unknown instruction: RUNN (did you mean run?)');
    expect(e.legacy).toBe('dockerfile parse error line 2: unknown instruction: RUNN (did you mean run?)');
  });
});
