// docker build natively: our dockerd on this host (through qemu-user), built on by the official
// Docker client with DOCKER_BUILDKIT=0 (the legacy builder's Engine API stream) and by our own CLI
// with BuildKit-style plain progress; the images run, inspect and list as Docker's do, the second
// build is cached, errors point at the Dockerfile line, builder prune frees the cache.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdSkipReason, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();
if (skip && process.env['CI'] === 'true') throw new Error(`native build test cannot run: ${skip}`);

describe.skipIf(skip !== null)(`docker build natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let d: NativeDockerd;
  const ctx = mkdtempSync(join(tmpdir(), 'wb-build-ctx-'));
  const legacyEnv = (): NodeJS.ProcessEnv => ({ ...d.env, DOCKER_BUILDKIT: '0' });
  const official = (args: string[], env: NodeJS.ProcessEnv) => {
    const r = spawnSync('/usr/local/bin/docker', args, { env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };

  beforeAll(async () => {
    d = await startDockerd('wb-build-');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nLABEL maintainer="Your name "\nRUN echo hello > /greeting\nCOPY msg.txt /msg.txt\nCMD ["cat", "/greeting"]\n');
    writeFileSync(join(ctx, 'msg.txt'), 'from the context\n');
    writeFileSync(join(ctx, '.dockerignore'), 'secret*\n');
    writeFileSync(join(ctx, 'secret.txt'), 'not sent\n');
  });
  afterAll(() => {
    d?.stop();
    rmSync(ctx, { recursive: true, force: true });
  });

  it('the official client builds with the legacy builder: steps, run then commit, tags', () => {
    const r = official(['build', '-t', 'demo', ctx], legacyEnv());
    expect(r.code).toBe(0);
    // busybox is pulled on the way: the pull's progress lines come before its image ID
    expect(r.stdout).toMatch(/^Sending build context to Docker daemon {2}[\d.]+kB\r*\nStep 1\/5 : FROM busybox\nlatest: Pulling from library\/busybox\n(?:.*\n)*? ---> [0-9a-f]{12}\nStep 2\/5 : LABEL maintainer="Your name "\n ---> [0-9a-f]{12}\n/);
    expect(r.stdout).toMatch(/Step 3\/5 : RUN echo hello > \/greeting\n ---> Running in [0-9a-f]{12}\n ---> Removed intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    expect(r.stdout).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged demo:latest\n$/);
    expect(d.docker(['run', '--rm', 'demo'], true).stdout).toBe('hello\n');
    expect(d.docker(['run', '--rm', 'demo', 'cat', '/msg.txt'], true).stdout).toBe('from the context\n');
    expect(d.docker(['inspect', '-f', '{{json .Config.Labels}}', 'demo'], true).stdout).toBe('{"maintainer":"Your name "}\n');
  });

  it('builds again from the cache, with the same image', () => {
    const first = d.docker(['inspect', '-f', '{{.Id}}', 'demo'], true).stdout;
    const r = official(['build', '-t', 'demo', ctx], legacyEnv());
    expect(r.code).toBe(0);
    expect(r.stdout.match(/ ---> Using cache\n/g)).toHaveLength(4);
    expect(r.stdout).not.toContain('Running in');
    expect(d.docker(['inspect', '-f', '{{.Id}}', 'demo'], true).stdout).toBe(first);
  });

  it('lists the image, hides the intermediate ones, shows one history line per instruction', () => {
    const images = d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}'], true).stdout.split('\n').filter((x) => x);
    expect(images.sort()).toEqual(['busybox:latest', 'demo:latest']);
    expect(d.docker(['images', '-a', '-q'], true).stdout.split('\n').filter((x) => x).length).toBeGreaterThan(2);
    const hist = d.docker(['history', '--format', '{{.CreatedBy}}|{{.Size}}', '--no-trunc', 'demo'], true).stdout.split('\n');
    expect(hist.slice(0, 4)).toEqual(['CMD ["cat","/greeting"]|0B', 'COPY msg.txt /msg.txt # buildkit|17B', 'RUN /bin/sh -c echo hello > /greeting # buildkit|6B', 'LABEL maintainer=Your name |0B']);
  });

  it('our CLI shows BuildKit-style plain progress, CACHED steps, and writes --iidfile', () => {
    const iid = join(ctx, '..', `iid-${process.pid}`);
    const r = d.docker(['build', '--progress=plain', '--iidfile', iid, '-t', 'demo2', ctx]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^#0 building with "default" instance using docker driver\n\n#1 \[internal\] load build definition from Dockerfile\n/);
    expect(r.stderr).toMatch(/#\d+ \[2\/3\] RUN echo hello > \/greeting\n#\d+ CACHED\n/);
    expect(r.stderr).toMatch(/#\d+ naming to docker.io\/library\/demo2:latest( \d+\.\ds)? done\n/);
    expect(readFileSync(iid, 'utf8')).toBe(d.docker(['inspect', '-f', '{{.Id}}', 'demo2']).stdout.trim());
    rmSync(iid, { force: true });
  });

  it('a multi-stage build copies from its first stage; --target stops early', () => {
    writeFileSync(join(ctx, 'Dockerfile.multi'), 'FROM busybox AS build\nRUN echo built > /artifact\nFROM busybox\nCOPY --from=build /artifact /artifact\nCMD ["cat", "/artifact"]\n');
    expect(d.docker(['build', '-q', '-f', join(ctx, 'Dockerfile.multi'), '-t', 'multi', ctx]).code).toBe(0);
    expect(d.docker(['run', '--rm', 'multi']).stdout).toBe('built\n');
    expect(d.docker(['build', '-q', '--target', 'build', '-f', join(ctx, 'Dockerfile.multi'), '-t', 'first', ctx]).code).toBe(0);
    expect(d.docker(['run', '--rm', 'first', 'cat', '/artifact']).stdout).toBe('built\n');
  });

  it('points at the failing line: a RUN that fails, an ignored file, a typo, an image the registry lacks', () => {
    writeFileSync(join(ctx, 'Dockerfile.fail'), 'FROM busybox\nRUN true\nRUN exit 3\n');
    const run = d.docker(['build', '--progress=plain', '-f', join(ctx, 'Dockerfile.fail'), ctx]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Dockerfile.fail:3\n--------------------\n   1 |     FROM busybox\n   2 |     RUN true\n   3 | >>> RUN exit 3\n--------------------\n');
    expect(run.stderr).toContain('ERROR: failed to build: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3\n');
    const legacy = official(['build', '-f', join(ctx, 'Dockerfile.fail'), ctx], legacyEnv());
    expect(legacy.code).toBe(3);
    expect(legacy.stderr).toContain("The command '/bin/sh -c exit 3' returned a non-zero code: 3");

    writeFileSync(join(ctx, 'Dockerfile.ignored'), 'FROM busybox\nCOPY secret.txt /\n');
    const ign = official(['build', '-f', join(ctx, 'Dockerfile.ignored'), ctx], legacyEnv());
    expect(ign.code).toBe(1);
    expect(ign.stderr).toContain('COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist');

    writeFileSync(join(ctx, 'Dockerfile.typo'), 'FROM busybox\nRUNN echo\n');
    const typo = official(['build', '-f', join(ctx, 'Dockerfile.typo'), ctx], legacyEnv());
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('dockerfile parse error line 2: unknown instruction: RUNN (did you mean run?)');

    writeFileSync(join(ctx, 'Dockerfile.ubuntu'), 'FROM ubuntu:16.04\nRUN apt-get update\n');
    const ub = d.docker(['build', '-f', join(ctx, 'Dockerfile.ubuntu'), ctx]);
    expect(ub.code).toBe(1);
    expect(ub.stderr).toContain('pull access denied for ubuntu');
    expect(ub.stderr).toContain('busybox');
    expect(ub.stderr).toContain('FROM debian:bookworm-slim: it has the same apt-get commands');
  });

  it('docker builder prune frees the cache: the next build runs its steps again', () => {
    const p = d.docker(['builder', 'prune', '-f']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^Deleted build cache objects:\n/);
    expect(p.stdout).toMatch(/Total reclaimed space: /);
    const r = official(['build', '-t', 'demo', ctx], legacyEnv());
    expect(r.stdout).not.toContain('Using cache');
    expect(r.stdout).toContain('Running in');
  });
});
