import { describe, expect, it } from 'vitest';
import { ellipsis, imagesTable, inspectJson, psTable, renderTemplate } from '../../../src/guest/cli/format.ts';
import { statusText } from '../../../src/guest/daemon/containers.ts';
import { newState } from '../../../src/guest/daemon/model.ts';
import { containerSpec, hostsFile, resolveUser } from '../../../src/guest/daemon/ocispec.ts';
import { parseRef, canonical } from '../../../src/guest/images/reference.ts';
import { chainIds } from '../../../src/guest/images/store.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');

describe('docker CLI formats', () => {
  it('draws ps like Docker: quoted command cut to 20 with an ellipsis', () => {
    const out = psTable([{ Id: 'ab'.repeat(32), Names: ['/web'], Image: 'nginx', ImageID: 'sha256:x', Command: 'nginx -g daemon off; echo', Created: NOW / 1000 - 5, State: 'running', Status: 'Up 4 seconds', Ports: [], Labels: {} }], NOW, false);
    expect(out).toBe(
      'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS         PORTS     NAMES\n' +
      'abababababab   nginx     "nginx -g daemon off…"   5 seconds ago   Up 4 seconds             web\n',
    );
    expect(ellipsis('short', 20)).toBe('short');
  });
  it('draws image ls with decimal sizes', () => {
    const out = imagesTable([{ Id: `sha256:${'c'.repeat(64)}`, RepoTags: ['busybox:latest'], RepoDigests: [], Created: NOW / 1000 - 3600 * 24 * 3, Size: 4_261_000 }], NOW, false);
    expect(out).toBe('REPOSITORY   TAG       IMAGE ID       CREATED      SIZE\nbusybox      latest    cccccccccccc   3 days ago   4.26MB\n');
  });
  it('indents inspect JSON with 4 spaces and renders --format templates', () => {
    expect(inspectJson([{ a: 1, b: [] }])).toBe('[\n    {\n        "a": 1,\n        "b": []\n    }\n]\n');
    const items = [{ State: { Status: 'exited', ExitCode: 3 }, Name: '/x' }];
    expect(renderTemplate('{{.State.Status}} {{.State.ExitCode}} {{json .State}}', items)).toBe('exited 3 {"Status":"exited","ExitCode":3}\n');
    // index, as learners copy it from Docker's docs: labels with dots in their keys, list positions
    const img = [{ Config: { Labels: { 'com.docker.compose.service': 'app', maintainer: 'Ada' }, Cmd: ['python3', '-c'] } }];
    expect(renderTemplate('{{index .Config.Labels "com.docker.compose.service"}}/{{index .Config.Cmd 0}}/{{index .Config.Labels "nope"}}.', img)).toBe('app/python3/.\n');
    // what it cannot evaluate stays as written, rather than printing a wrong value
    expect(renderTemplate('{{range .Config.Cmd}}', img)).toBe('{{range .Config.Cmd}}\n');
    expect(renderTemplate('table {{.Name}}\\t{{.State.Status}}', items)).toBe('NAME      STATE.STATUS\n/x        exited\n');
  });
  it('phrases container status as docker ps does', () => {
    const s = newState();
    expect(statusText(s, NOW)).toBe('Created');
    expect(statusText({ ...s, Running: true, Status: 'running', StartedAt: new Date(NOW - 4000).toISOString() }, NOW)).toBe('Up 4 seconds');
    expect(statusText({ ...s, Status: 'exited', StartedAt: new Date(NOW - 600_000).toISOString(), FinishedAt: new Date(NOW - 180_000).toISOString(), ExitCode: 137 }, NOW)).toBe('Exited (137) 3 minutes ago');
  });
});

describe('image references and the OCI spec dockerd writes', () => {
  it('parses references as Docker does', () => {
    expect(parseRef('nginx')).toEqual({ repo: 'nginx', tag: 'latest', digest: null });
    expect(parseRef('docker.io/library/debian:bookworm-slim')).toEqual({ repo: 'debian', tag: 'bookworm-slim', digest: null });
    expect(canonical(parseRef('busybox:1.35'))).toBe('docker.io/library/busybox:1.35');
    expect(() => parseRef('Nginx')).toThrow(/must be lowercase/);
    expect(() => parseRef('a b')).toThrow(/invalid reference format/);
  });
  it('chains layer IDs', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const ids = chainIds([a, `sha256:${'b'.repeat(64)}`]);
    expect(ids[0]).toBe(a);
    expect(ids[1]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
  it('resolves users and writes hosts files', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n';
    expect(resolveUser('', passwd, '')).toEqual({ uid: 0, gid: 0, additionalGids: [] });
    expect(resolveUser('www-data', passwd, '')).toMatchObject({ uid: 33, gid: 33 });
    expect(resolveUser('1000:5', passwd, '')).toMatchObject({ uid: 1000, gid: 5 });
    expect(() => resolveUser('nobody', passwd, '')).toThrow(/unable to find user nobody/);
    expect(hostsFile('abc', '172.17.0.2')).toContain('172.17.0.2\tabc\n');
  });
  it('builds the container spec with Docker defaults, limits and binds', () => {
    const c = {
      Id: 'f'.repeat(64), Path: 'sh', Args: ['-c', 'x'], ResolvConfPath: '/r', HostnamePath: '/h', HostsPath: '/hs',
      Config: { Env: ['PATH=/bin'], Tty: false, Hostname: 'ffffffffffff', WorkingDir: '' },
      HostConfig: { Memory: 16 << 20, MemorySwap: 0, NanoCpus: 5e8, CpuShares: 0, PidsLimit: 20, Init: null },
    } as unknown as Parameters<typeof containerSpec>[0];
    const s = containerSpec(c, { rootfs: '/m', user: { uid: 0, gid: 0, additionalGids: [] }, mounts: [] });
    expect(s.process!.capabilities!.bounding).toHaveLength(14);
    expect(s.linux!.cgroupsPath).toBe(`/docker/${'f'.repeat(64)}`);
    expect(s.linux!.resources).toMatchObject({ memory: { limit: 16 << 20, swap: 32 << 20 }, cpu: { quota: 50000, period: 100000 }, pids: { limit: 20 } });
    expect(s.mounts!.map((m) => m.destination)).toEqual(expect.arrayContaining(['/proc', '/dev', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf']));
    expect(s.process!.env).toContain('HOSTNAME=ffffffffffff');
  });
});
