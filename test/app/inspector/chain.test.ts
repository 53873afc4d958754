import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChainLog, cloneFlagNames, condense, formatAt, parseCall, parseTrace } from '../../../src/app/inspector/chain.ts';

describe('engine chain condenser', () => {
  it('decodes namespace flags', () => {
    expect(cloneFlagNames(0x20000000 | 0x00020000 | 0x40000000)).toBe('CLONE_NEWNET|CLONE_NEWNS|CLONE_NEWPID');
    expect(cloneFlagNames(0x10000000 | 0x11)).toBe('CLONE_NEWUSER|0x11');
    expect(cloneFlagNames(0)).toBe('0');
  });

  it('reads traced calls, cut ones and failed ones', () => {
    expect(parseCall('fork(1677852672) -> 412 3.10')).toMatchObject({ name: 'fork', args: [1677852672], ret: 412, error: null, cut: false });
    expect(parseCall('mount("overlay", "/var/lib/docker/overlay2/x/merged", "overlay", 0, "lowerdir=/a:/b,upperd... 2.00')).toMatchObject({
      name: 'mount',
      args: ['overlay', '/var/lib/docker/overlay2/x/merged', 'overlay', 0, 'lowerdir=/a:/b,upperd'],
      cut: true,
    });
    expect(parseCall('writeFile("/sys/fs/cgroup/docker/x/memory.max", "16777216") 0.20 EINVAL')).toMatchObject({ error: 'EINVAL', args: ['/sys/fs/cgroup/docker/x/memory.max', '16777216'] });
    expect(parseCall('execve("/bin/true", ["true"], ["PATH=/bin"]) ...')).toMatchObject({ name: 'execve', args: ['/bin/true', ['true'], ['PATH=/bin']] });
    expect(parseCall('# start docker ps')).toBeNull();
    expect(parseCall('> timer 1000ms')).toBeNull();
  });

  it('makes one run per command from lines in any order, requests paired with their status', () => {
    const text = [
      '100.00 50 docker # start /usr/bin/docker run --rm busybox true',
      '101.00 50 docker # http POST /v1.47/containers/create',
      '101.50 9 dockerd # api POST /v1.47/containers/create',
      '120.00 50 docker # http 201 POST /v1.47/containers/create',
      '200.00 50 docker # exit 0',
      // dockerd's lines come a second later, in its own flush
      '121.00 9 dockerd mount("overlay", "/var/lib/docker/overlay2/' + 'a'.repeat(64) + '/merged", "overlay", 0, "lowerdir=/l1:/l2,upperdir=/u,workdir=/w") 1.00',
      '122.00 9 dockerd fork(0) -> 60 2.00',
      '125.00 60 dockerd execve("/usr/bin/containerd-shim", ["containerd-shim", "--id", "' + 'a'.repeat(64) + '"], []) ...',
      '130.00 60 containerd-shim # start /usr/bin/containerd-shim --id ' + 'a'.repeat(64),
      '131.00 60 containerd-shim # runc create ' + 'a'.repeat(64),
      '132.00 60 containerd-shim mkdir("/sys/fs/cgroup/docker/' + 'a'.repeat(64) + '", 493) 0.10',
      '133.00 60 containerd-shim fork(1812070400) -> 61 3.00',
      '133.00 61 containerd-shim fork(1812070400) 3.00',
      '134.00 61 containerd-shim # runc init',
      '135.00 61 containerd-shim pivotRoot(".", ".") 0.50',
      '136.00 61 containerd-shim execve("/bin/true", ["true"], ["PATH=/bin"]) ...',
      '300.00 70 docker # start /usr/bin/docker ps',
      'half a line',
    ].join('\n');
    const runs = condense(parseTrace(text));
    expect(runs.map((r) => [r.command, r.exitCode, r.durationMs])).toEqual([
      ['docker run --rm busybox true', 0, 100],
      ['docker ps', null, null],
    ]);
    expect(runs[0]!.events.map((e) => `${formatAt(e.at)} ${e.actor} ${e.pid}: ${e.text}`)).toEqual([
      '+0.0 ms docker 50: docker run --rm busybox true starts (the CLI, pid 50)',
      '+1.0 ms docker 50: POST /containers/create → 201 Created (19 ms)',
      '+21 ms dockerd 9: mount overlay on /var/lib/docker/overlay2/aaaaaaaaaaaa/merged (2 read-only lower layers, a writable upper dir on top)',
      '+22 ms dockerd 9: fork → pid 60',
      '+25 ms dockerd 60: execve /usr/bin/containerd-shim --id aaaaaaaaaaaa',
      '+30 ms containerd-shim 60: containerd-shim starts for container aaaaaaaaaaaa',
      '+31 ms runc 60: runc create aaaaaaaaaaaa (in the shim\'s process)',
      '+32 ms runc 60: creates cgroup /docker/aaaaaaaaaaaa',
      '+33 ms runc 60: clone(CLONE_NEWIPC|CLONE_NEWNET|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWUTS) → pid 61: a process in new namespaces',
      '+34 ms container init 61: runc init: pid 61 sets up the container from inside its namespaces',
      '+35 ms container init 61: pivot_root: the container’s root filesystem becomes /',
      '+36 ms container init 61: execve /bin/true',
      '+100 ms docker 50: docker exits with 0',
    ]);
  });

  it('keeps lines that arrive in pieces', () => {
    const log = new ChainLog();
    log.add('100.00 50 docker # start docker version\n');
    log.add('150.00 50 docker # exit 0\n');
    expect(log.runs()).toMatchObject([{ command: 'docker version', exitCode: 0, durationMs: 50 }]);
    log.clear();
    expect(log.runs()).toEqual([]);
  });
});
