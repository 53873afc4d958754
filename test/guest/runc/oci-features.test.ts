// The runtime's logic for the OCI features the runtime-tools suite checks, against the fake.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { finalizeProcess } from '../../../src/guest/runc/process.ts';
import { applyRlimits, resolveRlimits } from '../../../src/guest/runc/rlimits.ts';
import { forkIntoPidNs, Runtime } from '../../../src/guest/runc/runtime.ts';
import { runcDefaultSpec, type OciSpec } from '../../../src/guest/runc/spec.ts';
import { mountOf, parseMountInfo, prepareRootfs } from '../../../src/guest/runc/rootfs.ts';
import { applySysctls, checkSysctls } from '../../../src/guest/runc/sysctl.ts';
import { MS_PRIVATE, MS_REC, MS_SHARED, MS_SLAVE, MS_UNBINDABLE } from '../../../src/guest/sys/constants.ts';

const UNLIMITED = 18446744073709551615;

function bundle(sys: FakeSyscalls, patch: (s: OciSpec) => void = () => {}): string {
  const spec = runcDefaultSpec();
  patch(spec);
  sys.addDir("/b/rootfs");
  sys.addFile('/b/config.json', JSON.stringify(spec));
  return '/b';
}

describe('process.rlimits', () => {
  it('sets each limit by its resource number, unlimited as 2^64-1', () => {
    const sys = new FakeSyscalls();
    applyRlimits(sys, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLIMIT_CORE', soft: UNLIMITED, hard: UNLIMITED }]);
    expect(sys.rlimits.get(7)).toEqual({ soft: 1024, hard: 1024 });
    expect(sys.rlimits.get(4)).toEqual({ soft: UNLIMITED, hard: UNLIMITED });
  });

  it('sets them before dropping root, so a raised hard limit is allowed', () => {
    const sys = new FakeSyscalls();
    sys.rlimits.set(7, { soft: 1024, hard: 4096 });
    const p = { ...runcDefaultSpec().process!, user: { uid: 0, gid: 0 }, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 8192, hard: 8192 }] };
    finalizeProcess(sys, p, 40);
    const order = sys.calls.map((c) => c.name).filter((n) => n === 'setrlimit' || n === 'setuid');
    expect(order).toEqual(['setrlimit', 'setuid']);
    expect(sys.rlimits.get(7)).toEqual({ soft: 8192, hard: 8192 });
    // once root is gone it is refused, and the error names the type
    sys.euid = 1000;
    expect(() => applyRlimits(sys, [{ type: 'RLIMIT_NOFILE', soft: 9000, hard: 9000 }])).toThrow(/error setting rlimit type RLIMIT_NOFILE: .*EPERM|Operation not permitted/);
  });

  it('rejects a type Linux has no limit for, and duplicates', () => {
    expect(() => resolveRlimits([{ type: 'RLIMIT_TEST', soft: 1, hard: 1 }])).toThrow('wrong rlimit value: RLIMIT_TEST');
    expect(() => resolveRlimits([{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 }])).toThrow(/duplicate/);
  });

  it('fails create for an unknown type before any process or state exists', () => {
    const sys = new FakeSyscalls();
    const b = bundle(sys, (s) => s.process!.rlimits!.push({ type: 'RLIMIT_TEST', soft: 1024, hard: 1024 }));
    const rt = new Runtime(sys, { root: '/run/runc', lastCap: 40 });
    expect(() => rt.create({ id: 'c1', bundle: b })).toThrow('wrong rlimit value: RLIMIT_TEST');
    expect(sys.callsOf('fork')).toEqual([]);
    expect(sys.statOrNull('/run/runc/c1')).toBeNull();
  });
});

describe('linux.sysctl', () => {
  it('allows only keys of a namespace the container has of its own', () => {
    const spec = runcDefaultSpec();
    spec.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '4096', 'fs.mqueue.msg_max': '20' };
    expect(() => checkSysctls(spec)).not.toThrow();
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((n) => n.type !== 'network');
    expect(() => checkSysctls(spec)).toThrow('sysctl "net.ipv4.ip_forward" is not allowed in the hosts network namespace');
    spec.linux!.sysctl = { 'vm.swappiness': '10' };
    expect(() => checkSysctls(spec)).toThrow('sysctl "vm.swappiness" is not in a separate kernel namespace');
  });

  it('writes them under /proc/sys after pivot_root, before /proc/sys is made read-only', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/c/rootfs');
    sys.addFile('/c/rootfs/proc/sys/net/ipv4/ip_forward', '0\n');
    const spec = runcDefaultSpec();
    spec.mounts = [];
    spec.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
    prepareRootfs(sys, spec, { rootfs: '/c/rootfs', cgroup2: false });
    expect(new TextDecoder().decode(sys.readFile('/proc/sys/net/ipv4/ip_forward'))).toBe('1');
    const order = sys.calls.map((c) => (c.name === 'writeFile' ? 'sysctl' : c.name === 'mount' && c.args[1] === '/proc/sys' ? 'ro' : c.name === 'pivotRoot' ? 'pivot' : '')).filter(Boolean);
    expect(order).toEqual(['pivot', 'sysctl', 'ro', 'ro']);
    expect(() => applySysctls(sys, { 'net.nope.x': '1' })).toThrow(/write sysctl key net.nope.x/);
  });
});

describe('root propagation', () => {
  const MOUNTINFO = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '30 22 0:25 / /tmp rw shared:5 - tmpfs tmpfs rw',
    '31 22 0:26 / /run rw - tmpfs tmpfs rw',
    '32 22 0:27 / /mnt/with\\040space rw master:3 - tmpfs tmpfs rw',
  ].join('\n');

  it('finds the mount a path lives on and whether it is shared', () => {
    const m = parseMountInfo(MOUNTINFO);
    expect(m.map((x) => x.mountPoint)).toEqual(['/', '/tmp', '/run', '/mnt/with space']);
    expect(mountOf(m, '/tmp/b/rootfs')).toEqual({ mountPoint: '/tmp', shared: true });
    expect(mountOf(m, '/runner/x')).toEqual({ mountPoint: '/', shared: true });
    expect(mountOf(m, '/run/x')).toEqual({ mountPoint: '/run', shared: false });
  });

  function mountsFor(propagation: string | undefined, rootfs = '/tmp/b/rootfs'): unknown[][] {
    const sys = new FakeSyscalls();
    sys.addDir(rootfs);
    sys.addFile('/proc/self/mountinfo', MOUNTINFO);
    for (const m of ['/tmp', '/run']) {
      sys.addDir(m);
      sys.mount('tmpfs', m, 'tmpfs', 0);
    }
    sys.calls.length = 0;
    const spec = runcDefaultSpec();
    spec.mounts = [];
    spec.linux!.maskedPaths = [];
    spec.linux!.readonlyPaths = [];
    spec.root!.readonly = false;
    if (propagation) spec.linux!.rootfsPropagation = propagation;
    prepareRootfs(sys, spec, { rootfs, cgroup2: false });
    return sys.callsOf('mount');
  }

  it('makes a shared parent of the root private so pivot_root works, then gives / the asked propagation', () => {
    const m = mountsFor('shared');
    expect(m[0]).toEqual([null, '/', null, MS_SHARED, null]);
    expect(m[1]).toEqual([null, '/tmp', null, MS_PRIVATE, null]);
    expect(m[2]).toEqual(['/tmp/b/rootfs', '/tmp/b/rootfs', null, 4096 | MS_REC, null]);
    expect(m.at(-1)).toEqual([null, '/', null, MS_SHARED, null]);
    expect(mountsFor('rslave').at(-1)).toEqual([null, '/', null, MS_SLAVE | MS_REC, null]);
    // a private parent is left alone
    expect(mountsFor('private', '/run/b/rootfs').filter((c) => c[1] === '/run')).toEqual([]);
  });

  it('binds the root before / turns unbindable, and rejects unknown values', () => {
    const m = mountsFor('unbindable');
    expect(m[0]).toEqual([null, '/', null, MS_PRIVATE | MS_REC, null]);
    expect(m.at(-1)).toEqual([null, '/', null, MS_UNBINDABLE, null]);
    expect(() => mountsFor('sideways')).toThrow('invalid rootfsPropagation "sideways"');
  });
});

describe('config kept from create', () => {
  it('reads the config saved in the state dir, not the bundle\'s changed one', () => {
    const sys = new FakeSyscalls();
    const b = bundle(sys, (s) => {
      s.process!.args = ['echo', 'created'];
    });
    const rt = new Runtime(sys, { root: '/run/runc', lastCap: 40 });
    sys.addDir('/run/runc/c1');
    sys.addFile('/run/runc/c1/state.json', JSON.stringify({ id: 'c1', pid: 5, bundle: b }));
    sys.addFile('/run/runc/c1/config.json', readFileText(sys, '/b/config.json'));
    sys.addFile('/b/config.json', JSON.stringify({ ociVersion: '1.0.0', root: { path: 'rootfs' } }));
    expect(rt.spec('c1').process!.args).toEqual(['echo', 'created']);
  });
});

function readFileText(sys: FakeSyscalls, p: string): string {
  return new TextDecoder().decode(sys.readFile(p));
}

describe('a pid namespace by path', () => {
  it('is entered around the fork (it holds only children), then ours is restored', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/proc/self/ns/pid');
    sys.addFile('/proc/42/ns/pid');
    const spec = runcDefaultSpec();
    spec.linux!.namespaces = [{ type: 'pid', path: '/proc/42/ns/pid' }, { type: 'mount' }];
    const pid = forkIntoPidNs(sys, spec, 0);
    expect(pid).toBeGreaterThan(0);
    const seq = sys.calls.filter((c) => ['open', 'setns', 'fork'].includes(c.name)).map((c) => `${c.name} ${c.name === 'open' ? String(c.args[0]) : ''}`.trim());
    expect(seq).toEqual(['open /proc/self/ns/pid', 'open /proc/42/ns/pid', 'setns', 'fork', 'setns']);
    expect(sys.callsOf('setns').map((c) => c[1])).toEqual([0x20000000, 0x20000000]);
    // without a path: a plain fork
    const plain = new FakeSyscalls();
    forkIntoPidNs(plain, runcDefaultSpec(), 0);
    expect(plain.callsOf('setns')).toEqual([]);
  });
});
