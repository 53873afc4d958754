// Containers that share some of our namespaces (linux_ns_itype in the runtime-tools suite): no
// mount namespace means mounts made in place and chroot, refused masks and hostnames, and delete
// taking down what the container mounted in ours.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWUSER, MNT_DETACH } from '../../../src/guest/sys/constants.ts';
import { joinByPath } from '../../../src/guest/runc/nsjoin.ts';
import { prepareRootfs } from '../../../src/guest/runc/rootfs.ts';
import { Runtime } from '../../../src/guest/runc/runtime.ts';
import { runcDefaultSpec, type OciSpec } from '../../../src/guest/runc/spec.ts';

/** A config sharing every namespace with the runtime, as linux_ns_itype writes it. */
function sharedSpec(): OciSpec {
  const spec = runcDefaultSpec();
  spec.linux!.namespaces = [];
  spec.linux!.maskedPaths = [];
  spec.linux!.readonlyPaths = [];
  delete spec.hostname;
  return spec;
}

function bundle(sys: FakeSyscalls, spec: OciSpec): string {
  sys.addDir('/b/rootfs');
  sys.addFile('/b/config.json', JSON.stringify(spec));
  return '/b';
}

describe('without a mount namespace', () => {
  it('mounts in place under the rootfs and chroots, leaving the host\'s / and its propagation alone', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/c/rootfs');
    prepareRootfs(sys, sharedSpec(), { rootfs: '/c/rootfs', cgroup2: false, mountNs: false });
    const targets = sys.callsOf('mount').map((c) => c[1]);
    expect(targets).not.toContain('/');
    expect(targets).not.toContain('/c/rootfs');
    expect(targets).toContain('/c/rootfs/proc');
    expect(sys.callsOf('pivotRoot')).toEqual([]);
    expect(sys.callsOf('chroot')).toEqual([['/c/rootfs']]);
    // with its own namespace: pivot_root as before
    const own = new FakeSyscalls();
    own.addDir('/c/rootfs');
    prepareRootfs(own, sharedSpec(), { rootfs: '/c/rootfs', cgroup2: false });
    expect(own.callsOf('pivotRoot')).toEqual([['.', '.']]);
    expect(own.callsOf('chroot')).toEqual([]);
  });

  it('refuses masked or read-only paths and a hostname it could only set on the host, before forking', () => {
    for (const [patch, message] of [
      [(s: OciSpec) => (s.linux!.maskedPaths = ['/proc/kcore']), 'unable to restrict sys entries without a private MNT namespace'],
      [(s: OciSpec) => (s.linux!.readonlyPaths = ['/proc/sys']), 'unable to restrict sys entries without a private MNT namespace'],
      [(s: OciSpec) => (s.hostname = 'box'), 'unable to set hostname without a private UTS namespace'],
    ] as const) {
      const sys = new FakeSyscalls();
      const spec = sharedSpec();
      patch(spec);
      const rt = new Runtime(sys, { root: '/run/runc', lastCap: 40 });
      expect(() => rt.create({ id: 'c1', bundle: bundle(sys, spec) })).toThrow(message);
      expect(sys.callsOf('fork')).toEqual([]);
    }
  });

  it('forks the init without namespace flags', () => {
    const sys = new FakeSyscalls();
    const rt = new Runtime(sys, { root: '/run/runc', lastCap: 40 });
    // (no init answers in the fake: create fails after the fork)
    expect(() => rt.create({ id: 'c1', bundle: bundle(sys, sharedSpec()) })).toThrow(/exited before it was ready/);
    expect(sys.callsOf('fork')).toEqual([[0]]);
  });

  function stored(sys: FakeSyscalls, spec: OciSpec): Runtime {
    sys.addDir('/run/runc/c1');
    sys.addFile('/run/runc/c1/state.json', JSON.stringify({ id: 'c1', pid: 5, bundle: '/b', rootfs: '/b/rootfs', cgroupDir: null, initStartTime: 1 }));
    sys.addFile('/run/runc/c1/config.json', JSON.stringify(spec));
    sys.addFile('/proc/self/mountinfo', [
      '22 1 8:1 / / rw - ext4 /dev/sda1 rw',
      '40 22 0:40 / /b/rootfs/proc rw - proc proc rw',
      '41 22 0:41 / /b/rootfs/dev rw - tmpfs tmpfs rw',
      '42 41 0:42 / /b/rootfs/dev/pts rw - devpts devpts rw',
      '43 22 0:43 / /b/rootfsx/proc rw - proc proc rw',
    ].join('\n'));
    return new Runtime(sys, { root: '/run/runc', lastCap: 40 });
  }

  it('delete takes down the mounts it made under the rootfs in our namespace, deepest first', () => {
    const sys = new FakeSyscalls();
    sys.fail('umount2', 'EINVAL', Infinity); // the fake has no such mounts: record the calls only
    stored(sys, sharedSpec()).delete('c1');
    expect(sys.callsOf('umount2')).toEqual([
      ['/b/rootfs/dev/pts', MNT_DETACH],
      ['/b/rootfs/proc', MNT_DETACH],
      ['/b/rootfs/dev', MNT_DETACH],
    ]);
    expect(sys.statOrNull('/run/runc/c1')).toBeNull();
  });

  it('delete leaves mounts alone for a container with its own mount namespace', () => {
    const sys = new FakeSyscalls();
    stored(sys, runcDefaultSpec()).delete('c1');
    expect(sys.callsOf('umount2')).toEqual([]);
  });
});

describe('namespaces by path', () => {
  it('enters a user namespace first, the others in the config\'s order, and names the one refused', () => {
    const sys = new FakeSyscalls();
    for (const n of ['net', 'user', 'ipc']) sys.addFile(`/proc/42/ns/${n}`);
    joinByPath(sys, [
      { type: 'network', path: '/proc/42/ns/net' }, { type: 'user', path: '/proc/42/ns/user' },
      { type: 'mount' }, { type: 'ipc', path: '/proc/42/ns/ipc' },
    ]);
    expect(sys.callsOf('setns').map((c) => c[1])).toEqual([CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWIPC]);
    sys.fail('setns', 'EPERM');
    expect(() => joinByPath(sys, [{ type: 'network', path: '/proc/42/ns/net' }])).toThrow(/joining net namespace \/proc\/42\/ns\/net: .*(EPERM|not permitted)/);
  });
});
