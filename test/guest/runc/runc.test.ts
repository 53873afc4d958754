import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT } from '../../../src/guest/sys/constants.ts';
import { capMask, capNames } from '../../../src/guest/runc/caps.ts';
import { Cgroups, resourceFiles } from '../../../src/guest/runc/cgroup.ts';
import { parseMountOptions } from '../../../src/guest/runc/mountopts.ts';
import { lookPath } from '../../../src/guest/runc/process.ts';
import { prepareRootfs } from '../../../src/guest/runc/rootfs.ts';
import { secureJoin } from '../../../src/guest/runc/securejoin.ts';
import { DOCKER_DEFAULT_CAPS, parseSpec, runcDefaultSpec } from '../../../src/guest/runc/spec.ts';
import { parseProcStat } from '../../../src/guest/runc/state.ts';

describe('spec', () => {
  it('round-trips the default spec and rejects bad ones with the field named', () => {
    const s = runcDefaultSpec();
    expect(parseSpec(JSON.stringify(s))).toEqual(s);
    expect(() => parseSpec('{')).toThrow(/not valid JSON/);
    expect(() => parseSpec(JSON.stringify({ ...s, root: undefined }))).toThrow(/root.path/);
    expect(() => parseSpec(JSON.stringify({ ...s, process: { ...s.process, args: [] } }))).toThrow(/process.args/);
    expect(() => parseSpec(JSON.stringify({ ...s, mounts: [{ destination: 'rel' }] }))).toThrow(/mounts\[0\]/);
  });
  it('maps mount options to flags and data', () => {
    const o = parseMountOptions(['nosuid', 'noexec', 'nodev', 'ro', 'mode=1777', 'size=64k', 'rprivate']);
    expect(o.flags).toBe(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
    expect(o.data).toBe('mode=1777,size=64k');
    expect(o.propagation).toEqual([MS_PRIVATE | MS_REC]);
    expect(parseMountOptions(['ro', 'rw']).flags).toBe(0);
  });
  it('has Docker\'s 14 default capabilities', () => {
    expect(DOCKER_DEFAULT_CAPS).toHaveLength(14);
    expect(capNames(capMask(DOCKER_DEFAULT_CAPS)).sort()).toEqual([...DOCKER_DEFAULT_CAPS].sort());
    expect(capMask(['CAP_KILL', 'NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'])).toBe(0x20000420n);
    expect(() => capMask(['CAP_FLY'])).toThrow(/unknown capability/);
  });
});

describe('cgroups', () => {
  it('turns resources into v2 interface files', () => {
    expect(resourceFiles({ memory: { limit: 16 << 20, swap: 32 << 20 }, pids: { limit: 50 }, cpu: { quota: 50000, period: 100000 } })).toEqual([
      ['memory.max', String(16 << 20)],
      ['memory.swap.max', String(16 << 20)],
      ['cpu.max', '50000 100000'],
      ['pids.max', '50'],
    ]);
    expect(resourceFiles({ cpu: { shares: 1024 } })).toEqual([['cpu.weight', '39']]);
    expect(resourceFiles(undefined)).toEqual([]);
  });
  it('creates /sys/fs/cgroup/docker/<id> with controllers enabled and limits written', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/sys/fs/cgroup/cgroup.controllers', 'cpu memory pids\n');
    sys.addFile('/sys/fs/cgroup/cgroup.subtree_control', '');
    const cg = new Cgroups(sys);
    expect(cg.available()).toBe(true);
    const dir = cg.create('/docker/abc', { memory: { limit: 1000 }, pids: { limit: 10 } });
    expect(dir).toBe('/sys/fs/cgroup/docker/abc');
    expect(sys.callsOf('writeFile').map((c) => c.slice(0, 2))).toContainEqual(['/sys/fs/cgroup/cgroup.subtree_control', '+memory']);
    expect(new TextDecoder().decode(sys.readFile(`${dir}/memory.max`))).toBe('1000');
    expect(new TextDecoder().decode(sys.readFile(`${dir}/pids.max`))).toBe('10');
    expect(() => cg.dir('/..')).toThrow(/invalid cgroupsPath/);
  });
});

describe('rootfs', () => {
  it('keeps symlinked mount destinations inside the root', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/c/rootfs/etc');
    sys.addSymlink('/c/rootfs/evil', '/../../../etc');
    sys.addSymlink('/c/rootfs/etc/rel', '../etc');
    expect(secureJoin(sys, '/c/rootfs', '/evil/passwd')).toBe('/c/rootfs/etc/passwd');
    expect(secureJoin(sys, '/c/rootfs', '/etc/rel/x')).toBe('/c/rootfs/etc/x');
    expect(secureJoin(sys, '/c/rootfs', '/../../x')).toBe('/c/rootfs/x');
  });
  it('makes / private, binds the root, mounts, pivots, masks and remounts read-only paths', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/c/rootfs/bin');
    sys.addFile('/host/hosts', '127.0.0.1 localhost\n');
    const spec = runcDefaultSpec();
    spec.mounts!.push({ destination: '/etc/hosts', type: 'bind', source: '/host/hosts', options: ['rbind', 'ro'] });
    prepareRootfs(sys, spec, { rootfs: '/c/rootfs', cgroup2: false });
    const mounts = sys.callsOf('mount');
    expect(mounts[0]).toEqual([null, '/', null, MS_PRIVATE | MS_REC, null]);
    expect(mounts[1]).toEqual(['/c/rootfs', '/c/rootfs', null, MS_BIND | MS_REC, null]);
    expect(mounts).toContainEqual(['proc', '/c/rootfs/proc', 'proc', MS_NOSUID | MS_NOEXEC | MS_NODEV, null]);
    expect(mounts).toContainEqual(['/host/hosts', '/c/rootfs/etc/hosts', null, MS_RDONLY | MS_BIND | MS_REMOUNT | MS_REC, null]);
    expect(sys.callsOf('pivotRoot')).toEqual([['.', '.']]);
    expect(sys.callsOf('mknod').map((c) => c[0])).toContain('/c/rootfs/dev/null');
    expect(mounts.at(-1)).toEqual([null, '/', null, MS_BIND | MS_REMOUNT | MS_RDONLY, null]);
  });
  it('looks programs up on PATH with Go\'s wording', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/bin/sh', '', 0o755);
    sys.addFile('/bin/data', '', 0o644);
    expect(lookPath(sys, 'sh', ['PATH=/usr/bin:/bin'])).toBe('/bin/sh');
    expect(() => lookPath(sys, 'nope', ['PATH=/bin'])).toThrow('exec: "nope": executable file not found in $PATH');
    expect(() => lookPath(sys, '/bin/data', [])).toThrow('exec: "/bin/data": permission denied');
  });
  it('parses /proc/PID/stat with spaces in the name', () => {
    const st = parseProcStat('42 (my prog) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12345 1000 10');
    expect(st).toEqual({ state: 'S', startTime: 12345 });
  });
});
