import { describe, expect, it } from 'vitest';
import { FakeExec, FakeExit, FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { SyscallError, isErrno } from '../../../src/guest/sys/errors.ts';
import {
  CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, MNT_DETACH, MS_BIND, MS_PRIVATE, MS_REC, O_CREAT, O_RDONLY, O_WRONLY,
  PR_CAPBSET_DROP, PR_CAPBSET_READ, S_IFCHR, SIGTERM, WNOHANG, makedev, AF_UNIX, SOCK_STREAM,
} from '../../../src/guest/sys/constants.ts';
import { decodeUtf8 } from '../../../src/guest/sys/utf8.ts';
import type { Syscalls } from '../../../src/guest/sys/syscalls.ts';

/** A small container start written against the interface, as runc will be. */
function enterRootfs(sys: Syscalls, rootfs: string, hostname: string): void {
  sys.mount(null, '/', null, MS_REC | MS_PRIVATE);
  sys.sethostname(hostname);
  sys.mount(rootfs, rootfs, null, MS_BIND | MS_REC);
  sys.mount('proc', `${rootfs}/proc`, 'proc', 0);
  sys.mknod(`${rootfs}/dev/null`, S_IFCHR | 0o666, makedev(1, 3));
  sys.chdir(rootfs);
  sys.pivotRoot('.', '.');
  sys.umount2('.', MNT_DETACH);
  sys.chdir('/');
}

describe('FakeSyscalls', () => {
  it('records every call with its arguments, in order', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/rootfs/proc');
    sys.addDir('/rootfs/dev');
    enterRootfs(sys, '/rootfs', 'box');
    expect(sys.calls.map((c) => c.name)).toEqual(['mount', 'sethostname', 'mount', 'mount', 'mknod', 'chdir', 'pivotRoot', 'umount2', 'chdir']);
    expect(sys.callsOf('mount')[2]).toEqual(['proc', '/rootfs/proc', 'proc', 0, null]);
    expect(sys.hostname).toBe('box');
    expect(sys.root).toBe('/rootfs');
    expect(sys.readdir('/').map((d) => d.name)).toEqual(['dev', 'proc']);
    expect(sys.stat('/dev/null').rdev).toBe(makedev(1, 3));
  });

  it('rejects pivot_root into a directory that is not a mount point, as the kernel does', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/rootfs');
    sys.chdir('/rootfs');
    const e = (() => {
      try {
        sys.pivotRoot('.', '.');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(SyscallError);
    expect((e as SyscallError).message).toBe('EINVAL: pivot_root(".", ".")');
    expect((e as SyscallError).errno).toBe(22);
    expect(isErrno(e, 'EINVAL')).toBe(true);
  });

  it('scripts failures by name, once or always', () => {
    const sys = new FakeSyscalls();
    sys.fail('mount', 'EBUSY');
    expect(() => sys.mount('tmpfs', '/tmp', 'tmpfs', 0)).toThrow('EBUSY: mount("tmpfs", "/tmp", "tmpfs", 0, null)');
    expect(() => sys.mount('tmpfs', '/tmp', 'tmpfs', 0)).not.toThrow();
    sys.fail('sethostname', 'EPERM', Infinity);
    for (let i = 0; i < 3; i++) expect(() => sys.sethostname('x')).toThrow(/^EPERM: sethostname\("x"\)$/);
    expect(() => sys.fail('mount', 'ENOTANERRNO')).toThrow(/unknown errno/);
  });

  it('replaces a call with on()', () => {
    const sys = new FakeSyscalls();
    sys.on('gethostname', () => 'scripted');
    expect(sys.gethostname()).toBe('scripted');
  });

  it('drops root for good: setuid(0) after setuid(1000) is EPERM and capabilities are gone', () => {
    const sys = new FakeSyscalls();
    sys.prctl(PR_CAPBSET_DROP, 21);
    expect(sys.prctl(PR_CAPBSET_READ, 21)).toBe(0);
    sys.setgroups([]);
    sys.setgid(1000);
    sys.setuid(1000);
    expect(sys.capget().effective).toBe(0n);
    expect(() => sys.setuid(0)).toThrow('EPERM: setuid(0)');
    expect(() => sys.mount('tmpfs', '/tmp', 'tmpfs', 0)).toThrow(/^EPERM/);
  });

  it('runs the child path of fork when asked, ending in a FakeExec', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/bin/sh', '#!', 0o755);
    sys.forkAs = 'child';
    expect(sys.fork(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS)).toBe(0);
    expect(sys.getpid()).toBe(1);
    expect(sys.namespaces & CLONE_NEWUTS).toBeTruthy();
    expect(() => sys.execve('/bin/sh', ['sh'], [])).toThrow(FakeExec);
    expect(() => sys.execve('/missing', ['x'], [])).toThrow('ENOENT: execve("/missing", ["x"])');
    expect(() => sys.exit(3)).toThrow(FakeExit);
  });

  it('spawns a child of this process that waitpid sees, and refuses programs that are missing or not executable', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/bin/sh', '#!', 0o755);
    sys.addFile('/etc/motd', 'hi');
    const [, w] = sys.pipe();
    const pid = sys.spawn('/bin/sh', ['sh'], [], [[1, w]]);
    expect(pid).toBeGreaterThan(sys.pid);
    expect(sys.calls.at(-1)).toMatchObject({ name: 'spawn', args: ['/bin/sh', ['sh'], [], [[1, w]]] });
    sys.exitChild(pid, 0);
    expect(sys.waitpid(pid)).toEqual({ pid, kind: 'exited', code: 0 });
    expect(() => sys.spawn('/missing', ['x'], [], [])).toThrow(/^ENOENT: spawn/);
    expect(() => sys.spawn('/etc/motd', ['x'], [], [])).toThrow(/^EACCES: spawn/);
    expect(() => sys.spawn('/bin/sh', ['sh'], [], [[1, 99]])).toThrow(/^EBADF: spawn/);
  });

  it('keeps a process table for fork, kill and waitpid', () => {
    const sys = new FakeSyscalls();
    const pid = sys.fork();
    expect(pid).toBeGreaterThan(sys.pid);
    expect(sys.waitpid(pid, WNOHANG)).toBeNull();
    sys.exitChild(pid, 3);
    expect(sys.waitpid(-1)).toEqual({ pid, kind: 'exited', code: 3 });
    expect(() => sys.waitpid(-1)).toThrow(/^ECHILD/);
    const other = sys.fork();
    sys.kill(other, SIGTERM);
    expect(sys.waitpid(other)).toMatchObject({ kind: 'signaled', signal: SIGTERM });
    expect(() => sys.kill(other, SIGTERM)).toThrow(/^ESRCH/);
  });

  it('simulates files, pipes and socket pairs', () => {
    const sys = new FakeSyscalls();
    sys.writeFile('/etc/hosts', '127.0.0.1 localhost\n');
    expect(decodeUtf8(sys.readFile('/etc/hosts'))).toBe('127.0.0.1 localhost\n');
    expect(() => sys.writeFile('/nope/x', '')).toThrow('ENOENT: writeFile("/nope/x")');
    expect(() => sys.mkdir('/etc')).toThrow(/^EEXIST/);
    const fd = sys.open('/tmp/log', O_WRONLY | O_CREAT, 0o600);
    sys.write(fd, 'one ');
    sys.write(fd, 'two');
    sys.close(fd);
    const rd = sys.open('/tmp/log', O_RDONLY);
    const buf = new Uint8Array(16);
    expect(decodeUtf8(buf.subarray(0, sys.read(rd, buf)))).toBe('one two');
    expect(sys.stat('/tmp/log').mode & 0o777).toBe(0o600);
    const [r, w] = sys.pipe();
    sys.write(w, 'hi');
    sys.close(w);
    expect(sys.read(r, buf)).toBe(2);
    expect(sys.read(r, buf)).toBe(0);
    const [a, b] = sys.socketpair(AF_UNIX, SOCK_STREAM);
    sys.write(a, 'ping');
    expect(decodeUtf8(buf.subarray(0, sys.read(b, buf)))).toBe('ping');
    sys.write(1, 'out\n');
    expect(sys.stdout).toBe('out\n');
  });

  it('binds unix sockets as socket files and refuses connections to missing ones', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/run');
    const s = sys.socket(AF_UNIX, SOCK_STREAM);
    sys.bind(s, { family: 'unix', path: '/run/docker.sock' });
    sys.listen(s);
    expect(sys.stat('/run/docker.sock').mode & 0o170000).toBe(0o140000);
    const c = sys.socket(AF_UNIX, SOCK_STREAM);
    expect(() => sys.connect(c, { family: 'unix', path: '/run/nope.sock' })).toThrow('ENOENT: connect(3, {"family":"unix","path":"/run/nope.sock"})'.replace('3', String(c)));
  });

  it('fires watches, signals and timers only when the test says so', async () => {
    const sys = new FakeSyscalls();
    const seen: string[] = [];
    sys.watch(5, 'read', () => seen.push('read'));
    sys.onSignal(17, () => seen.push('chld'));
    sys.setTimer(100, () => seen.push('timer'));
    sys.fire(5, 'read');
    sys.raise(17);
    expect(seen).toEqual(['read', 'chld']);
    await sys.sleep(150);
    expect(seen).toEqual(['read', 'chld', 'timer']);
    expect(sys.monotonicMs()).toBe(1150);
  });
});
