// Types for the modules the QuickJS binary provides: QuickJS's own `std` and `os` (only the parts
// the runtime uses) and the project's `wbnative` (src/guest/native/wbnative.c).

declare module 'std' {
  interface QjsFile {
    puts(s: string): void;
    write(buf: ArrayBuffer, position: number, length: number): number;
    flush(): void;
  }
  export const out: QjsFile;
  export const err: QjsFile;
  export function exit(code: number): never;
  export function getenv(name: string): string | undefined;
  export function getenviron(): Record<string, string>;
  /** Runs the cycle collector now. */
  export function gc(): void;
}

declare module 'os' {
  export function now(): number;
  export function setReadHandler(fd: number, fn: (() => void) | null): void;
  export function setWriteHandler(fd: number, fn: (() => void) | null): void;
  export function signal(sig: number, fn: (() => void) | null | undefined): void;
  export function setTimeout(fn: () => void, ms: number): unknown;
  export function clearTimeout(handle: unknown): void;
  export function sleepAsync(ms: number): Promise<void>;
  export function isatty(fd: number): boolean;
}

/** Raw calls: each returns its result or -errno; array results carry that in element 0. */
declare module 'wbnative' {
  type Ret = number;
  /** fork(), or clone(flags | SIGCHLD) without a new stack when flags != 0 (qemu-user rejects CLONE_NEW*). */
  export function fork(flags: number): Ret;
  export function unshare(flags: number): Ret;
  /** prlimit64(0, resource, {soft, hard}); limits of 2^64-1 (or negative) mean unlimited. */
  export function setrlimit(resource: number, soft: number, hard: number): Ret;
  export function setns(fd: number, nstype: number): Ret;
  export function execve(path: string, argv: string[], env: string[]): Ret;
  /** posix_spawn: dups is [target, source, ...] (dup2 in the child), sigdefault the signals reset to default. */
  /** prctl(PR_SET_MM, ARG_START/ARG_END) over a copy of args: what ps shows. */
  export function setCmdline(args: string[]): Ret;
  export function spawn(path: string, argv: string[], env: string[], dups: number[], sigdefault: number[]): Ret;
  export function exit(code: number): never;
  /** [pid or -errno, raw status] */
  export function waitpid(pid: number, options: number): [number, number];
  export function kill(pid: number, sig: number): Ret;
  export function getpid(): Ret;
  export function getppid(): Ret;
  export function getuid(): Ret;
  export function geteuid(): Ret;
  export function getgid(): Ret;
  export function getegid(): Ret;
  export function setsid(): Ret;
  export function setpgid(pid: number, pgid: number): Ret;
  export function prctl(option: number, a2: number, a3: number, a4: number, a5: number): Ret;
  export function setuid(uid: number): Ret;
  export function setgid(gid: number): Ret;
  export function setgroups(gids: number[]): Ret;
  /** [0 or -errno, eff_lo, perm_lo, inh_lo, eff_hi, perm_hi, inh_hi] */
  export function capget(pid: number): number[];
  export function capset(effLo: number, permLo: number, inhLo: number, effHi: number, permHi: number, inhHi: number): Ret;
  export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): Ret;
  export function umount2(target: string, flags: number): Ret;
  export function pivot_root(newRoot: string, putOld: string): Ret;
  export function chroot(path: string): Ret;
  export function chdir(path: string): Ret;
  export function getcwd(): string | number;
  export function sethostname(name: string): Ret;
  export function gethostname(): string | number;
  export function umask(mask: number): number;
  export function open(path: string, flags: number, mode: number): Ret;
  export function close(fd: number): Ret;
  export function read(fd: number, buf: ArrayBuffer, offset: number, length: number): Ret;
  export function write(fd: number, buf: ArrayBuffer, offset: number, length: number): Ret;
  /** [0 or -errno, dev, ino, mode, nlink, uid, gid, rdev, size, mtimeMs] */
  export function stat(path: string, noFollow: boolean): number[];
  export function fstat(fd: number): number[];
  /** -errno, or [0, name, d_type, name, d_type, ...] */
  export function readdir(path: string): number | (string | number)[];
  export function mkdir(path: string, mode: number): Ret;
  export function rmdir(path: string): Ret;
  export function unlink(path: string): Ret;
  export function rename(from: string, to: string): Ret;
  export function symlink(target: string, path: string): Ret;
  export function readlink(path: string): string | number;
  export function link(existing: string, path: string): Ret;
  export function mknod(path: string, mode: number, dev: number): Ret;
  export function chmod(path: string, mode: number): Ret;
  export function chown(path: string, uid: number, gid: number): Ret;
  export function lchown(path: string, uid: number, gid: number): Ret;
  export function utimes(path: string, aSec: number, aNsec: number, mSec: number, mNsec: number, noFollow: boolean): Ret;
  /** [0 or -errno, read end, write end] */
  export function pipe(flags: number): [number, number, number];
  export function dup(fd: number): Ret;
  export function dup2(from: number, to: number): Ret;
  export function fcntl(fd: number, cmd: number, arg: number): Ret;
  export function socket(domain: number, type: number, protocol: number): Ret;
  export function socketpair(domain: number, type: number, protocol: number): [number, number, number];
  export function bind(fd: number, family: number, pathOrHost: string, port: number): Ret;
  export function connect(fd: number, family: number, pathOrHost: string, port: number): Ret;
  export function listen(fd: number, backlog: number): Ret;
  export function accept(fd: number, flags: number): Ret;
  export function shutdown(fd: number, how: number): Ret;
  /** sendmsg with fd in SCM_RIGHTS and name as the data */
  export function sendfd(sock: number, fd: number, name: string): Ret;
  export function setsockopt(fd: number, level: number, name: number, value: number): Ret;
  export function sendto(fd: number, family: number, host: string, port: number, buf: ArrayBuffer, off: number, len: number): Ret;
  /** [count, sender host, sender port], or -errno */
  export function recvfrom(fd: number, buf: ArrayBuffer, off: number, len: number): [number, string, number] | number;
  /** fdsAndEvents = [fd, events, fd, events...]; returns [count or -errno, revents...] */
  export function poll(fdsAndEvents: number[], timeoutMs: number): number[];
  /** [result or -errno, value after the call] */
  export function ioctl(fd: number, request: number, value: number, byPointer: boolean): [number, number];
  /** ioctl with a pointer to buf[offset, offset+length) (struct termios and the like). */
  export function ioctl_buf(fd: number, request: number, buf: ArrayBuffer, offset: number, length: number): Ret;
  /** [result or -errno, rows, cols] */
  export function winsize(fd: number, set: boolean, rows: number, cols: number): [number, number, number];
  /** UTF-8 bytes of s; lone surrogates become U+FFFD. */
  export function utf8_encode(s: string): ArrayBuffer;
  /** The string in buf[offset, offset+length), or null when those bytes are not well-formed UTF-8. */
  export function utf8_decode(buf: ArrayBuffer, offset: number, length: number): string | null;
  /** The attribute's value, or -errno (ENODATA: no such attribute). */
  export function lgetxattr(path: string, name: string): ArrayBuffer | number;
  export function lsetxattr(path: string, name: string, buf: ArrayBuffer, offset: number, length: number): Ret;
  /** -errno, or [0, name...] */
  export function llistxattr(path: string): number | (string | number)[];
  /** [0, digestHex, diffIdHex, size, diffSize, contentSize], or [-errno, path where it failed] (layer.c). */
  export function layer_write(dir: string, outPath: string, level: number, copyTo: string | null): (string | number)[];
  /** sha256 of buf[offset, offset+length) as hex. */
  export function sha256(buf: ArrayBuffer, offset: number, length: number): string;
  /** sha256 of a file's content as hex, or -errno. */
  export function sha256_file(path: string): string | number;
}
