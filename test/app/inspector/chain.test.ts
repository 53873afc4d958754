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
      '122.00 9 dockerd spawn("/usr/bin/containerd-shim", ["containerd-shim", "--id", "' + 'a'.repeat(64) + '"], ["PATH=/usr/bin"], [[0, 5], [1, 5], [2, 6], [3, 7]]) -> 60 2.00',
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
      '+21 ms dockerd 9: mount overlay on /var/lib/docker/overlay2/aaaaaaaaaaaa/merged, the container’s root filesystem (2 read-only lower layers, a writable upper dir on top)',
      '+22 ms dockerd 9: spawn → pid 60: /usr/bin/containerd-shim --id aaaaaaaaaaaa',
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

  it('condenses a trace recorded in the guest (scripts/record-chain-trace.ts) into a readable docker run', () => {
    // as the agent hands it out: each process's lines together, in the order they were written
    const text = readFileSync(join(import.meta.dirname, 'fixtures/docker-run-busybox-true.trace'), 'utf8');
    const runs = condense(parseTrace(text));
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.command).toBe('docker run --rm busybox true');
    expect(run.exitCode).toBe(0);
    const lines = run.events.map((e) => `${e.actor}: ${e.text}${e.error ? ` failed: ${e.error}` : ''}`);
    const at = (re: RegExp) => {
      const i = lines.findIndex((l) => re.test(l));
      expect(i, `${re} in\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // the story, in order: the API calls, dockerd's rootfs and network namespace, the shim, runc's
    // cgroup and clone, the init's setup inside the namespaces, the execve, the clean-up
    const order = [
      at(/^docker: docker run --rm busybox true starts/),
      at(/^docker: POST \/containers\/create → 201 Created \(\d+ ms\)$/),
      at(/^docker: POST \/containers\/[0-9a-f]{12}\/attach\?stream=1&stdout=1&stderr=1 → 101 Switching Protocols/),
      at(/^docker: POST \/containers\/[0-9a-f]{12}\/start → 204 No Content/),
      at(/^dockerd: mount overlay on \/var\/lib\/docker\/overlay2\/[0-9a-f]{12}\/merged, the container’s root filesystem \(1 read-only lower layer, a writable upper dir on top\)$/),
      at(/^dockerd: unshare\(CLONE_NEWNET\)$/),
      at(/^dockerd: spawn → pid \d+: \/usr\/bin\/containerd-shim/),
      at(/^containerd-shim: containerd-shim starts for container [0-9a-f]{12}$/),
      at(/^runc: runc create [0-9a-f]{12}/),
      at(/^runc: creates cgroup \/docker\/[0-9a-f]{12}$/),
      at(/^runc: clone\(CLONE_NEWIPC\|CLONE_NEWNS\|CLONE_NEWPID\|CLONE_NEWUTS\) → pid \d+/),
      at(/^container init: moves itself into cgroup \/docker\/[0-9a-f]{12}$/),
      at(/^container init: setns\(CLONE_NEWNET\)/),
      at(/^container init: sethostname [0-9a-f]{12}/),
      at(/^container init: mount proc on <rootfs>\/proc$/),
      at(/^container init: bind mount \/var\/lib\/docker\/containers\/[0-9a-f]{12}\/hosts on <rootfs>\/etc\/hosts$/),
      at(/^container init: pivot_root/),
      at(/^container init: remount \/proc\/sys read-only$/),
      at(/^container init: execve \/bin\/true$/),
      at(/^runc: removes cgroup \/docker\/[0-9a-f]{12}$/),
      at(/^containerd-shim: containerd-shim exits with 0$/),
      at(/^docker: docker exits with 0$/),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // a failed call shows with its errno
    expect(lines).toContainEqual(expect.stringMatching(/failed: ENOENT$/));
    // the init's pid is the host's (its own namespace calls it 1): the clone's result
    const clone = run.events.find((e) => e.text.startsWith('clone('))!;
    expect(run.events.find((e) => e.text.startsWith('execve /bin/true'))?.pid).toBe(Number(/pid (\d+)/.exec(clone.text)![1]));
    expect(run.events.every((e, i, all) => i === 0 || e.at >= all[i - 1]!.at)).toBe(true);
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
