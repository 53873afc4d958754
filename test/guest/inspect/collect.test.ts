import { describe, expect, it } from 'vitest';
import { Collector, containerInfo, NS_MAX_AGE_MS } from '../../../src/guest/inspect/collect.ts';
import { decodeSnapshot } from '../../../src/vm/inspect.ts';
import { parseParts } from '../../../src/guest/inspect/parts.ts';
import { CID, guestFixture, HOST_NS, WEB_NS } from './fixture.ts';

describe('inspector collector (fake /proc and /sys from recorded guest text)', () => {
  it('reads processes with namespaces and cgroups, skipping kernel threads', () => {
    const s = new Collector(guestFixture()).snapshot();
    expect(s.procs.map((p) => p.pid)).toEqual([1, 42, 79, 82]);
    const sleep = s.procs.find((p) => p.pid === 82)!;
    expect(sleep).toMatchObject({ ppid: 79, comm: 'sleep', cmd: 'sleep 1000', cg: `/docker/${CID}`, cpu: 338 });
    expect(sleep.ns).toEqual([WEB_NS.pid, WEB_NS.mnt, WEB_NS.net, WEB_NS.uts, WEB_NS.ipc, WEB_NS.user, WEB_NS.cgroup]);
    expect(s.procs.find((p) => p.pid === 42)!.ns[0]).toBe(HOST_NS.pid);
  });

  it('walks the cgroup tree with limits, CPU and OOM counters', () => {
    const s = new Collector(guestFixture()).snapshot();
    expect(s.cgroups.map((g) => g.path)).toEqual(['/', '/docker', `/docker/${CID}`]);
    expect(s.cgroups[0]).toEqual({ path: '/', memCur: null, memMax: null, pidsCur: null, pidsMax: null, cpuUsec: 37050000, oomKill: null, procs: 5 });
    expect(s.cgroups[2]).toEqual({ path: `/docker/${CID}`, memCur: 655360, memMax: 33554432, pidsCur: 1, pidsMax: null, cpuUsec: 3289654, oomKill: 0, procs: 1 });
  });

  it("names containers from dockerd's records, re-reading a record only when it changes", () => {
    const sys = guestFixture();
    const c = new Collector(sys);
    expect(c.snapshot().containers).toEqual([{ id: CID, name: 'web', image: 'busybox', status: 'running', pid: 82, oomKilled: false, memLimit: 33554432 }]);
    const reads = () => sys.callsOf('readFile').filter((a) => String(a[0]).endsWith('config.v2.json')).length;
    const before = reads();
    c.snapshot();
    expect(reads()).toBe(before);
    sys.clockMs += 5000;
    sys.writeFile(`/var/lib/docker/containers/${CID}/config.v2.json`, JSON.stringify({ Name: '/web', State: { Status: 'exited', Pid: 0, OOMKilled: true } }));
    expect(c.snapshot().containers[0]).toMatchObject({ status: 'exited', oomKilled: true, pid: 0 });
  });

  it('survives a process that vanishes mid-walk and a missing cgroup mount', () => {
    const sys = guestFixture();
    sys.unlink('/proc/79/stat');
    sys.unlink('/proc/82/cmdline');
    const s = new Collector(sys).snapshot();
    expect(s.procs.map((p) => p.pid)).toEqual([1, 42, 82]);
    expect(s.procs.find((p) => p.pid === 82)!.cmd).toBe('');
    expect(containerInfo('x', 'not json')).toBeNull();
    expect(containerInfo('x', '[]')).toMatchObject({ name: '', status: '' });
  });

  it('produces JSON the host side decodes', () => {
    const s = new Collector(guestFixture()).snapshot();
    const d = decodeSnapshot(JSON.stringify(s));
    expect(d.processes.find((p) => p.pid === 82)!.ns).toEqual(WEB_NS);
    expect(d.cgroups[2]).toMatchObject({ memoryMax: 33554432, memoryCurrent: 655360, oomKills: 0, pidsMax: null });
    expect(d.containers[0]).toMatchObject({ name: 'web', memoryLimit: 33554432 });
  });

  it('reads a kernel thread once and a command line again only after an exec', () => {
    const sys = guestFixture();
    const c = new Collector(sys);
    c.snapshot();
    const reads = (path: string) => sys.callsOf('open').filter((a) => a[0] === path).length;
    expect(reads('/proc/12/stat')).toBe(1);
    expect(reads('/proc/82/cmdline')).toBe(1);
    c.snapshot();
    expect(reads('/proc/12/stat')).toBe(1);
    expect(reads('/proc/82/cmdline')).toBe(1);
    expect(reads('/proc/82/stat')).toBe(2);
    // runc's init becomes the container's process: same pid, new command name and line
    sys.writeFile('/proc/82/stat', '82 (top) S 79 82 82 0 -1 4194560 101 0 73 0 200 138 0 0 20 0 1 0 10715 0 0\n');
    sys.writeFile('/proc/82/cmdline', 'top\0-b\0');
    expect(c.snapshot().procs.find((p) => p.pid === 82)!.cmd).toBe('top -b');
  });

  it('reads namespaces again after an exec, for a new process and when they are 3 s old, not on every refresh', () => {
    const sys = guestFixture();
    const c = new Collector(sys);
    const links = () => sys.callsOf('readlink').filter((a) => String(a[0]).startsWith('/proc/82/ns/')).length;
    c.snapshot();
    expect(links()).toBe(7);
    sys.clockMs += NS_MAX_AGE_MS - 1;
    c.snapshot();
    expect(links()).toBe(7);
    // unshare(2) without an exec: seen once the remembered inodes are old enough
    sys.symlink('net:[4026532999]', '/proc/82/ns/net.new');
    sys.rename('/proc/82/ns/net.new', '/proc/82/ns/net');
    sys.clockMs += 1;
    const s = c.snapshot();
    expect(links()).toBe(14);
    expect(s.procs.find((p) => p.pid === 82)!.ns[2]).toBe(4026532999);
    // an exec (a new command name) reads them at once
    sys.writeFile('/proc/82/stat', '82 (top) S 79 82 82 0 -1 4194560 101 0 73 0 200 138 0 0 20 0 1 0 10715 0 0\n');
    c.snapshot();
    expect(links()).toBe(21);
  });

  it('collects only the parts asked for: the process view reads cgroup membership but no counters', () => {
    const sys = guestFixture();
    const s = new Collector(sys).snapshot(parseParts('procs'));
    expect(s.parts).toEqual(['procs']);
    expect(s.cgroups).toEqual([]);
    expect(s.procs.find((p) => p.pid === 82)!.cg).toBe(`/docker/${CID}`);
    expect(sys.callsOf('open').filter((a) => /memory\.|cpu\.stat|pids\./.test(String(a[0])))).toEqual([]);
    const c = new Collector(sys).snapshot(parseParts('cgroups'));
    expect(c.procs).toEqual([]);
    expect(c.cgroups).toHaveLength(3);
    expect(Object.keys(c.phasesMs)).toEqual(['cgroups', 'containers']);
  });
});
