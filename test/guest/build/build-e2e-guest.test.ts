// docker build in the real guest: a Dockerfile on debian:bookworm-slim builds with RUN in a
// container of our runtime and the layer committed by the runtime's C, the image runs and
// inspects as Docker's, the second build is all cached, the legacy builder shows "run, then
// commit", a multi-stage build copies from its first stage, and an image the offline registry
// lacks fails with a message that says what to use.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../../helpers/vm.ts';

const DOCKERFILE = `FROM debian:bookworm-slim
LABEL maintainer="Your name "
RUN echo "built in a container" > /built.txt
COPY note.txt /note.txt
CMD ["cat", "/built.txt"]
`;

describe.skipIf(vmSkipReason())(guestSuite('docker build in the guest'), () => {
  const g = useGuest();

  it('builds a Dockerfile on debian:bookworm-slim, with BuildKit-style progress when piped', async () => {
    await sh(g.vm, `mkdir -p /root/lab && cd /root/lab && cat > Dockerfile <<'EOF'\n${DOCKERFILE}EOF\necho "from the context" > note.txt`);
    const r = await g.vm.exec('cd /root/lab && docker build -t article . 2>&1', { timeoutMs: 300_000 });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^#0 building with "default" instance using docker driver\n/);
    expect(r.stdout).toMatch(/#\d+ \[2\/3\] RUN echo "built in a container" > \/built.txt\n#\d+ DONE [\d.]+s\n/);
    expect(r.stdout).toMatch(/#\d+ naming to docker.io\/library\/article:latest( \d+\.\ds)? done\n/);
  });

  it('runs and inspects the image: the RUN\'s file, the context file, the maintainer label', async () => {
    expect(await sh(g.vm, 'docker run --rm article')).toBe('built in a container\n');
    expect(await sh(g.vm, 'docker run --rm article cat /note.txt')).toBe('from the context\n');
    const [img] = JSON.parse(await sh(g.vm, 'docker inspect article')) as { Config: { Labels: Record<string, string>; Cmd: string[] } }[];
    expect(img!.Config.Labels).toEqual({ maintainer: 'Your name ' });
    expect(img!.Config.Cmd).toEqual(['cat', '/built.txt']);
    expect(await sh(g.vm, 'docker image ls --format "{{.Repository}}:{{.Tag}}" | sort')).toContain('article:latest\n');
    const hist = await sh(g.vm, 'docker history --format "{{.CreatedBy}}" --no-trunc article | head -4');
    expect(hist).toBe('CMD ["cat","/built.txt"]\nCOPY note.txt /note.txt # buildkit\nRUN /bin/sh -c echo "built in a container" > /built.txt # buildkit\nLABEL maintainer=Your name \n');
  });

  it('builds again entirely from the cache', async () => {
    const id = await sh(g.vm, 'docker inspect -f "{{.Id}}" article');
    const out = await sh(g.vm, 'cd /root/lab && docker build --progress=plain -t article . 2>&1');
    expect(out.match(/#\d+ CACHED\n/g)).toHaveLength(2);
    expect(await sh(g.vm, 'docker inspect -f "{{.Id}}" article')).toBe(id);
  });

  it('shows run-then-commit with the legacy builder (DOCKER_BUILDKIT=0)', async () => {
    const out = await sh(g.vm, 'cd /root/lab && echo changed > note.txt && DOCKER_BUILDKIT=0 docker build --no-cache -t article:legacy . 2>/dev/null');
    expect(out).toMatch(/^Sending build context to Docker daemon {2}[\d.]+kB\nStep 1\/5 : FROM debian:bookworm-slim\n ---> [0-9a-f]{12}\n/);
    expect(out).toMatch(/Step 3\/5 : RUN echo "built in a container" > \/built.txt\n ---> Running in [0-9a-f]{12}\n ---> Removed intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    expect(out).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged article:legacy\n$/);
    expect(await sh(g.vm, 'docker run --rm article:legacy cat /note.txt')).toBe('changed\n');
  });

  it('copies a file from the first stage of a multi-stage build', async () => {
    await sh(g.vm, `mkdir -p /root/multi && cd /root/multi && cat > Dockerfile <<'EOF'
FROM busybox AS build
RUN echo "made in stage one" > /artifact
FROM debian:bookworm-slim
COPY --from=build /artifact /srv/artifact
CMD ["cat", "/srv/artifact"]
EOF`);
    await sh(g.vm, 'cd /root/multi && docker build -q -t multi .', { timeoutMs: 300_000 });
    expect(await sh(g.vm, 'docker run --rm multi')).toBe('made in stage one\n');
  });

  it('fails FROM ubuntu:16.04 with what exists instead, pointing at line 1', async () => {
    await sh(g.vm, `mkdir -p /root/ub && cd /root/ub && printf 'FROM ubuntu:16.04\\nRUN apt-get update\\n' > Dockerfile`);
    const r = await g.vm.exec('cd /root/ub && docker build . 2>&1', { timeoutMs: 100_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('Dockerfile:1\n--------------------\n   1 | >>> FROM ubuntu:16.04\n');
    expect(r.stdout).toContain('pull access denied for ubuntu');
    expect(r.stdout).toContain('debian');
    expect(r.stdout).toContain('FROM debian:bookworm-slim: it has the same apt-get commands');
  });

  it('frees the build cache with docker builder prune', async () => {
    const out = await sh(g.vm, 'docker builder prune -f');
    expect(out).toMatch(/^Deleted build cache objects:\n/);
    const again = await sh(g.vm, 'cd /root/lab && docker build --progress=plain -t article . 2>&1', { timeoutMs: 300_000 });
    expect(again).not.toContain('CACHED');
  });
});
