// The real Syscalls: QuickJS's std/os for the event loop and the wbnative C module for the calls.
// Runs only inside the QuickJS binary (whalebone or whalebone-run).
import * as std from 'std';
import * as os from 'os';
import * as n from 'wbnative';
import { SyscallError } from './errors.ts';
import { decodeWaitStatus } from './wait.ts';
import { concatBytes, encodeUtf8, installUtf8Codec } from './utf8.ts';
import { decodeTermios, encodeTermios, TCGETS, TCSETS, TCSETSW, TERMIOS_SIZE, type Termios } from './termios.ts';
import {
  AF_INET, AF_UNIX, CLONE_NEWPID, O_CLOEXEC, O_CREAT, O_NOCTTY, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY,
} from './constants.ts';
import type { CapSets, DirEntry, Fd, LayerDigests, PollFd, Pty, SockAddr, Stat, Syscalls, WaitResult, Winsize } from './syscalls.ts';

installUtf8Codec({
  encode: (s) => new Uint8Array(n.utf8_encode(s)),
  decode: (b) => n.utf8_decode(b.buffer as ArrayBuffer, b.byteOffset, b.length),
});

const EINTR = 4;
const TIOCSCTTY = 0x540e;
const TIOCGPTN = 0x80045430;
const TIOCSPTLCK = 0x40045431;

/** Throws SyscallError for a negative result; returns it otherwise. */
function check(r: number, name: string, args: readonly unknown[]): number {
  if (r < 0) throw SyscallError.of(-r, name, args);
  return r;
}

/** Retries a blocking call that a signal handler interrupted. */
function retry(call: () => number): number {
  for (;;) {
    const r = call();
    if (r !== -EINTR) return r;
  }
}

function bytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encodeUtf8(data) : data;
}

function toStat(a: number[], name: string, args: readonly unknown[]): Stat {
  check(a[0] ?? -5, name, args);
  const [, dev = 0, ino = 0, mode = 0, nlink = 0, uid = 0, gid = 0, rdev = 0, size = 0, mtimeMs = 0] = a;
  return { dev, ino, mode, nlink, uid, gid, rdev, size, mtimeMs };
}

const ENOENT = 2;
const ENOTDIR = 20;
const ENODATA = 61;
const EOPNOTSUPP = 95;

/** toStat, but null for a path that is not there. */
function orNull(a: number[], name: string, args: readonly unknown[]): Stat | null {
  const r = a[0] ?? -5;
  return r === -ENOENT || r === -ENOTDIR ? null : toStat(a, name, args);
}

const DT: Record<number, DirEntry['type']> = { 1: 'fifo', 2: 'char', 4: 'dir', 6: 'block', 8: 'file', 10: 'symlink', 12: 'socket' };

function sockArgs(addr: SockAddr): [number, string, number] {
  return addr.family === 'unix' ? [AF_UNIX, addr.path, 0] : [AF_INET, addr.host, addr.port];
}

const lo = (x: bigint) => Number(x & 0xffffffffn);
const hi = (x: bigint) => Number((x >> 32n) & 0xffffffffn);
const join64 = (l = 0, h = 0) => BigInt(l >>> 0) | (BigInt(h >>> 0) << 32n);

export function flushStdio(): void {
  std.out.flush();
  std.err.flush();
}

const SIGNAL_TICK_MS = 1000;

export class RealSyscalls implements Syscalls {
  /** Signals set to SIG_IGN, restored to default across execve. */
  private readonly ignored = new Set<number>();
  /** Signals with a handler: while any is set, a keep-alive timer holds the event loop open. */
  private readonly handled = new Set<number>();
  private keepAlive: unknown = null;

  getpid() { return n.getpid(); }
  getppid() { return n.getppid(); }
  getuid() { return n.getuid(); }
  geteuid() { return n.geteuid(); }
  getgid() { return n.getgid(); }
  getegid() { return n.getegid(); }

  fork(flags = 0): number {
    flushStdio();
    if (flags === 0) return check(n.fork(0), 'fork', []);
    // New namespaces by unshare + fork rather than clone(2) with CLONE_NEW* flags: qemu-user,
    // which runs the i386 binary on hosts without IA-32 emulation (the build machine), rejects
    // those flags with EINVAL; one path that works there and in the guest is the tested one.
    const args = [flags];
    const pidNs = flags & CLONE_NEWPID ? this.open('/proc/self/ns/pid', O_RDONLY | O_CLOEXEC) : -1;
    let pid: number;
    try {
      if (pidNs >= 0) check(n.unshare(CLONE_NEWPID), 'unshare', args);
      pid = check(n.fork(0), 'fork', args);
    } catch (e) {
      this.restorePidNs(pidNs);
      throw e;
    }
    if (pid > 0) {
      this.restorePidNs(pidNs);
      return pid;
    }
    // The child (PID 1 of the new PID namespace when asked): join the other new namespaces.
    if (pidNs >= 0) n.close(pidNs);
    const rest = flags & ~CLONE_NEWPID;
    const r = rest ? n.unshare(rest) : 0;
    if (r < 0) {
      const msg = `whalebone: ${SyscallError.of(-r, 'unshare', [rest]).message}\n`;
      const b = encodeUtf8(msg);
      n.write(2, b.buffer as ArrayBuffer, 0, b.length);
      n.exit(125);
    }
    return 0;
  }
  /** Points this process's future children back at its own PID namespace. */
  private restorePidNs(fd: number): void {
    if (fd < 0) return;
    n.setns(fd, CLONE_NEWPID);
    n.close(fd);
  }
  unshare(flags: number) { check(n.unshare(flags), 'unshare', [flags]); }
  setrlimit(resource: number, soft: number, hard: number) { check(n.setrlimit(resource, soft, hard), 'setrlimit', [resource, soft, hard]); }
  setns(fd: Fd, nstype: number) { check(n.setns(fd, nstype), 'setns', [fd, nstype]); }
  execve(path: string, argv: string[], env: string[]): never {
    flushStdio();
    for (const sig of this.ignored) os.signal(sig, null);
    const r = n.execve(path, argv, env);
    for (const sig of this.ignored) os.signal(sig, undefined);
    throw SyscallError.of(r < 0 ? -r : 5, 'execve', [path, argv]);
  }
  spawn(path: string, argv: string[], env: string[], fds: readonly (readonly [Fd, Fd])[]): number {
    flushStdio();
    return check(n.spawn(path, argv, env, fds.flat(), [...this.ignored]), 'spawn', [path, argv]);
  }
  setCmdline(args: string[]): void {
    check(n.setCmdline(args), 'setCmdline', [args]);
  }
  exit(code: number): never {
    flushStdio();
    return n.exit(code);
  }
  waitpid(pid: number, options = 0): WaitResult | null {
    let res: [number, number];
    do res = n.waitpid(pid, options);
    while (res[0] === -EINTR);
    const got = check(res[0], 'waitpid', [pid, options]);
    return got === 0 ? null : decodeWaitStatus(got, res[1]);
  }
  kill(pid: number, signal: number) { check(n.kill(pid, signal), 'kill', [pid, signal]); }
  setsid() { return check(n.setsid(), 'setsid', []); }
  setpgid(pid: number, pgid: number) { check(n.setpgid(pid, pgid), 'setpgid', [pid, pgid]); }
  prctl(option: number, a2 = 0, a3 = 0, a4 = 0, a5 = 0) {
    return check(n.prctl(option, a2, a3, a4, a5), 'prctl', [option, a2, a3, a4, a5]);
  }

  setuid(uid: number) { check(n.setuid(uid), 'setuid', [uid]); }
  setgid(gid: number) { check(n.setgid(gid), 'setgid', [gid]); }
  setgroups(gids: number[]) { check(n.setgroups(gids), 'setgroups', [gids]); }
  capget(pid = 0): CapSets {
    const a = n.capget(pid);
    check(a[0] ?? -5, 'capget', [pid]);
    return { effective: join64(a[1], a[4]), permitted: join64(a[2], a[5]), inheritable: join64(a[3], a[6]) };
  }
  capset(c: CapSets) {
    const r = n.capset(lo(c.effective), lo(c.permitted), lo(c.inheritable), hi(c.effective), hi(c.permitted), hi(c.inheritable));
    check(r, 'capset', [c.effective, c.permitted, c.inheritable]);
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null) {
    check(n.mount(source, target, fstype, flags, data), 'mount', [source, target, fstype, flags, data]);
  }
  umount2(target: string, flags = 0) { check(n.umount2(target, flags), 'umount2', [target, flags]); }
  pivotRoot(newRoot: string, putOld: string) { check(n.pivot_root(newRoot, putOld), 'pivot_root', [newRoot, putOld]); }
  chroot(path: string) { check(n.chroot(path), 'chroot', [path]); }
  chdir(path: string) { check(n.chdir(path), 'chdir', [path]); }
  getcwd(): string {
    const r = n.getcwd();
    if (typeof r === 'number') throw SyscallError.of(-r, 'getcwd', []);
    return r;
  }
  sethostname(name: string) { check(n.sethostname(name), 'sethostname', [name]); }
  gethostname(): string {
    const r = n.gethostname();
    if (typeof r === 'number') throw SyscallError.of(-r, 'uname', []);
    return r;
  }
  umask(mask: number) { return n.umask(mask); }

  open(path: string, flags: number, mode = 0o666) { return check(n.open(path, flags, mode), 'open', [path, flags, mode]); }
  close(fd: Fd) { check(n.close(fd), 'close', [fd]); }
  read(fd: Fd, buf: Uint8Array): number {
    return check(retry(() => n.read(fd, buf.buffer as ArrayBuffer, buf.byteOffset, buf.length)), 'read', [fd, buf.length]);
  }
  write(fd: Fd, data: Uint8Array | string): number {
    const b = bytes(data);
    return check(retry(() => n.write(fd, b.buffer as ArrayBuffer, b.byteOffset, b.length)), 'write', [fd, b.length]);
  }
  readFile(path: string): Uint8Array {
    const fd = this.open(path, O_RDONLY | O_CLOEXEC);
    try {
      const parts: Uint8Array[] = [];
      for (;;) {
        const buf = new Uint8Array(65536);
        const got = this.read(fd, buf);
        if (got === 0) break;
        parts.push(buf.subarray(0, got));
      }
      return concatBytes(parts);
    } finally {
      n.close(fd);
    }
  }
  writeFile(path: string, data: Uint8Array | string, mode = 0o644) {
    const fd = this.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    try {
      const b = bytes(data);
      for (let off = 0; off < b.length; ) off += this.write(fd, b.subarray(off));
    } finally {
      n.close(fd);
    }
  }
  stat(path: string) { return toStat(n.stat(path, false), 'stat', [path]); }
  statOrNull(path: string) { return orNull(n.stat(path, false), 'stat', [path]); }
  lstatOrNull(path: string) { return orNull(n.stat(path, true), 'lstat', [path]); }
  lstat(path: string) { return toStat(n.stat(path, true), 'lstat', [path]); }
  fstat(fd: Fd) { return toStat(n.fstat(fd), 'fstat', [fd]); }
  readdir(path: string): DirEntry[] {
    const r = n.readdir(path);
    if (typeof r === 'number') throw SyscallError.of(-r, 'opendir', [path]);
    const out: DirEntry[] = [];
    for (let i = 1; i + 1 < r.length; i += 2) out.push({ name: String(r[i]), type: DT[Number(r[i + 1])] ?? 'unknown' });
    return out;
  }
  mkdir(path: string, mode = 0o755) { check(n.mkdir(path, mode), 'mkdir', [path, mode]); }
  rmdir(path: string) { check(n.rmdir(path), 'rmdir', [path]); }
  unlink(path: string) { check(n.unlink(path), 'unlink', [path]); }
  rename(from: string, to: string) { check(n.rename(from, to), 'rename', [from, to]); }
  symlink(target: string, path: string) { check(n.symlink(target, path), 'symlink', [target, path]); }
  readlink(path: string): string {
    const r = n.readlink(path);
    if (typeof r === 'number') throw SyscallError.of(-r, 'readlink', [path]);
    return r;
  }
  link(existing: string, path: string) { check(n.link(existing, path), 'link', [existing, path]); }
  mknod(path: string, mode: number, dev = 0) { check(n.mknod(path, mode, dev), 'mknod', [path, mode, dev]); }
  chmod(path: string, mode: number) { check(n.chmod(path, mode), 'chmod', [path, mode]); }
  chown(path: string, uid: number, gid: number) { check(n.chown(path, uid, gid), 'chown', [path, uid, gid]); }
  lchown(path: string, uid: number, gid: number) { check(n.lchown(path, uid, gid), 'lchown', [path, uid, gid]); }
  utimes(path: string, atimeMs: number, mtimeMs: number, noFollow = false) {
    const s = (ms: number) => Math.floor(ms / 1000);
    const ns = (ms: number) => Math.round((ms - s(ms) * 1000) * 1e6);
    check(n.utimes(path, s(atimeMs), ns(atimeMs), s(mtimeMs), ns(mtimeMs), noFollow), 'utimensat', [path, atimeMs, mtimeMs]);
  }
  lgetxattr(path: string, name: string): Uint8Array | null {
    const r = n.lgetxattr(path, name);
    if (typeof r === 'number') {
      if (r === -ENODATA) return null;
      throw SyscallError.of(-r, 'lgetxattr', [path, name]);
    }
    return new Uint8Array(r);
  }
  lsetxattr(path: string, name: string, value: Uint8Array | string) {
    const b = bytes(value);
    check(n.lsetxattr(path, name, b.buffer as ArrayBuffer, b.byteOffset, b.length), 'lsetxattr', [path, name]);
  }
  llistxattr(path: string): string[] {
    const r = n.llistxattr(path);
    if (typeof r === 'number') {
      if (r === -EOPNOTSUPP) return [];
      throw SyscallError.of(-r, 'llistxattr', [path]);
    }
    return r.slice(1).map(String);
  }
  writeLayer(dir: string, outPath: string, opts: { level?: number; copyTo?: string } = {}): LayerDigests {
    const r = n.layer_write(dir, outPath, opts.level ?? 1, opts.copyTo ?? null);
    const code = Number(r[0]);
    if (code < 0) throw SyscallError.of(-code, 'layer_write', [dir, String(r[1])]);
    return { digest: `sha256:${String(r[1])}`, diffId: `sha256:${String(r[2])}`, size: Number(r[3]), diffSize: Number(r[4]), contentSize: Number(r[5]) };
  }
  sha256File(path: string): string {
    const r = n.sha256_file(path);
    if (typeof r === 'number') throw SyscallError.of(-r, 'sha256_file', [path]);
    return r;
  }

  pipe(flags = 0): [Fd, Fd] {
    const [r, a, b] = n.pipe(flags);
    check(r, 'pipe2', [flags]);
    return [a, b];
  }
  dup(fd: Fd) { return check(n.dup(fd), 'dup', [fd]); }
  dup2(from: Fd, to: Fd) { return check(retry(() => n.dup2(from, to)), 'dup2', [from, to]); }
  fcntl(fd: Fd, cmd: number, arg = 0) { return check(n.fcntl(fd, cmd, arg), 'fcntl', [fd, cmd, arg]); }

  socket(domain: number, type: number, protocol = 0) { return check(n.socket(domain, type, protocol), 'socket', [domain, type, protocol]); }
  socketpair(domain: number, type: number, protocol = 0): [Fd, Fd] {
    const [r, a, b] = n.socketpair(domain, type, protocol);
    check(r, 'socketpair', [domain, type, protocol]);
    return [a, b];
  }
  bind(fd: Fd, addr: SockAddr) { check(n.bind(fd, ...sockArgs(addr)), 'bind', [fd, addr]); }
  listen(fd: Fd, backlog = 128) { check(n.listen(fd, backlog), 'listen', [fd, backlog]); }
  sendFd(sock: Fd, fd: Fd, name: string) { check(retry(() => n.sendfd(sock, fd, name)), 'sendmsg', [sock, fd, name]); }
  accept(fd: Fd, flags = 0) { return check(retry(() => n.accept(fd, flags)), 'accept4', [fd, flags]); }
  connect(fd: Fd, addr: SockAddr) { check(retry(() => n.connect(fd, ...sockArgs(addr))), 'connect', [fd, addr]); }
  sendTo(fd: Fd, data: Uint8Array, to: SockAddr & { family: 'inet' }) {
    return check(retry(() => n.sendto(fd, AF_INET, to.host, to.port, data.buffer as ArrayBuffer, data.byteOffset, data.length)), 'sendto', [fd, data.length, to]);
  }
  recvFrom(fd: Fd, buf: Uint8Array): { count: number; from: SockAddr & { family: 'inet' } } {
    for (;;) {
      const r = n.recvfrom(fd, buf.buffer as ArrayBuffer, buf.byteOffset, buf.length);
      if (typeof r === 'number') {
        if (r === -EINTR) continue;
        throw SyscallError.of(-r, 'recvfrom', [fd, buf.length]);
      }
      return { count: r[0], from: { family: 'inet', host: r[1], port: r[2] } };
    }
  }
  shutdown(fd: Fd, how: number) { check(n.shutdown(fd, how), 'shutdown', [fd, how]); }
  setsockopt(fd: Fd, level: number, name: number, value: number) {
    check(n.setsockopt(fd, level, name, value), 'setsockopt', [fd, level, name, value]);
  }
  poll(fds: PollFd[], timeoutMs: number): number[] {
    const flat = fds.flatMap((p) => [p.fd, p.events]);
    let r: number[];
    do r = n.poll(flat, timeoutMs);
    while (r[0] === -EINTR); // a signal handler ran (e.g. SIGCHLD): wait again
    check(r[0] ?? -5, 'poll', [fds.map((p) => p.fd), timeoutMs]);
    return fds.map((_, i) => r[i + 1] ?? 0);
  }

  openpty(devDir = '/dev'): Pty {
    const master = this.open(`${devDir}/ptmx`, O_RDWR | O_NOCTTY | O_CLOEXEC);
    try {
      check(n.ioctl(master, TIOCSPTLCK, 0, true)[0], 'ioctl', [master, 'TIOCSPTLCK']);
      const [r, num] = n.ioctl(master, TIOCGPTN, 0, true);
      check(r, 'ioctl', [master, 'TIOCGPTN']);
      const path = `${devDir}/pts/${num}`;
      const slave = this.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
      return { master, slave, path, index: num };
    } catch (e) {
      n.close(master);
      throw e;
    }
  }
  getWinsize(fd: Fd): Winsize {
    const [r, rows, cols] = n.winsize(fd, false, 0, 0);
    check(r, 'ioctl', [fd, 'TIOCGWINSZ']);
    return { rows, cols };
  }
  setWinsize(fd: Fd, size: Winsize) {
    check(n.winsize(fd, true, size.rows, size.cols)[0], 'ioctl', [fd, 'TIOCSWINSZ', size]);
  }
  setControllingTty(fd: Fd) { check(n.ioctl(fd, TIOCSCTTY, 0, false)[0], 'ioctl', [fd, 'TIOCSCTTY']); }
  isatty(fd: Fd) { return os.isatty(fd); }
  tcgetattr(fd: Fd): Termios {
    const b = new Uint8Array(TERMIOS_SIZE);
    check(n.ioctl_buf(fd, TCGETS, b.buffer as ArrayBuffer, 0, b.length), 'ioctl', [fd, 'TCGETS']);
    return decodeTermios(b);
  }
  tcsetattr(fd: Fd, t: Termios, drain = false) {
    const b = encodeTermios(t);
    check(retry(() => n.ioctl_buf(fd, drain ? TCSETSW : TCSETS, b.buffer as ArrayBuffer, 0, b.length)), 'ioctl', [fd, drain ? 'TCSETSW' : 'TCSETS']);
  }

  environ(): string[] {
    return Object.entries(std.getenviron()).map(([k, v]) => `${k}=${v}`);
  }
  getenv(name: string) { return std.getenv(name); }
  collectCycles(): void {
    std.gc();
  }
  randomBytes(count: number): Uint8Array {
    const fd = this.open('/dev/urandom', O_RDONLY | O_CLOEXEC);
    try {
      const out = new Uint8Array(count);
      for (let off = 0; off < count; ) {
        const got = this.read(fd, out.subarray(off));
        if (got === 0) throw SyscallError.named('EIO', 'read', ['/dev/urandom']);
        off += got;
      }
      return out;
    } finally {
      n.close(fd);
    }
  }
  monotonicMs() { return os.now(); }

  watch(fd: Fd, on: 'read' | 'write', fn: (() => void) | null) {
    if (on === 'read') os.setReadHandler(fd, fn);
    else os.setWriteHandler(fd, fn);
  }
  onSignal(signal: number, fn: (() => void) | null) {
    this.ignored.delete(signal);
    os.signal(signal, fn);
    if (fn) this.handled.add(signal);
    else this.handled.delete(signal);
    this.holdLoopForSignals();
  }
  /**
   * QuickJS's event loop ends once no fd or timer is watched, even with signal handlers set, and
   * a signal that lands between its pending-signal check and select() waits for the next wake-up.
   * A shim whose container closed its pipes just before exiting would otherwise fall off the loop
   * before its SIGCHLD ran, and never record the exit. The tick bounds that race to a second.
   */
  private holdLoopForSignals(): void {
    if (this.handled.size > 0 && this.keepAlive === null) {
      const tick = (): void => {
        this.keepAlive = this.handled.size > 0 ? os.setTimeout(tick, SIGNAL_TICK_MS) : null;
      };
      tick();
    } else if (this.handled.size === 0 && this.keepAlive !== null) {
      os.clearTimeout(this.keepAlive);
      this.keepAlive = null;
    }
  }
  resetSignals() {
    for (let sig = 1; sig < 32; sig++) {
      if (sig === 9 || sig === 19) continue; // SIGKILL, SIGSTOP
      os.signal(sig, null);
    }
    this.ignored.clear();
    this.handled.clear();
    this.holdLoopForSignals();
  }
  ignoreSignal(signal: number) {
    this.ignored.add(signal);
    os.signal(signal, undefined); // QuickJS: undefined = SIG_IGN, null = SIG_DFL
  }
  sleep(ms: number) { return os.sleepAsync(ms); }
  setTimer(ms: number, fn: () => void) { return os.setTimeout(fn, ms); }
  clearTimer(handle: unknown) { os.clearTimeout(handle); }
}
