// A recording fake of Syscalls for Node unit tests of runtime logic (runc, shim, daemon...).
//
// - Every call is recorded in `calls` ({ name, args }) in order, using the interface's method names.
// - Results can be scripted: `fail(name, "EINVAL")` makes the next call (or every call) throw the
//   SyscallError a kernel would cause; `on(name, fn)` replaces a call's behaviour.
// - A small simulated machine answers the rest: an in-memory file tree with modes and owners,
//   mounts, root/cwd (chroot, pivot_root), hostname, credentials and capabilities, namespaces
//   unshared, a process table for fork/waitpid/kill, and fds for files, pipes and socket pairs.
// - fork() returns a new pid (the parent's view) unless `forkAs = "child"`, which makes it return
//   0 so the child's setup path runs; execve() and exit() then throw FakeExec / FakeExit, since
//   in a test nothing may replace or end the process.
import { SyscallError, callText } from './errors.ts';
import { errnoNumber } from './errno.ts';
import {
  CAP_LAST_CAP, F_DUPFD, F_DUPFD_CLOEXEC, MNT_DETACH, MS_BIND, MS_MOVE, MS_PRIVATE, MS_REC, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_UNBINDABLE,
  O_APPEND, O_CREAT, O_EXCL, O_TRUNC, POLLIN, POLLOUT, PR_CAPBSET_DROP, PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS,
  PR_SET_NO_NEW_PRIVS, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, SIGCHLD, SIGKILL,
  WNOHANG,
} from './constants.ts';
import { encodeUtf8 } from './utf8.ts';
import { layerBlobJs } from '../util/layertar.ts';
import { sha256Hex } from '../util/sha256.ts';
import type { Termios } from './termios.ts';
import type { CapSets, DirEntry, Fd, LayerDigests, PollFd, Pty, SockAddr, Stat, Syscalls, WaitResult, Winsize } from './syscalls.ts';

export interface RecordedCall {
  name: keyof Syscalls;
  args: unknown[];
}

/** Thrown by execve in a fake: the program that would have replaced the process. */
export class FakeExec extends Error {
  override name = 'FakeExec';
  constructor(readonly path: string, readonly argv: string[], readonly env: string[]) {
    super(`execve(${JSON.stringify(path)})`);
  }
}

/** Thrown by exit in a fake. */
export class FakeExit extends Error {
  override name = 'FakeExit';
  constructor(readonly code: number) {
    super(`_exit(${code})`);
  }
}

export type NodeType = DirEntry['type'];

export interface FakeNode {
  type: NodeType;
  /** Permission bits (0o7777). */
  perm: number;
  uid: number;
  gid: number;
  data: Uint8Array;
  /** Symlink target. */
  target?: string;
  rdev: number;
  ino: number;
  mtimeMs: number;
  /** Extended attributes by name. */
  xattrs?: Map<string, Uint8Array>;
}

export interface FakeMount {
  source: string | null;
  target: string;
  fstype: string | null;
  flags: number;
  data: string | null;
}

export interface FakeProcess {
  pid: number;
  ppid: number;
  /** Set once the child has run (execve), when forkAs is "child". */
  argv?: string[];
  /** What waitpid reports for it; undefined = still running. */
  exit?: WaitResult;
  reaped: boolean;
  cloneFlags: number;
}

/** A UDP datagram waiting in a fake socket (pushDatagram) or sent by the code under test (sentDatagrams). */
export interface Datagram { data: Uint8Array; peer: SockAddr & { family: 'inet' } }

type FdEntry =
  | { kind: 'file'; path: string; pos: number; flags: number }
  | { kind: 'pipe-r' | 'pipe-w'; buf: { data: number[]; writers: number } }
  | { kind: 'socket'; domain: number; type: number; bound?: SockAddr; listening: boolean; peer?: number[]; inbox: number[]; connectedTo?: SockAddr; datagrams?: Datagram[] }
  | { kind: 'pty'; path: string; master: boolean; size: Winsize };

const KERNEL_NAME: Partial<Record<keyof Syscalls, string>> = { pivotRoot: 'pivot_root', fork: 'fork', accept: 'accept4', sendTo: 'sendto', recvFrom: 'recvfrom' };

const TYPE_BITS: Record<NodeType, number> = {
  file: S_IFREG, dir: S_IFDIR, symlink: S_IFLNK, char: S_IFCHR, block: S_IFBLK, fifo: S_IFIFO, socket: S_IFSOCK, unknown: 0,
};

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

const ALL_CAPS = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;

/** [path, node] as toStat takes them: (node, path). */
function swap<A, B>([a, b]: [A, B]): [B, A] {
  return [b, a];
}

export class FakeSyscalls implements Syscalls {
  readonly calls: RecordedCall[] = [];
  /** "parent": fork returns a new pid; "child": fork returns 0. */
  forkAs: 'parent' | 'child' = 'parent';

  pid = 100;
  ppid = 1;
  uid = 0;
  euid = 0;
  gid = 0;
  egid = 0;
  groups: number[] = [];
  hostname = 'whalebone';
  umaskValue = 0o022;
  noNewPrivs = false;
  bounding = ALL_CAPS;
  caps: CapSets = { effective: ALL_CAPS, permitted: ALL_CAPS, inheritable: 0n };
  /** CLONE_NEW* flags this process has unshared (or was cloned with, in child mode). */
  namespaces = 0;
  /** Resource limits set so far (RLIMIT_* number -> limits); absent = the host's. */
  readonly rlimits = new Map<number, { soft: number; hard: number }>();
  sessionLeader = false;
  controllingTty: string | null = null;
  env: string[] = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'];
  clockMs = 1000;
  /**
   * Bytes that regular files under `diskUnder` may hold in all before writes fail with ENOSPC, as
   * a full tmpfs does (a write that only partly fits is cut short first); null = unlimited.
   */
  diskCapacity: number | null = null;
  diskUnder = '/';

  /** Absolute path of the process root in the fake tree (changed by chroot and pivot_root). */
  root = '/';
  cwd = '/';
  readonly fs = new Map<string, FakeNode>();
  readonly mounts: FakeMount[] = [];
  readonly processes = new Map<number, FakeProcess>();
  readonly killed: { pid: number; signal: number }[] = [];
  readonly watches = new Map<string, () => void>();
  readonly signalHandlers = new Map<number, () => void>();
  readonly ignoredSignals = new Set<number>();

  private nextPid = 200;
  private nextIno = 2;
  private readonly fds = new Map<Fd, FdEntry>();
  private readonly failures = new Map<string, { code: string; times: number }[]>();
  private readonly handlers = new Map<string, (...args: never[]) => unknown>();
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextTimer = 1;
  private nextPty = 0;

  constructor() {
    for (const d of ['/', '/proc', '/dev', '/dev/pts', '/tmp', '/etc', '/sys', '/sys/fs', '/sys/fs/cgroup'])
      this.fs.set(d, this.node('dir', 0o755));
    this.fs.get('/tmp')!.perm = 0o1777;
    this.fs.set('/dev/null', { ...this.node('char', 0o666), rdev: (1 << 8) | 3 });
    this.fds.set(0, { kind: 'file', path: '/dev/null', pos: 0, flags: 0 });
    this.fds.set(1, { kind: 'file', path: '/dev/stdout', pos: 0, flags: 1 });
    this.fds.set(2, { kind: 'file', path: '/dev/stderr', pos: 0, flags: 1 });
    this.fs.set('/dev/stdout', this.node('file', 0o666));
    this.fs.set('/dev/stderr', this.node('file', 0o666));
    this.fs.set('/dev/urandom', { ...this.node('char', 0o666), rdev: (1 << 8) | 9 });
  }

  // ---- scripting ----

  /** The next `times` calls (default 1; Infinity = always) of `name` throw errno `code`. */
  fail(name: keyof Syscalls, code: string, times = 1): this {
    errnoNumber(code); // unknown names are a test bug
    const list = this.failures.get(name) ?? [];
    list.push({ code, times });
    this.failures.set(name, list);
    return this;
  }

  /** Bytes held by regular files under diskUnder (what diskCapacity limits). */
  diskUsed(): number {
    let total = 0;
    for (const [p, n] of this.fs) if (n.type === 'file' && this.onDisk(p)) total += n.data.length;
    return total;
  }

  /** Replaces a call's behaviour; the function gets the call's arguments. */
  on<K extends keyof Syscalls>(name: K, fn: Syscalls[K]): this {
    this.handlers.set(name, fn as (...args: never[]) => unknown);
    return this;
  }

  /** Calls recorded under one name. */
  callsOf(name: keyof Syscalls): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  /** Text written to stdout (fd 1) and stderr (fd 2) so far. */
  get stdout(): string { return new TextDecoder().decode(this.fs.get('/dev/stdout')!.data); }
  get stderr(): string { return new TextDecoder().decode(this.fs.get('/dev/stderr')!.data); }

  /** Makes a child exit (as the kernel would when it ends) so waitpid reports it. */
  exitChild(pid: number, code: number): void {
    const p = this.processes.get(pid);
    if (!p) throw new Error(`fake: no process ${pid}`);
    p.exit = { pid, kind: 'exited', code };
  }

  /** Queues a datagram for recvFrom on a (UDP) socket, as if `peer` had sent it. */
  pushDatagram(fd: Fd, data: Uint8Array, peer: SockAddr & { family: 'inet' }): void {
    const e = this.fds.get(fd);
    if (e?.kind !== 'socket') throw new Error(`fake: fd ${fd} is not a socket`);
    (e.datagrams ??= []).push({ data: data.slice(), peer });
  }

  /** Every datagram the code under test sent with sendTo, in order. */
  readonly sentDatagrams: Datagram[] = [];

  /** Runs the handler registered with watch(fd, on). */
  fire(fd: Fd, on: 'read' | 'write'): void {
    const fn = this.watches.get(`${on}:${fd}`);
    if (!fn) throw new Error(`fake: nothing watches fd ${fd} for ${on}`);
    fn();
  }

  /** Delivers a signal to this process's handler. */
  raise(signal: number): void {
    const fn = this.signalHandlers.get(signal);
    if (!fn) throw new Error(`fake: no handler for signal ${signal}`);
    fn();
  }

  /** Advances the fake clock and runs the timers that fall due. */
  advance(ms: number): void {
    this.clockMs += ms;
    const due = this.timers.filter((t) => t.at <= this.clockMs).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.clockMs);
    for (const t of due) t.fn();
  }

  // ---- file tree helpers for tests ----

  /** Creates a file (and its parent directories). */
  addFile(path: string, content: string | Uint8Array = '', perm = 0o644): void {
    this.addDir(parentOf(normalize(path)));
    this.fs.set(normalize(path), { ...this.node('file', perm), data: typeof content === 'string' ? encodeUtf8(content) : content });
  }

  addDir(path: string, perm = 0o755): void {
    let p = '';
    for (const part of normalize(path).split('/').filter(Boolean)) {
      p += '/' + part;
      if (!this.fs.has(p)) this.fs.set(p, this.node('dir', perm));
    }
  }

  addSymlink(path: string, target: string): void {
    this.addDir(parentOf(normalize(path)));
    this.fs.set(normalize(path), { ...this.node('symlink', 0o777), target });
  }

  /** The node at an absolute path of the fake tree (ignoring root and cwd). */
  nodeAt(path: string): FakeNode | undefined {
    return this.fs.get(normalize(path));
  }

  /** Paths relative to the fake tree's top, resolved against this process's root and cwd. */
  resolve(path: string): string {
    const inRoot = normalize(path.startsWith('/') ? path : `${this.cwd}/${path}`);
    return normalize(`${this.root}/${inRoot}`);
  }

  // ---- internals ----

  private onDisk(p: string): boolean {
    const under = normalize(this.diskUnder);
    return (under === '/' || p === under || p.startsWith(`${under}/`)) && !/^\/(dev|proc|sys)(\/|$)/.test(p);
  }

  /** Bytes a file at p may grow by before the fake disk is full (Infinity when unlimited). */
  private diskRoom(p: string): number {
    if (this.diskCapacity === null || !this.onDisk(p)) return Infinity;
    return Math.max(0, this.diskCapacity - this.diskUsed());
  }

  private node(type: NodeType, perm: number): FakeNode {
    return { type, perm, uid: this.euid, gid: this.egid, data: new Uint8Array(0), rdev: 0, ino: this.nextIno++, mtimeMs: this.clockMs };
  }

  // an own property, not a method: a tracer (sys/trace.ts) wraps the methods it finds, and its
  // wrapper records each call through the very methods that call this
  private readonly call = <T>(name: keyof Syscalls, args: unknown[], impl: () => T): T => {
    this.calls.push({ name, args });
    const list = this.failures.get(name);
    const f = list?.[0];
    if (list && f) {
      if (--f.times <= 0) list.shift();
      throw SyscallError.named(f.code, KERNEL_NAME[name] ?? name, args);
    }
    const h = this.handlers.get(name);
    if (h) return h(...(args as never[])) as T;
    return impl();
  };

  private err(code: string, name: keyof Syscalls, args: unknown[]): SyscallError {
    return SyscallError.named(code, KERNEL_NAME[name] ?? name, args);
  }

  /** Follows symlinks (relative to the fake root) up to 8 times. */
  private follow(abs: string, name: keyof Syscalls, args: unknown[]): string {
    let p = abs;
    for (let i = 0; i < 8; i++) {
      const n = this.fs.get(p);
      if (n?.type !== 'symlink' || n.target === undefined) return p;
      p = n.target.startsWith('/') ? normalize(`${this.root}/${n.target}`) : normalize(`${parentOf(p)}/${n.target}`);
    }
    throw this.err('ELOOP', name, args);
  }

  private existing(path: string, name: keyof Syscalls, args: unknown[], follow = true): [string, FakeNode] {
    const p0 = this.resolve(path);
    const p = follow ? this.follow(p0, name, args) : p0;
    const n = this.fs.get(p);
    if (!n) throw this.err('ENOENT', name, args);
    return [p, n];
  }

  private creatable(path: string, name: keyof Syscalls, args: unknown[]): string {
    const p = this.resolve(path);
    if (this.fs.has(p)) throw this.err('EEXIST', name, args);
    const parent = this.fs.get(parentOf(p));
    if (!parent) throw this.err('ENOENT', name, args);
    if (parent.type !== 'dir') throw this.err('ENOTDIR', name, args);
    return p;
  }

  private requireRoot(name: keyof Syscalls, args: unknown[]): void {
    if (this.euid !== 0) throw this.err('EPERM', name, args);
  }

  private lastMount(target: string): FakeMount | undefined {
    for (let i = this.mounts.length - 1; i >= 0; i--) if (this.mounts[i]!.target === target) return this.mounts[i];
    return undefined;
  }

  private isMountPoint(p: string): boolean {
    return p === '/' || this.mounts.some((m) => m.target === p);
  }

  private newFd(e: FdEntry, lowest = 0): Fd {
    let fd = lowest;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, e);
    return fd;
  }

  private fd(fd: Fd, name: keyof Syscalls, args: unknown[]): FdEntry {
    const e = this.fds.get(fd);
    if (!e) throw this.err('EBADF', name, args);
    return e;
  }

  /** A device number per mount, as the kernel gives each mounted filesystem its own (1: the root). */
  private devOf(p: string): number {
    for (let i = this.mounts.length - 1; i >= 0; i--) {
      const t = this.mounts[i]!.target;
      if (p === t || p.startsWith(t === '/' ? '/' : `${t}/`)) return i + 2;
    }
    return 1;
  }

  private toStat(n: FakeNode, path?: string): Stat {
    return {
      dev: path === undefined ? 1 : this.devOf(path), ino: n.ino, mode: TYPE_BITS[n.type] | n.perm, nlink: 1, uid: n.uid, gid: n.gid, rdev: n.rdev,
      size: n.type === 'symlink' ? (n.target ?? '').length : n.data.length, mtimeMs: n.mtimeMs,
    };
  }

  // ---- process ----

  getpid() { return this.call('getpid', [], () => this.pid); }
  getppid() { return this.call('getppid', [], () => this.ppid); }
  getuid() { return this.call('getuid', [], () => this.uid); }
  geteuid() { return this.call('geteuid', [], () => this.euid); }
  getgid() { return this.call('getgid', [], () => this.gid); }
  getegid() { return this.call('getegid', [], () => this.egid); }

  fork(flags = 0): number {
    return this.call('fork', [flags], () => {
      if (flags !== 0) this.requireRoot('fork', [flags]);
      const pid = this.nextPid++;
      this.processes.set(pid, { pid, ppid: this.pid, reaped: false, cloneFlags: flags });
      if (this.forkAs === 'parent') return pid;
      // Become the child: what the code after fork() sees in the new process.
      this.ppid = this.pid;
      this.pid = flags & 0x20000000 ? 1 : pid;
      this.namespaces |= flags;
      return 0;
    });
  }
  setrlimit(resource: number, soft: number, hard: number) {
    this.call('setrlimit', [resource, soft, hard], () => {
      if (!Number.isInteger(resource) || resource < 0 || resource > 15 || soft > hard) throw this.err('EINVAL', 'setrlimit', [resource, soft, hard]);
      const old = this.rlimits.get(resource);
      // raising a hard limit needs CAP_SYS_RESOURCE
      if (old && hard > old.hard && this.euid !== 0) throw this.err('EPERM', 'setrlimit', [resource, soft, hard]);
      this.rlimits.set(resource, { soft, hard });
    });
  }
  unshare(flags: number) {
    this.call('unshare', [flags], () => {
      this.requireRoot('unshare', [flags]);
      this.namespaces |= flags;
    });
  }
  setns(fd: Fd, nstype: number) {
    this.call('setns', [fd, nstype], () => {
      this.fd(fd, 'setns', [fd, nstype]);
      this.requireRoot('setns', [fd, nstype]);
    });
  }
  execve(path: string, argv: string[], env: string[]): never {
    return this.call('execve', [path, argv, env], () => {
      const [, n] = this.existing(path, 'execve', [path, argv]);
      if (n.type !== 'file') throw this.err('EACCES', 'execve', [path, argv]);
      if (!(n.perm & 0o111)) throw this.err('EACCES', 'execve', [path, argv]);
      throw new FakeExec(path, argv, env);
    });
  }
  /** A child that has exec'd path (recorded; it runs nothing here). */
  spawn(path: string, argv: string[], env: string[], fds: readonly (readonly [Fd, Fd])[]): number {
    return this.call('spawn', [path, argv, env, fds], () => {
      const [, node] = this.existing(path, 'spawn', [path, argv]);
      if (node.type !== 'file' || !(node.perm & 0o111)) throw this.err('EACCES', 'spawn', [path, argv]);
      for (const [, src] of fds) this.fd(src, 'spawn', [path, argv]);
      const pid = this.nextPid++;
      this.processes.set(pid, { pid, ppid: this.pid, reaped: false, cloneFlags: 0 });
      return pid;
    });
  }
  /** What setCmdline made this process's command line (null: as it was started). */
  cmdline: string[] | null = null;
  setCmdline(args: string[]): void {
    this.call('setCmdline', [args], () => {
      this.requireRoot('setCmdline', [args]);
      this.cmdline = [...args];
    });
  }
  exit(code: number): never {
    return this.call('exit', [code], () => {
      throw new FakeExit(code);
    });
  }
  waitpid(pid: number, options = 0): WaitResult | null {
    return this.call('waitpid', [pid, options], () => {
      const mine = [...this.processes.values()].filter((p) => p.ppid === this.pid && !p.reaped && (pid === -1 || p.pid === pid));
      if (mine.length === 0) throw this.err('ECHILD', 'waitpid', [pid, options]);
      const done = mine.find((p) => p.exit);
      if (done?.exit) {
        done.reaped = true;
        return done.exit;
      }
      if (options & WNOHANG) return null;
      throw new Error(`fake: waitpid(${pid}) would block forever: script the child's end with exitChild()`);
    });
  }
  kill(pid: number, signal: number) {
    this.call('kill', [pid, signal], () => {
      const p = this.processes.get(pid);
      if (!p || p.reaped) throw this.err('ESRCH', 'kill', [pid, signal]);
      this.killed.push({ pid, signal });
      if (signal === SIGKILL || (signal !== 0 && signal !== SIGCHLD && !p.exit)) p.exit ??= { pid, kind: 'signaled', signal, coreDumped: false };
    });
  }
  setsid() {
    return this.call('setsid', [], () => {
      if (this.sessionLeader) throw this.err('EPERM', 'setsid', []);
      this.sessionLeader = true;
      return this.pid;
    });
  }
  setpgid(pid: number, pgid: number) { this.call('setpgid', [pid, pgid], () => undefined); }
  prctl(option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0) {
    return this.call('prctl', [option, arg2, arg3, arg4, arg5], () => {
      const args = [option, arg2, arg3, arg4, arg5];
      if (option === PR_SET_NO_NEW_PRIVS) {
        if (arg2 !== 1) throw this.err('EINVAL', 'prctl', args);
        this.noNewPrivs = true;
        return 0;
      }
      if (option === PR_GET_NO_NEW_PRIVS) return this.noNewPrivs ? 1 : 0;
      if (option === PR_CAPBSET_READ || option === PR_CAPBSET_DROP) {
        if (arg2 < 0 || arg2 > CAP_LAST_CAP) throw this.err('EINVAL', 'prctl', args);
        const bit = 1n << BigInt(arg2);
        if (option === PR_CAPBSET_READ) return this.bounding & bit ? 1 : 0;
        if (!(this.caps.effective & (1n << 8n))) throw this.err('EPERM', 'prctl', args); // CAP_SETPCAP
        this.bounding &= ~bit;
        return 0;
      }
      return 0;
    });
  }

  // ---- credentials ----

  setuid(uid: number) {
    this.call('setuid', [uid], () => {
      if (this.euid !== 0 && uid !== this.uid) throw this.err('EPERM', 'setuid', [uid]);
      if (this.euid === 0) {
        this.uid = uid;
        // Leaving uid 0 clears the capability sets, as the kernel does without keepcaps.
        if (uid !== 0) this.caps = { effective: 0n, permitted: 0n, inheritable: this.caps.inheritable };
      }
      this.euid = uid;
    });
  }
  setgid(gid: number) {
    this.call('setgid', [gid], () => {
      if (this.euid !== 0 && gid !== this.gid) throw this.err('EPERM', 'setgid', [gid]);
      if (this.euid === 0) this.gid = gid;
      this.egid = gid;
    });
  }
  setgroups(gids: number[]) {
    this.call('setgroups', [gids], () => {
      this.requireRoot('setgroups', [gids]);
      this.groups = [...gids];
    });
  }
  capget(pid = 0): CapSets {
    return this.call('capget', [pid], () => ({ ...this.caps }));
  }
  capset(caps: CapSets) {
    this.call('capset', [caps], () => {
      const notIn = (a: bigint, b: bigint) => (a & ~b) !== 0n;
      if (notIn(caps.permitted, this.caps.permitted) || notIn(caps.effective, caps.permitted))
        throw this.err('EPERM', 'capset', [caps]);
      this.caps = { ...caps };
    });
  }

  // ---- mounts and identity ----

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null) {
    const args = [source, target, fstype, flags, data];
    this.call('mount', args, () => {
      this.requireRoot('mount', args);
      const [t, tn] = this.existing(target, 'mount', args);
      const propagation = flags & (MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE);
      if (propagation) {
        if (!this.isMountPoint(t)) throw this.err('EINVAL', 'mount', args);
        return;
      }
      if (flags & MS_REMOUNT) {
        const m = this.lastMount(t);
        if (!m) throw this.err('EINVAL', 'mount', args);
        m.flags = flags & ~MS_REMOUNT;
        return;
      }
      if (flags & MS_MOVE) {
        const from = this.resolve(source ?? '');
        const m = this.lastMount(from);
        if (!m) throw this.err('EINVAL', 'mount', args);
        m.target = t;
        return;
      }
      if (flags & MS_BIND) {
        const [s, sn] = this.existing(source ?? '', 'mount', args);
        if ((sn.type === 'dir') !== (tn.type === 'dir')) throw this.err('ENOTDIR', 'mount', args);
        this.mounts.push({ source: s, target: t, fstype: null, flags: flags & ~MS_REC, data });
        return;
      }
      if (!fstype) throw this.err('EINVAL', 'mount', args);
      if (tn.type !== 'dir') throw this.err('ENOTDIR', 'mount', args);
      this.mounts.push({ source, target: t, fstype, flags, data });
    });
  }
  umount2(target: string, flags = 0) {
    this.call('umount2', [target, flags], () => {
      this.requireRoot('umount2', [target, flags]);
      const t = this.resolve(target);
      const m = this.lastMount(t);
      const i = m ? this.mounts.lastIndexOf(m) : -1;
      if (i < 0) throw this.err('EINVAL', 'umount2', [target, flags]);
      // A detached unmount also drops the mounts below it.
      if (flags & MNT_DETACH) for (let j = this.mounts.length - 1; j > i; j--) if (this.mounts[j]!.target.startsWith(t + '/')) this.mounts.splice(j, 1);
      this.mounts.splice(i, 1);
    });
  }
  pivotRoot(newRoot: string, putOld: string) {
    this.call('pivotRoot', [newRoot, putOld], () => {
      const args = [newRoot, putOld];
      this.requireRoot('pivotRoot', args);
      const [nr, nn] = this.existing(newRoot, 'pivotRoot', args);
      const [po, on] = this.existing(putOld, 'pivotRoot', args);
      if (nn.type !== 'dir' || on.type !== 'dir') throw this.err('ENOTDIR', 'pivotRoot', args);
      // The kernel's rules: new root is a mount point other than the current root, and put_old is at or under it.
      if (!this.isMountPoint(nr) || nr === this.root) throw this.err('EINVAL', 'pivotRoot', args);
      if (po !== nr && !po.startsWith(nr + '/')) throw this.err('EINVAL', 'pivotRoot', args);
      const oldRoot = this.root;
      const cwdAbs = this.resolve('.');
      this.root = nr;
      // The kernel leaves the cwd on the same directory; express it inside the new root.
      this.cwd = cwdAbs === nr || cwdAbs.startsWith(nr + '/') ? normalize(cwdAbs.slice(nr.length) || '/') : '/';
      // The old root now hangs at put_old (which may be new_root itself, for the `pivot_root . .` idiom).
      this.mounts.push({ source: oldRoot, target: po, fstype: 'oldroot', flags: 0, data: null });
    });
  }
  chroot(path: string) {
    this.call('chroot', [path], () => {
      this.requireRoot('chroot', [path]);
      const [p, n] = this.existing(path, 'chroot', [path]);
      if (n.type !== 'dir') throw this.err('ENOTDIR', 'chroot', [path]);
      this.root = p;
    });
  }
  chdir(path: string) {
    this.call('chdir', [path], () => {
      const [p, n] = this.existing(path, 'chdir', [path]);
      if (n.type !== 'dir') throw this.err('ENOTDIR', 'chdir', [path]);
      this.cwd = this.root === '/' ? p : normalize(p.slice(this.root.length) || '/');
    });
  }
  getcwd() { return this.call('getcwd', [], () => this.cwd); }
  sethostname(name: string) {
    this.call('sethostname', [name], () => {
      this.requireRoot('sethostname', [name]);
      if (name.length > 64) throw this.err('EINVAL', 'sethostname', [name]);
      this.hostname = name;
    });
  }
  gethostname() { return this.call('gethostname', [], () => this.hostname); }
  umask(mask: number) {
    return this.call('umask', [mask], () => {
      const old = this.umaskValue;
      this.umaskValue = mask & 0o777;
      return old;
    });
  }

  // ---- files ----

  open(path: string, flags: number, mode = 0o666) {
    return this.call('open', [path, flags, mode], () => {
      const args = [path, flags, mode];
      const p = this.follow(this.resolve(path), 'open', args);
      let n = this.fs.get(p);
      if (n && flags & O_CREAT && flags & O_EXCL) throw this.err('EEXIST', 'open', args);
      if (!n) {
        if (!(flags & O_CREAT)) throw this.err('ENOENT', 'open', args);
        this.creatable(path, 'open', args);
        n = this.node('file', mode & ~this.umaskValue);
        this.fs.set(p, n);
      }
      if (flags & O_TRUNC && n.type === 'file') n.data = new Uint8Array(0);
      return this.newFd({ kind: 'file', path: p, pos: 0, flags });
    });
  }
  close(fd: Fd) {
    this.call('close', [fd], () => {
      const e = this.fd(fd, 'close', [fd]);
      if (e.kind === 'pipe-w') e.buf.writers--;
      this.fds.delete(fd);
    });
  }
  read(fd: Fd, buf: Uint8Array) {
    return this.call('read', [fd, buf.length], () => {
      const e = this.fd(fd, 'read', [fd]);
      let src: number[] | Uint8Array;
      if (e.kind === 'file') {
        const n = this.fs.get(e.path);
        if (!n) throw this.err('EIO', 'read', [fd]);
        if (n.type === 'dir') throw this.err('EISDIR', 'read', [fd]);
        const got = Math.min(buf.length, Math.max(0, n.data.length - e.pos));
        buf.set(n.data.subarray(e.pos, e.pos + got));
        e.pos += got;
        return got;
      }
      if (e.kind === 'pipe-r') src = e.buf.data;
      else if (e.kind === 'socket') src = e.inbox;
      else throw this.err('EAGAIN', 'read', [fd]);
      if (src.length === 0) {
        if (e.kind === 'pipe-r' && e.buf.writers === 0) return 0;
        throw this.err('EAGAIN', 'read', [fd]);
      }
      const got = Math.min(buf.length, src.length);
      buf.set(src.splice(0, got));
      return got;
    });
  }
  write(fd: Fd, data: Uint8Array | string) {
    let b = typeof data === 'string' ? encodeUtf8(data) : data;
    return this.call('write', [fd, typeof data === 'string' ? data : b], () => {
      const e = this.fd(fd, 'write', [fd]);
      if (e.kind === 'file') {
        const n = this.fs.get(e.path);
        if (!n) throw this.err('EIO', 'write', [fd]);
        if ((e.flags & 3) === 0) throw this.err('EBADF', 'write', [fd]);
        const pos = e.flags & O_APPEND || e.path === '/dev/stdout' || e.path === '/dev/stderr' ? n.data.length : e.pos;
        const room = this.diskRoom(e.path);
        const grow = Math.max(0, pos + b.length - n.data.length);
        if (grow > room) {
          // the kernel writes what fits and fails only a write that can store nothing
          const fits = b.length - (grow - room);
          if (fits <= 0) throw this.err('ENOSPC', 'write', [fd]);
          b = b.subarray(0, fits);
        }
        const out = new Uint8Array(Math.max(n.data.length, pos + b.length));
        out.set(n.data);
        out.set(b, pos);
        n.data = out;
        e.pos = pos + b.length;
        return b.length;
      }
      if (e.kind === 'pipe-w') e.buf.data.push(...b);
      else if (e.kind === 'socket') {
        if (!e.peer) throw this.err('ENOTCONN', 'write', [fd]);
        e.peer.push(...b);
      } else if (e.kind !== 'pty') throw this.err('EBADF', 'write', [fd]);
      return b.length;
    });
  }
  readFile(path: string): Uint8Array {
    return this.call('readFile', [path], () => {
      const [, n] = this.existing(path, 'readFile', [path]);
      if (n.type === 'dir') throw this.err('EISDIR', 'readFile', [path]);
      return n.data.slice();
    });
  }
  writeFile(path: string, data: Uint8Array | string, mode = 0o644) {
    this.call('writeFile', [path, data, mode], () => {
      const p = this.follow(this.resolve(path), 'writeFile', [path]);
      const b = typeof data === 'string' ? encodeUtf8(data) : data.slice();
      let n = this.fs.get(p);
      if (n) {
        if (n.type === 'dir') throw this.err('EISDIR', 'writeFile', [path]);
        n.data = new Uint8Array(0);
        n.mtimeMs = this.clockMs;
      } else {
        this.creatable(path, 'writeFile', [path]);
        n = this.node('file', mode & ~this.umaskValue);
        this.fs.set(p, n);
      }
      // as the real one (open O_TRUNC, then writes): a full disk leaves the file cut short
      const room = this.diskRoom(p);
      n.data = b.length > room ? b.slice(0, room) : b;
      if (b.length > room) throw this.err('ENOSPC', 'writeFile', [path]);
    });
  }
  stat(path: string) { return this.call('stat', [path], () => this.toStat(...swap(this.existing(path, 'stat', [path])))); }
  lstat(path: string) { return this.call('lstat', [path], () => this.toStat(...swap(this.existing(path, 'lstat', [path], false)))); }
  statOrNull(path: string) { return this.missingAsNull(() => this.stat(path)); }
  lstatOrNull(path: string) { return this.missingAsNull(() => this.lstat(path)); }
  private missingAsNull(f: () => Stat): Stat | null {
    try {
      return f();
    } catch (e) {
      if (e instanceof SyscallError && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return null;
      throw e;
    }
  }
  fstat(fd: Fd) {
    return this.call('fstat', [fd], () => {
      const e = this.fd(fd, 'fstat', [fd]);
      if (e.kind === 'file') return this.toStat(this.fs.get(e.path) ?? this.node('file', 0));
      return this.toStat(this.node(e.kind === 'socket' ? 'socket' : e.kind === 'pty' ? 'char' : 'fifo', 0o600));
    });
  }
  readdir(path: string): DirEntry[] {
    return this.call('readdir', [path], () => {
      const [p, n] = this.existing(path, 'readdir', [path]);
      if (n.type !== 'dir') throw this.err('ENOTDIR', 'readdir', [path]);
      const prefix = p === '/' ? '/' : p + '/';
      const out: DirEntry[] = [];
      for (const [k, v] of this.fs) if (k !== p && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) out.push({ name: k.slice(prefix.length), type: v.type });
      return out.sort((a, b) => a.name.localeCompare(b.name));
    });
  }
  mkdir(path: string, mode = 0o755) {
    this.call('mkdir', [path, mode], () => {
      const p = this.creatable(path, 'mkdir', [path, mode]);
      this.fs.set(p, this.node('dir', mode & ~this.umaskValue));
    });
  }
  rmdir(path: string) {
    this.call('rmdir', [path], () => {
      const [p, n] = this.existing(path, 'rmdir', [path], false);
      if (n.type !== 'dir') throw this.err('ENOTDIR', 'rmdir', [path]);
      if ([...this.fs.keys()].some((k) => k.startsWith(p + '/'))) throw this.err('ENOTEMPTY', 'rmdir', [path]);
      if (this.isMountPoint(p)) throw this.err('EBUSY', 'rmdir', [path]);
      this.fs.delete(p);
    });
  }
  unlink(path: string) {
    this.call('unlink', [path], () => {
      const [p, n] = this.existing(path, 'unlink', [path], false);
      if (n.type === 'dir') throw this.err('EISDIR', 'unlink', [path]);
      this.fs.delete(p);
    });
  }
  rename(from: string, to: string) {
    this.call('rename', [from, to], () => {
      const [f] = this.existing(from, 'rename', [from, to], false);
      const t = this.resolve(to);
      if (!this.fs.has(parentOf(t))) throw this.err('ENOENT', 'rename', [from, to]);
      for (const [k, v] of [...this.fs]) {
        if (k === f || k.startsWith(f + '/')) {
          this.fs.delete(k);
          this.fs.set(t + k.slice(f.length), v);
        }
      }
    });
  }
  symlink(target: string, path: string) {
    this.call('symlink', [target, path], () => {
      const p = this.creatable(path, 'symlink', [target, path]);
      this.fs.set(p, { ...this.node('symlink', 0o777), target });
    });
  }
  readlink(path: string) {
    return this.call('readlink', [path], () => {
      const [, n] = this.existing(path, 'readlink', [path], false);
      if (n.type !== 'symlink') throw this.err('EINVAL', 'readlink', [path]);
      return n.target ?? '';
    });
  }
  link(existing: string, path: string) {
    this.call('link', [existing, path], () => {
      const [, n] = this.existing(existing, 'link', [existing, path], false);
      if (n.type === 'dir') throw this.err('EPERM', 'link', [existing, path]);
      this.fs.set(this.creatable(path, 'link', [existing, path]), n);
    });
  }
  mknod(path: string, mode: number, dev = 0) {
    this.call('mknod', [path, mode, dev], () => {
      const fmt = mode & S_IFMT;
      const type = fmt === S_IFCHR ? 'char' : fmt === S_IFBLK ? 'block' : fmt === S_IFIFO ? 'fifo' : fmt === S_IFSOCK ? 'socket' : fmt === 0 || fmt === S_IFREG ? 'file' : null;
      if (!type) throw this.err('EINVAL', 'mknod', [path, mode, dev]);
      if ((type === 'char' || type === 'block') && this.euid !== 0) throw this.err('EPERM', 'mknod', [path, mode, dev]);
      const p = this.creatable(path, 'mknod', [path, mode, dev]);
      this.fs.set(p, { ...this.node(type, mode & 0o7777 & ~this.umaskValue), rdev: dev });
    });
  }
  chmod(path: string, mode: number) {
    this.call('chmod', [path, mode], () => {
      const [, n] = this.existing(path, 'chmod', [path, mode]);
      if (this.euid !== 0 && this.euid !== n.uid) throw this.err('EPERM', 'chmod', [path, mode]);
      n.perm = mode & 0o7777;
    });
  }
  chown(path: string, uid: number, gid: number) {
    this.call('chown', [path, uid, gid], () => {
      const [, n] = this.existing(path, 'chown', [path, uid, gid]);
      this.requireRoot('chown', [path, uid, gid]);
      if (uid !== -1) n.uid = uid;
      if (gid !== -1) n.gid = gid;
    });
  }
  lchown(path: string, uid: number, gid: number) {
    this.call('lchown', [path, uid, gid], () => {
      const [, n] = this.existing(path, 'lchown', [path, uid, gid], false);
      this.requireRoot('lchown', [path, uid, gid]);
      if (uid !== -1) n.uid = uid;
      if (gid !== -1) n.gid = gid;
    });
  }
  utimes(path: string, atimeMs: number, mtimeMs: number, noFollow = false) {
    this.call('utimes', [path, atimeMs, mtimeMs, noFollow], () => {
      this.existing(path, 'utimes', [path], !noFollow)[1].mtimeMs = mtimeMs;
    });
  }
  lgetxattr(path: string, name: string): Uint8Array | null {
    return this.call('lgetxattr', [path, name], () => this.existing(path, 'lgetxattr', [path, name], false)[1].xattrs?.get(name) ?? null);
  }
  lsetxattr(path: string, name: string, value: Uint8Array | string) {
    this.call('lsetxattr', [path, name, value], () => {
      const [, n] = this.existing(path, 'lsetxattr', [path, name], false);
      if (name.startsWith('trusted.') && this.euid !== 0) throw this.err('EPERM', 'lsetxattr', [path, name]);
      (n.xattrs ??= new Map()).set(name, typeof value === 'string' ? encodeUtf8(value) : value.slice());
    });
  }
  llistxattr(path: string): string[] {
    return this.call('llistxattr', [path], () => [...(this.existing(path, 'llistxattr', [path], false)[1].xattrs?.keys() ?? [])]);
  }
  /**
   * The JavaScript reference writer (util/layertar.ts) over the fake tree; the blob is gzip with
   * stored blocks, so its digest differs from the C's zlib output while the diff_id is the same.
   */
  writeLayer(dir: string, outPath: string, opts: { level?: number; copyTo?: string } = {}): LayerDigests {
    return this.call('writeLayer', [dir, outPath, opts], () => {
      const [src] = this.existing(dir, 'writeLayer', [dir], true);
      const { blob, digests } = layerBlobJs(this.quiet(), dir);
      this.quiet().writeFile(outPath, blob, 0o644);
      if (opts.copyTo !== undefined) {
        const to = this.creatable(opts.copyTo, 'writeLayer', [dir, opts.copyTo]);
        // a copy of every node; hard links stay shared between their names
        const clones = new Map<FakeNode, FakeNode>();
        for (const [p, n] of [...this.fs]) {
          if (p !== src && !p.startsWith(`${src}/`)) continue;
          let c = clones.get(n);
          if (!c) {
            c = { ...n, data: n.data.slice(), ino: this.nextIno++, ...(n.xattrs ? { xattrs: new Map(n.xattrs) } : {}) };
            clones.set(n, c);
          }
          this.fs.set(to + p.slice(src.length), c);
        }
      }
      return digests;
    });
  }
  sha256File(path: string): string {
    return this.call('sha256File', [path], () => sha256Hex(this.quiet().readFile(path)));
  }

  /** This fake without recording (a composite call records itself once, not its parts). */
  private quiet(): FakeSyscalls {
    const calls = this.calls;
    return new Proxy(this, {
      get: (t, k, r) => {
        const v = Reflect.get(t, k, r) as unknown;
        if (typeof v !== 'function' || k === 'call') return v;
        return (...args: unknown[]) => {
          const before = calls.length;
          const out = (v as (...a: unknown[]) => unknown).apply(t, args);
          calls.splice(before);
          return out;
        };
      },
    });
  }

  // ---- descriptors ----

  pipe(flags = 0): [Fd, Fd] {
    return this.call('pipe', [flags], () => {
      const buf = { data: [] as number[], writers: 1 };
      return [this.newFd({ kind: 'pipe-r', buf }), this.newFd({ kind: 'pipe-w', buf })];
    });
  }
  dup(fd: Fd) {
    return this.call('dup', [fd], () => {
      const e = this.fd(fd, 'dup', [fd]);
      if (e.kind === 'pipe-w') e.buf.writers++;
      return this.newFd(e);
    });
  }
  dup2(from: Fd, to: Fd) {
    return this.call('dup2', [from, to], () => {
      const e = this.fd(from, 'dup2', [from, to]);
      if (from === to) return to;
      const old = this.fds.get(to);
      if (old?.kind === 'pipe-w') old.buf.writers--;
      if (e.kind === 'pipe-w') e.buf.writers++;
      this.fds.set(to, e);
      return to;
    });
  }
  fcntl(fd: Fd, cmd: number, arg = 0) {
    return this.call('fcntl', [fd, cmd, arg], () => {
      const e = this.fd(fd, 'fcntl', [fd, cmd, arg]);
      // F_DUPFD and F_DUPFD_CLOEXEC: a copy at the lowest free descriptor from arg on
      if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC) {
        if (e.kind === 'pipe-w') e.buf.writers++;
        return this.newFd(e, arg);
      }
      return 0;
    });
  }

  // ---- sockets ----

  socket(domain: number, type: number, protocol = 0) {
    return this.call('socket', [domain, type, protocol], () => this.newFd({ kind: 'socket', domain, type, listening: false, inbox: [] }));
  }
  socketpair(domain: number, type: number, protocol = 0): [Fd, Fd] {
    return this.call('socketpair', [domain, type, protocol], () => {
      const a: FdEntry & { kind: 'socket' } = { kind: 'socket', domain, type, listening: false, inbox: [] };
      const b: FdEntry & { kind: 'socket' } = { kind: 'socket', domain, type, listening: false, inbox: [] };
      a.peer = b.inbox;
      b.peer = a.inbox;
      return [this.newFd(a), this.newFd(b)];
    });
  }
  private sock(fd: Fd, name: keyof Syscalls, args: unknown[]) {
    const e = this.fd(fd, name, args);
    if (e.kind !== 'socket') throw this.err('ENOTSOCK', name, args);
    return e;
  }
  bind(fd: Fd, addr: SockAddr) {
    this.call('bind', [fd, addr], () => {
      const s = this.sock(fd, 'bind', [fd, addr]);
      if (addr.family === 'unix' && !addr.path.startsWith('\0')) {
        const p = this.creatable(addr.path, 'bind', [fd, addr]);
        this.fs.set(p, this.node('socket', 0o755 & ~this.umaskValue));
      }
      s.bound = addr;
    });
  }
  listen(fd: Fd, backlog = 128) {
    this.call('listen', [fd, backlog], () => {
      this.sock(fd, 'listen', [fd, backlog]).listening = true;
    });
  }
  accept(fd: Fd, flags = 0): Fd {
    return this.call('accept', [fd, flags], () => {
      const s = this.sock(fd, 'accept', [fd, flags]);
      if (!s.listening) throw this.err('EINVAL', 'accept', [fd, flags]);
      throw this.err('EAGAIN', 'accept', [fd, flags]);
    });
  }
  connect(fd: Fd, addr: SockAddr) {
    this.call('connect', [fd, addr], () => {
      const s = this.sock(fd, 'connect', [fd, addr]);
      if (addr.family === 'unix' && !addr.path.startsWith('\0')) {
        const n = this.fs.get(this.resolve(addr.path));
        if (!n) throw this.err('ENOENT', 'connect', [fd, addr]);
        if (n.type !== 'socket') throw this.err('ECONNREFUSED', 'connect', [fd, addr]);
      }
      s.connectedTo = addr;
    });
  }
  shutdown(fd: Fd, how: number) { this.call('shutdown', [fd, how], () => void this.sock(fd, 'shutdown', [fd, how])); }
  // descriptors do not travel through fake sockets: a send is checked and recorded
  sendFd(sock: Fd, fd: Fd, name: string) {
    this.call('sendFd', [sock, fd, name], () => {
      this.sock(sock, 'sendFd', [sock, fd, name]);
      this.fd(fd, 'sendFd', [sock, fd, name]);
    });
  }

  sendTo(fd: Fd, data: Uint8Array, to: SockAddr & { family: 'inet' }): number {
    return this.call('sendTo', [fd, data.length, to], () => {
      this.sock(fd, 'sendTo', [fd, data.length, to]);
      this.sentDatagrams.push({ data: data.slice(), peer: to });
      return data.length;
    });
  }
  recvFrom(fd: Fd, buf: Uint8Array): { count: number; from: SockAddr & { family: 'inet' } } {
    return this.call('recvFrom', [fd, buf.length], () => {
      const d = this.sock(fd, 'recvFrom', [fd, buf.length]).datagrams?.shift();
      if (!d) throw this.err('EAGAIN', 'recvFrom', [fd, buf.length]);
      // As the kernel: a datagram longer than the buffer is cut.
      const count = Math.min(d.data.length, buf.length);
      buf.set(d.data.subarray(0, count));
      return { count, from: d.peer };
    });
  }

  setsockopt(fd: Fd, level: number, name: number, value: number) {
    this.call('setsockopt', [fd, level, name, value], () => void this.sock(fd, 'setsockopt', [fd, level, name, value]));
  }
  poll(fds: PollFd[], timeoutMs: number): number[] {
    return this.call('poll', [fds, timeoutMs], () =>
      fds.map(({ fd, events }) => {
        const e = this.fds.get(fd);
        if (!e) return 0x20; // POLLNVAL
        const readable = e.kind === 'file' || (e.kind === 'pipe-r' && (e.buf.data.length > 0 || e.buf.writers === 0)) || (e.kind === 'socket' && (e.inbox.length > 0 || (e.datagrams?.length ?? 0) > 0));
        const writable = e.kind !== 'pipe-r';
        return (readable ? events & POLLIN : 0) | (writable ? events & POLLOUT : 0);
      }),
    );
  }

  // ---- terminals ----

  openpty(devDir = '/dev'): Pty {
    return this.call('openpty', devDir === '/dev' ? [] : [devDir], () => {
      const index = this.nextPty++;
      const path = `${devDir}/pts/${index}`;
      const size = { rows: 24, cols: 80 };
      this.fs.set(path, { ...this.node('char', 0o620), rdev: (136 << 8) | index });
      return { master: this.newFd({ kind: 'pty', path, master: true, size }), slave: this.newFd({ kind: 'pty', path, master: false, size }), path, index };
    });
  }
  private pty(fd: Fd, name: keyof Syscalls, args: unknown[]) {
    const e = this.fd(fd, name, args);
    if (e.kind !== 'pty') throw this.err('ENOTTY', name, args);
    return e;
  }
  getWinsize(fd: Fd): Winsize { return this.call('getWinsize', [fd], () => ({ ...this.pty(fd, 'getWinsize', [fd]).size })); }
  setWinsize(fd: Fd, size: Winsize) {
    this.call('setWinsize', [fd, size], () => {
      Object.assign(this.pty(fd, 'setWinsize', [fd, size]).size, size);
    });
  }
  setControllingTty(fd: Fd) {
    this.call('setControllingTty', [fd], () => {
      const e = this.pty(fd, 'setControllingTty', [fd]);
      if (!this.sessionLeader) throw this.err('EPERM', 'setControllingTty', [fd]);
      this.controllingTty = e.path;
    });
  }
  isatty(fd: Fd) { return this.call('isatty', [fd], () => this.fds.get(fd)?.kind === 'pty'); }
  /** Terminal settings per pty path; a new pty starts cooked (echo, canonical, signals). */
  readonly termios = new Map<string, Termios>();
  tcgetattr(fd: Fd): Termios {
    return this.call('tcgetattr', [fd], () => {
      const e = this.pty(fd, 'tcgetattr', [fd]);
      const t = this.termios.get(e.path) ?? { iflag: 0o2400, oflag: 0o5, cflag: 0o277, lflag: 0o105073, line: 0, cc: [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0] };
      return { ...t, cc: [...t.cc] };
    });
  }
  tcsetattr(fd: Fd, t: Termios, drain = false) {
    this.call('tcsetattr', [fd, t, drain], () => {
      const e = this.pty(fd, 'tcsetattr', [fd, t, drain]);
      this.termios.set(e.path, { ...t, cc: [...t.cc] });
    });
  }

  // ---- environment ----

  environ() { return this.call('environ', [], () => [...this.env]); }
  getenv(name: string) {
    return this.call('getenv', [name], () => this.env.find((e) => e.startsWith(name + '='))?.slice(name.length + 1));
  }
  collectCycles() { this.call('collectCycles', [], () => undefined); }
  /** Deterministic "random" bytes, so IDs in tests are stable. */
  randomBytes(n: number) {
    return this.call('randomBytes', [n], () => Uint8Array.from({ length: n }, (_, i) => (i * 37 + this.calls.length * 11) & 0xff));
  }
  monotonicMs() { return this.call('monotonicMs', [], () => this.clockMs); }

  // ---- waiting ----

  watch(fd: Fd, on: 'read' | 'write', fn: (() => void) | null) {
    this.call('watch', [fd, on], () => {
      if (fn) this.watches.set(`${on}:${fd}`, fn);
      else this.watches.delete(`${on}:${fd}`);
    });
  }
  onSignal(signal: number, fn: (() => void) | null) {
    this.call('onSignal', [signal], () => {
      this.ignoredSignals.delete(signal);
      if (fn) this.signalHandlers.set(signal, fn);
      else this.signalHandlers.delete(signal);
    });
  }
  resetSignals() {
    this.call('resetSignals', [], () => {
      this.signalHandlers.clear();
      this.ignoredSignals.clear();
    });
  }
  ignoreSignal(signal: number) {
    this.call('ignoreSignal', [signal], () => {
      this.signalHandlers.delete(signal);
      this.ignoredSignals.add(signal);
    });
  }
  /** Advances the fake clock at once (tests never wait). */
  sleep(ms: number) {
    return this.call('sleep', [ms], () => {
      this.advance(ms);
      return Promise.resolve();
    });
  }
  setTimer(ms: number, fn: () => void) {
    return this.call('setTimer', [ms], () => {
      const id = this.nextTimer++;
      this.timers.push({ at: this.clockMs + ms, fn, id });
      return id;
    });
  }
  clearTimer(handle: unknown) {
    this.call('clearTimer', [handle], () => {
      this.timers = this.timers.filter((t) => t.id !== handle);
    });
  }
}

/** The call text a SyscallError from the fake would carry (handy in assertions). */
export { callText };
