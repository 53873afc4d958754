// User namespaces with id mappings (linux_uid_mappings in the runtime-tools suite), against the fake:
// who writes the maps and in which order, what stage 1 does between the user namespace and the
// init, and the parent's side of create.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import {
  CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, MS_BIND, PR_SET_CHILD_SUBREAPER,
} from '../../../src/guest/sys/constants.ts';
import type { Fd } from '../../../src/guest/sys/syscalls.ts';
import { prepareRootfs } from '../../../src/guest/runc/rootfs.ts';
import { Runtime } from '../../../src/guest/runc/runtime.ts';
import { runcDefaultSpec, type OciSpec } from '../../../src/guest/runc/spec.ts';
import { checkUserNs, idMapText, userNsStage1, wantsNewUserNs, writeIdMaps } from '../../../src/guest/runc/userns.ts';

/** The suite's config: container 0.. maps to host 1000.. (2000 uids, 3000 gids). */
function userNsSpec(): OciSpec {
  const spec = runcDefaultSpec();
  spec.linux!.namespaces!.push({ type: 'user' });
  spec.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 2000 }];
  spec.linux!.gidMappings = [{ containerID: 0, hostID: 1000, size: 3000 }];
  return spec;
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('user namespace config', () => {
  it('needs both mappings for a new namespace, and a namespace for mappings', () => {
    expect(() => checkUserNs(userNsSpec())).not.toThrow();
    expect(wantsNewUserNs(userNsSpec())).toBe(true);
    expect(wantsNewUserNs(runcDefaultSpec())).toBe(false);
    const noGid = userNsSpec();
    delete noGid.linux!.gidMappings;
    expect(() => checkUserNs(noGid)).toThrow('a new user namespace needs linux.uidMappings and linux.gidMappings');
    const noNs = runcDefaultSpec();
    noNs.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    expect(() => checkUserNs(noNs)).toThrow('user namespace mappings are set, but the config has no user namespace');
    const empty = userNsSpec();
    empty.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }];
    expect(() => checkUserNs(empty)).toThrow(/invalid id mapping/);
    // joined by path: no mappings needed (the namespace has them already)
    const byPath = runcDefaultSpec();
    byPath.linux!.namespaces!.push({ type: 'user', path: '/proc/42/ns/user' });
    expect(() => checkUserNs(byPath)).not.toThrow();
    expect(wantsNewUserNs(byPath)).toBe(false);
  });

  it('fails create before forking anything when the mappings are missing', () => {
    const sys = new FakeSyscalls();
    const spec = userNsSpec();
    delete spec.linux!.uidMappings;
    sys.addDir('/b/rootfs');
    sys.addFile('/b/config.json', JSON.stringify(spec));
    const rt = new Runtime(sys, { root: '/run/runc', lastCap: 40 });
    expect(() => rt.create({ id: 'c1', bundle: '/b' })).toThrow(/needs linux.uidMappings/);
    expect(sys.callsOf('fork')).toEqual([]);
    expect(sys.statOrNull('/run/runc/c1')).toBeNull();
  });
});

describe('writing the maps (parent side)', () => {
  it('formats one "inside outside count" line per range', () => {
    expect(idMapText([{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }])).toBe('0 1000 1\n1 100000 65536\n');
  });

  it('writes uid_map then gid_map, leaving setgroups alone when privileged', () => {
    const sys = new FakeSyscalls();
    for (const f of ['uid_map', 'gid_map', 'setgroups']) sys.addFile(`/proc/42/${f}`, '', 0o644);
    writeIdMaps(sys, 42, userNsSpec());
    expect(sys.callsOf('writeFile').map((c) => [c[0], c[1]])).toEqual([
      ['/proc/42/uid_map', '0 1000 2000\n'],
      ['/proc/42/gid_map', '0 1000 3000\n'],
    ]);
  });

  it('denies setgroups first when rootless (the kernel wants it before gid_map)', () => {
    const sys = new FakeSyscalls();
    for (const f of ['uid_map', 'gid_map', 'setgroups']) sys.addFile(`/proc/42/${f}`, '', 0o666);
    sys.euid = 1000;
    writeIdMaps(sys, 42, userNsSpec());
    expect(sys.callsOf('writeFile').map((c) => c[0])).toEqual(['/proc/42/setgroups', '/proc/42/uid_map', '/proc/42/gid_map']);
    expect(text(sys.readFile('/proc/42/setgroups'))).toBe('deny');
  });

  it('names the file the kernel refused', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/proc/42/uid_map');
    sys.fail('writeFile', 'EPERM');
    expect(() => writeIdMaps(sys, 42, userNsSpec())).toThrow(/writing \/proc\/42\/uid_map: .*(EPERM|not permitted)/);
  });
});

describe('stage 1 (the forked child)', () => {
  function pipes(sys: FakeSyscalls): { toParent: Fd; parentEnd: Fd; fromParent: Fd; stage1End: Fd } {
    const [parentEnd, toParent] = sys.pipe();
    const [fromParent, stage1End] = sys.pipe();
    return { toParent, parentEnd, fromParent, stage1End };
  }

  it('joins the cgroup, enters the user namespace, waits for the maps, becomes root, unshares the rest, forks the init', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/sys/fs/cgroup/runc/c1');
    const p = pipes(sys);
    sys.write(p.stage1End, 'mapped\n');
    sys.uid = sys.euid = sys.gid = sys.egid = 65534; // unmapped until the parent writes the maps
    sys.euid = 0; // (the fake checks euid for privilege; the kernel would check caps in the namespace)
    sys.calls.length = 0;
    const flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
    const init = userNsStage1(sys, { toParent: p.toParent, fromParent: p.fromParent, cgroupDir: '/sys/fs/cgroup/runc/c1' }, flags);
    expect(init).toBeGreaterThan(0);
    const seq = sys.calls.map((c) => c.name).filter((n) => n !== 'close');
    expect(seq).toEqual(['writeFile', 'unshare', 'write', 'read', 'setgid', 'setuid', 'unshare', 'fork', 'write']);
    expect(sys.callsOf('writeFile')[0]!.slice(0, 2)).toEqual(['/sys/fs/cgroup/runc/c1/cgroup.procs', '0']);
    expect(sys.callsOf('unshare')).toEqual([[CLONE_NEWUSER], [flags & ~CLONE_NEWUSER]]);
    expect(sys.callsOf('setuid')).toEqual([[0]]);
    expect(sys.callsOf('setgid')).toEqual([[0]]);
    expect(sys.callsOf('fork')).toEqual([[0]]);
    const buf = new Uint8Array(256);
    const sent = text(buf.subarray(0, sys.read(p.parentEnd, buf))).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(sent).toEqual([{ type: 'userns' }, { type: 'pid', pid: init }]);
  });

  it('enters namespaces given by path before the user namespace, which would have no privilege over them', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/proc/42/ns/net');
    sys.addFile('/proc/42/ns/pid_for_children');
    const p = pipes(sys);
    sys.write(p.stage1End, 'mapped\n');
    sys.calls.length = 0;
    const joins = [{ type: 'network' as const, path: '/proc/42/ns/net' }, { type: 'pid' as const, path: '/proc/42/ns/pid_for_children' }];
    userNsStage1(sys, { toParent: p.toParent, fromParent: p.fromParent, cgroupDir: null, joins }, CLONE_NEWUSER | CLONE_NEWNS);
    const seq = sys.calls.filter((c) => c.name === 'setns' || c.name === 'unshare' || c.name === 'fork').map((c) => `${c.name} ${String(c.args[c.name === 'setns' ? 1 : 0])}`);
    // the pid namespace applies to the next child: the init
    expect(seq).toEqual([`setns ${CLONE_NEWNET}`, `setns ${CLONE_NEWPID}`, `unshare ${CLONE_NEWUSER}`, `unshare ${CLONE_NEWNS}`, 'fork 0']);
  });

  it('gives up without the parent\'s answer, before becoming root or creating other namespaces', () => {
    const sys = new FakeSyscalls();
    const p = pipes(sys);
    sys.close(p.stage1End);
    expect(() => userNsStage1(sys, { toParent: p.toParent, fromParent: p.fromParent, cgroupDir: null }, CLONE_NEWUSER | CLONE_NEWNS)).toThrow(
      'the runtime did not map the user namespace',
    );
    expect(sys.callsOf('unshare')).toEqual([[CLONE_NEWUSER]]);
    expect(sys.callsOf('setuid')).toEqual([]);
    expect(sys.callsOf('fork')).toEqual([]);
  });
});

/** A fake that keeps the pipes create makes and lets a test play stage 1's and the init's side. */
class PipeSpy extends FakeSyscalls {
  readonly pipes: [Fd, Fd][] = [];
  afterFork: (pid: number) => void = () => {};
  afterWriteFile: (path: string) => void = () => {};
  override pipe(flags = 0): [Fd, Fd] {
    const p = super.pipe(flags);
    this.pipes.push(p);
    return p;
  }
  override fork(flags = 0): number {
    const pid = super.fork(flags);
    this.afterFork(pid);
    return pid;
  }
  override writeFile(path: string, data: Uint8Array | string, mode?: number): void {
    super.writeFile(path, data, mode);
    this.afterWriteFile(path);
  }
}

describe('create with a user namespace (parent side)', () => {
  function setup(): { sys: PipeSpy; rt: Runtime } {
    const sys = new PipeSpy();
    sys.addDir('/b/rootfs');
    sys.addFile('/b/config.json', JSON.stringify(userNsSpec()));
    for (const f of ['uid_map', 'gid_map']) sys.addFile(`/proc/200/${f}`);
    return { sys, rt: new Runtime(sys, { root: '/run/runc', lastCap: 40 }) };
  }

  it('becomes a subreaper, maps stage 1 when asked, answers, and records the init stage 1 reports', () => {
    const { sys, rt } = setup();
    let stage1Writer = -1;
    sys.afterFork = () => {
      // play the children: pipes are [sync (init -> parent), stage 1 -> parent, parent -> stage 1]
      const [sync, toParent] = [sys.pipes[0]!, sys.pipes[1]!];
      sys.write(sync[1], JSON.stringify({ type: 'ready' }) + '\n');
      stage1Writer = sys.dup(toParent[1]);
      sys.write(stage1Writer, JSON.stringify({ type: 'userns' }) + '\n');
    };
    sys.afterWriteFile = (path) => {
      if (path === '/proc/200/gid_map') sys.write(stage1Writer, JSON.stringify({ type: 'pid', pid: 4242 }) + '\n');
    };
    const st = rt.create({ id: 'c1', bundle: '/b' });
    expect(st.pid).toBe(4242);
    expect(sys.callsOf('prctl')[0]!.slice(0, 2)).toEqual([PR_SET_CHILD_SUBREAPER, 1]);
    // stage 1 is a plain fork: it unshares the user namespace itself, then the rest
    expect(sys.callsOf('fork')).toEqual([[0]]);
    expect(text(sys.readFile('/proc/200/uid_map'))).toBe('0 1000 2000\n');
    expect(text(sys.readFile('/proc/200/gid_map'))).toBe('0 1000 3000\n');
    const toStage1 = sys.pipes[2]![1];
    const answer = sys.callsOf('write').filter((c) => c[0] === toStage1).map((c) => (typeof c[1] === 'string' ? c[1] : text(c[1] as Uint8Array)));
    expect(answer).toEqual(['mapped\n']);
    // the init gets the fifo open already (the 0700 state dir is closed to the namespace's root)
    const opens = sys.callsOf('open').map((c) => c[0]);
    expect(opens).toContain('/run/runc/c1/exec.fifo');
    expect(sys.calls.findIndex((c) => c.name === 'open' && c.args[0] === '/run/runc/c1/exec.fifo')).toBeLessThan(sys.calls.findIndex((c) => c.name === 'fork'));
    // stage 1 is reaped before create returns
    expect(sys.callsOf('waitpid').map((c) => c[0])).toContain(200);
    expect(JSON.parse(text(sys.readFile('/run/runc/c1/state.json'))).pid).toBe(4242);
  });

  it('reports stage 1\'s error and leaves no state behind', () => {
    const { sys, rt } = setup();
    sys.afterFork = () => {
      sys.write(sys.pipes[1]![1], JSON.stringify({ type: 'error', message: 'unshare: Invalid argument' }) + '\n');
    };
    expect(() => rt.create({ id: 'c1', bundle: '/b' })).toThrow('runc create failed: unable to start container process: unshare: Invalid argument');
    expect(sys.statOrNull('/run/runc/c1')).toBeNull();
  });

  it('does not map or answer when stage 1 dies first', () => {
    const { sys, rt } = setup();
    expect(() => rt.create({ id: 'c1', bundle: '/b' })).toThrow(/the user namespace stage exited early/);
    expect(sys.callsOf('writeFile').filter((c) => String(c[0]).startsWith('/proc/200/'))).toEqual([]);
  });

  it('leaves containers without a user namespace as they were: one fork with the namespace flags, no subreaper', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/b/rootfs');
    sys.addFile('/b/config.json', JSON.stringify(runcDefaultSpec()));
    const rt = new Runtime(sys, { root: '/run/runc', lastCap: 40 });
    expect(() => rt.create({ id: 'c1', bundle: '/b' })).toThrow(/exited before it was ready/);
    expect(sys.callsOf('prctl')).toEqual([]);
    expect(sys.callsOf('fork')).toEqual([[CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS]]);
  });
});

describe('devices in a user namespace', () => {
  it('binds the host\'s nodes onto empty files instead of mknod', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/c/rootfs');
    for (const d of ['/dev/zero', '/dev/full', '/dev/random', '/dev/tty', '/dev/fuse']) sys.addFile(d, '', 0o666);
    const spec = userNsSpec();
    spec.mounts = [{ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['mode=755'] }];
    spec.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }];
    spec.linux!.maskedPaths = [];
    spec.linux!.readonlyPaths = [];
    spec.root!.readonly = false;
    prepareRootfs(sys, spec, { rootfs: '/c/rootfs', cgroup2: false, bindDevices: true });
    expect(sys.callsOf('mknod')).toEqual([]);
    expect(sys.callsOf('chown')).toEqual([]);
    const binds = sys.callsOf('mount').filter((c) => c[3] === MS_BIND).map((c) => [c[0], c[1]]);
    expect(binds).toContainEqual(['/dev/null', '/c/rootfs/dev/null']);
    expect(binds).toContainEqual(['/dev/fuse', '/c/rootfs/dev/fuse']);
    expect(binds).toHaveLength(7);
  });
});
