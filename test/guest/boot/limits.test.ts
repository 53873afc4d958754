// The guest-wide budget for containers (src/guest/boot/limits.ts), on the Syscalls fake.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { CONTAINERS_PIDS_MAX, containerBudget, limitContainers } from '../../../src/guest/boot/limits.ts';
import { bootMain } from '../../../src/guest/boot/main.ts';
import { readText } from '../../../src/guest/util/fsutil.ts';

const MIB = 1024 * 1024;

describe('the containers\' budget', () => {
  it('leaves a quarter of the RAM, and at least 64 MiB, outside containers', () => {
    // the default 256 MiB guest's MemTotal, 236956 kB (the kernel keeps the rest), as measured
    expect(containerBudget(236956 * 1024)).toEqual({ memoryMax: 175534080, pidsMax: CONTAINERS_PIDS_MAX });
    expect(containerBudget(248 * MIB)).toEqual({ memoryMax: 184 * MIB, pidsMax: CONTAINERS_PIDS_MAX });
    expect(containerBudget(1024 * MIB).memoryMax).toBe(768 * MIB);
    expect(containerBudget(128 * MIB).memoryMax).toBe(64 * MIB);
    // a tiny guest still lets a container start
    expect(containerBudget(64 * MIB).memoryMax).toBe(32 * MIB);
    expect(containerBudget(248 * MIB + 123).memoryMax % 4096).toBe(0);
  });

  it('writes memory.max and pids.max on /sys/fs/cgroup/docker, the parent runc puts containers in', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/proc/meminfo', 'MemTotal:         253952 kB\nMemFree:          200000 kB\n');
    expect(limitContainers(sys)).toEqual({ memoryMax: 184 * MIB, pidsMax: 1024 });
    expect(readText(sys, '/sys/fs/cgroup/docker/memory.max')).toBe(String(184 * MIB));
    expect(readText(sys, '/sys/fs/cgroup/docker/pids.max')).toBe('1024');
  });

  it('is set at boot, after the controllers are handed down; boot goes on without it', async () => {
    const sys = new FakeSyscalls();
    sys.addFile('/etc/hostname', 'whalebone\n');
    sys.addFile('/sys/fs/cgroup/cgroup.controllers', 'cpu memory pids\n');
    sys.addFile('/sys/fs/cgroup/cgroup.subtree_control', '');
    sys.addFile('/proc/meminfo', 'MemTotal:         253952 kB\n');
    sys.fail('socket', 'EAFNOSUPPORT', Infinity);
    sys.fail('open', 'ENOENT', Infinity); // no agent tty
    await bootMain([], sys);
    const steps = sys.calls.map((c) => `${c.name} ${String(c.args[0])}`);
    // the controllers first: the new group's memory.max and pids.max exist only then
    const enabled = steps.findIndex((st) => st.endsWith('/sys/fs/cgroup/cgroup.subtree_control'));
    expect(enabled).toBeGreaterThan(-1);
    expect(enabled).toBeLessThan(steps.indexOf('writeFile /sys/fs/cgroup/docker/memory.max'));
    expect(readText(sys, '/sys/fs/cgroup/docker/pids.max')).toBe('1024');

    const bare = new FakeSyscalls();
    bare.addFile('/etc/hostname', 'whalebone\n');
    bare.fail('socket', 'EAFNOSUPPORT', Infinity);
    bare.fail('open', 'ENOENT', Infinity);
    expect(await bootMain([], bare)).toBe(0);
    expect(bare.stderr).toContain('boot: no guest-wide limits for containers: ');
  });
});
