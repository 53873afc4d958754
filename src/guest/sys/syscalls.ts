// The system-call surface the guest runtime (cli, daemon, shim, runc, compose, init) is written
// against. Two implementations: real.ts (QuickJS + the thin C module, inside the guest or natively
// on an i386-capable host) and fake.ts (a recording fake for Node unit tests).
//
// Rules every implementation follows:
// - A failed call throws SyscallError (errno name + number + the call as text); nothing returns -1.
// - Paths are strings, binary data is Uint8Array, flags are the Linux i386 numbers from
//   constants.ts, so logic reads like the C it mirrors (`sys.mount("proc", "/proc", "proc", 0)`).
// - Calls are synchronous, as the kernel's are. Only waiting (readiness, signals, timers) is async.

export { SyscallError } from './errors.ts';
import type { Termios } from './termios.ts';
export type { Termios } from './termios.ts';

export type Fd = number;

/** What committing a layer yields (digests as "sha256:<hex>", sizes in bytes). */
export interface LayerDigests {
  /** sha256 of the compressed blob: the layer's digest in a manifest. */
  digest: string;
  /** sha256 of the uncompressed tar: the layer's diff_id in an image config. */
  diffId: string;
  /** Bytes of the compressed blob. */
  size: number;
  /** Bytes of the uncompressed tar. */
  diffSize: number;
  /** Sizes of everything but directories, per name: the layer's size as Docker shows it (du -sb). */
  contentSize: number;
}

/** A socket address: a unix path (abstract when it starts with "\0") or IPv4 host and port. */
export type SockAddr =
  | { family: 'unix'; path: string }
  | { family: 'inet'; host: string; port: number };

export interface Stat {
  dev: number;
  ino: number;
  /** File type and permission bits (S_IFMT | 0o7777). */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** Device number for character and block devices. */
  rdev: number;
  size: number;
  mtimeMs: number;
}

export interface DirEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket' | 'unknown';
}

/** What waitpid reported, decoded (see decodeWaitStatus in wait.ts for the raw form). */
export type WaitResult =
  | { pid: number; kind: 'exited'; code: number }
  | { pid: number; kind: 'signaled'; signal: number; coreDumped: boolean }
  | { pid: number; kind: 'stopped'; signal: number }
  | { pid: number; kind: 'continued' };

/** Capability sets as 64-bit masks (bit N = capability N, see CAP_* in constants.ts). */
export interface CapSets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

export interface Winsize {
  rows: number;
  cols: number;
}

export interface Pty {
  master: Fd;
  slave: Fd;
  /** e.g. /dev/pts/3 (under the devDir given to openpty) */
  path: string;
  /** The pty's number in its devpts instance: the slave is pts/N there. */
  index: number;
}

export interface PollFd {
  fd: Fd;
  /** POLLIN | POLLOUT ... */
  events: number;
}

export interface Syscalls {
  // ---- process ----
  getpid(): number;
  getppid(): number;
  getuid(): number;
  geteuid(): number;
  getgid(): number;
  getegid(): number;
  /**
   * fork(2) when flags is 0, else clone(2) with those flags (CLONE_NEW*, no new stack: the child
   * continues here like fork). Returns 0 in the child and the child's pid in the parent. Stdout
   * is flushed first so buffered output is not written twice.
   */
  fork(flags?: number): number;
  unshare(flags: number): void;
  /** Sets one of this process's resource limits (RLIMIT_*; 2^64-1 = unlimited). */
  setrlimit(resource: number, soft: number, hard: number): void;
  /** Joins the namespace open at fd (e.g. /proc/PID/ns/net); nstype 0 = any. */
  setns(fd: Fd, nstype: number): void;
  /** Replaces the process; returns only by throwing. argv[0] is the program name shown by ps. */
  execve(path: string, argv: string[], env: string[]): never;
  /**
   * Runs path as a new child process without copying this one (posix_spawn), after dup2 of each
   * [target, source] pair in fds (the target loses close-on-exec); signals this process ignores
   * start at their default. Returns the child's pid; throws when path cannot be run. For a
   * daemon that starts programs: fork() copies its whole heap copy-on-write.
   */
  spawn(path: string, argv: string[], env: string[], fds: readonly (readonly [target: Fd, source: Fd])[]): number;
  /**
   * Makes args what /proc/self/cmdline (and so ps) shows for this process (prctl PR_SET_MM, which
   * needs CAP_SYS_RESOURCE). For a process put to a new use after it started.
   */
  setCmdline(args: string[]): void;
  /** _exit(2): ends at once, no handlers run (use in a forked child). */
  exit(code: number): never;
  /** pid -1 = any child. options: WNOHANG | WUNTRACED | __WALL. null when WNOHANG and none ready. */
  waitpid(pid: number, options?: number): WaitResult | null;
  kill(pid: number, signal: number): void;
  setsid(): number;
  setpgid(pid: number, pgid: number): void;
  /** prctl(2) with numeric arguments; returns the call's non-negative result. */
  prctl(option: number, arg2?: number, arg3?: number, arg4?: number, arg5?: number): number;

  // ---- credentials ----
  setuid(uid: number): void;
  setgid(gid: number): void;
  setgroups(gids: number[]): void;
  capget(pid?: number): CapSets;
  capset(caps: CapSets): void;

  // ---- namespaces, mounts, identity ----
  mount(source: string | null, target: string, fstype: string | null, flags: number, data?: string | null): void;
  umount2(target: string, flags?: number): void;
  pivotRoot(newRoot: string, putOld: string): void;
  chroot(path: string): void;
  chdir(path: string): void;
  getcwd(): string;
  sethostname(name: string): void;
  gethostname(): string;
  umask(mask: number): number;

  // ---- files ----
  open(path: string, flags: number, mode?: number): Fd;
  close(fd: Fd): void;
  /** Reads up to buf.length bytes into buf; returns the count (0 = end of file). */
  read(fd: Fd, buf: Uint8Array): number;
  /** Writes once; returns the count written (may be short on pipes and sockets). */
  write(fd: Fd, data: Uint8Array | string): number;
  /** Reads the whole file (works for /proc and /sys, which report size 0). */
  readFile(path: string): Uint8Array;
  /** Creates or truncates, then writes everything. */
  writeFile(path: string, data: Uint8Array | string, mode?: number): void;
  stat(path: string): Stat;
  lstat(path: string): Stat;
  /**
   * stat/lstat that return null when nothing is at path (ENOENT, ENOTDIR) instead of throwing:
   * a thrown error is slow to build in QuickJS on the guest's emulated CPU, and "is it there?"
   * is asked often (path walks, mkdir -p, $PATH lookups, masked paths). Other errors throw.
   */
  statOrNull(path: string): Stat | null;
  lstatOrNull(path: string): Stat | null;
  fstat(fd: Fd): Stat;
  readdir(path: string): DirEntry[];
  mkdir(path: string, mode?: number): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  link(existing: string, path: string): void;
  mknod(path: string, mode: number, dev?: number): void;
  chmod(path: string, mode: number): void;
  chown(path: string, uid: number, gid: number): void;
  lchown(path: string, uid: number, gid: number): void;
  /** Sets access and modification times (ms since the epoch); on the link itself when noFollow. */
  utimes(path: string, atimeMs: number, mtimeMs: number, noFollow?: boolean): void;
  /** An extended attribute of path itself (not a symlink's target); null when it has none by that name. */
  lgetxattr(path: string, name: string): Uint8Array | null;
  lsetxattr(path: string, name: string, value: Uint8Array | string): void;
  /** Names of path's extended attributes (empty where the filesystem has none). */
  llistxattr(path: string): string[];

  // ---- layers and digests (C in the runtime: QuickJS is too slow for this byte work) ----
  /**
   * Commits the overlayfs upper directory `dir` as an OCI layer: writes the gzip-compressed tar to
   * outPath (whiteouts and opaque dirs in Docker's .wh. form) and returns its digests and sizes,
   * all from one read of the tree. With copyTo (a path that must not exist), the tree is also
   * recreated there as overlayfs reads it, ready to be a lower dir. level: zlib's 1 (fast) to 9.
   */
  writeLayer(dir: string, outPath: string, opts?: { level?: number; copyTo?: string }): LayerDigests;
  /** sha256 of a file's content, as 64 hex digits. */
  sha256File(path: string): string;

  // ---- descriptors ----
  pipe(flags?: number): [read: Fd, write: Fd];
  dup(fd: Fd): Fd;
  dup2(from: Fd, to: Fd): Fd;
  /** fcntl(2) with an integer argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD). */
  fcntl(fd: Fd, cmd: number, arg?: number): number;

  // ---- sockets ----
  socket(domain: number, type: number, protocol?: number): Fd;
  socketpair(domain: number, type: number, protocol?: number): [Fd, Fd];
  bind(fd: Fd, addr: SockAddr): void;
  listen(fd: Fd, backlog?: number): void;
  accept(fd: Fd, flags?: number): Fd;
  connect(fd: Fd, addr: SockAddr): void;
  shutdown(fd: Fd, how: number): void;
  /** Passes fd over a unix socket (SCM_RIGHTS) with name as the message, as runc's console socket. */
  sendFd(sock: Fd, fd: Fd, name: string): void;
  setsockopt(fd: Fd, level: number, name: number, value: number): void;
  /** sendto(2) of one datagram (UDP) to an IPv4 address; returns the count sent. */
  sendTo(fd: Fd, data: Uint8Array, to: SockAddr & { family: 'inet' }): number;
  /** recvfrom(2) of one datagram into buf: its length and the IPv4 sender (EAGAIN when none). */
  recvFrom(fd: Fd, buf: Uint8Array): { count: number; from: SockAddr & { family: 'inet' } };
  /** Returns revents per entry, in order. timeoutMs -1 waits forever. */
  poll(fds: PollFd[], timeoutMs: number): number[];

  // ---- terminals ----
  /**
   * Opens DEVDIR/ptmx, unlocks it and opens the slave DEVDIR/pts/N (both O_NOCTTY, O_CLOEXEC).
   * devDir defaults to /dev; /proc/PID/root/dev gives a pty of that container's own devpts.
   */
  openpty(devDir?: string): Pty;
  getWinsize(fd: Fd): Winsize;
  setWinsize(fd: Fd, size: Winsize): void;
  /** TIOCSCTTY: makes fd the controlling terminal of this (session leader) process. */
  setControllingTty(fd: Fd): void;
  isatty(fd: Fd): boolean;
  /** TCGETS. */
  tcgetattr(fd: Fd): Termios;
  /** TCSETS, or TCSETSW when drain (after pending output is written). */
  tcsetattr(fd: Fd, t: Termios, drain?: boolean): void;

  // ---- environment ----
  /** The process environment as NAME=value strings. */
  environ(): string[];
  getenv(name: string): string | undefined;
  /**
   * Collects garbage cycles now. The runtime's first collection waits for 4 MiB allocated (so
   * short-lived roles never pay for one); a long-lived role calls this once it is set up, so the
   * cycles its start-up left do not stay in its memory (and in every snapshot of the guest).
   */
  collectCycles(): void;
  randomBytes(n: number): Uint8Array;
  /** Monotonic clock in milliseconds. */
  monotonicMs(): number;

  // ---- waiting (the only async part; the real one runs on QuickJS's event loop) ----
  /** Calls fn whenever fd is readable (or writable); pass null to stop watching. */
  watch(fd: Fd, on: 'read' | 'write', fn: (() => void) | null): void;
  /** Calls fn on each delivery of signal (e.g. SIGCHLD); null restores the default. */
  onSignal(signal: number, fn: (() => void) | null): void;
  /**
   * Ignores a signal (main ignores SIGPIPE, so a write to a closed socket is an EPIPE error rather
   * than the end of the engine). execve restores the default first: ignoring survives exec.
   */
  ignoreSignal(signal: number): void;
  /**
   * Every catchable signal back to its default action, including ignores inherited from our own
   * parent (a daemon started in the background by a script ignores SIGINT and SIGQUIT, and
   * ignoring survives exec): what a container's process must start with.
   */
  resetSignals(): void;
  sleep(ms: number): Promise<void>;
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}
