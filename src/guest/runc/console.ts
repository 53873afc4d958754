// A container's terminal, made as runc makes it with a console socket: the pty comes from the
// container's own devpts instance (so the process sees /dev/pts/0, ttyname works, and `docker
// exec -t` gets /dev/pts/1...), its slave becomes the process's stdio and controlling terminal
// and is bind-mounted on /dev/console, and the master goes to whoever relays it (the shim).
//
// The init does not pass the master up itself (runc's init sends it over the console socket): the
// parent opens it through /proc/PID/root/dev/ptmx once the init has pivoted into its root, and
// tells the init the pty's number, so the init opens its slave by the name it has inside. The
// runc command line then hands the master on to --console-socket (SCM_RIGHTS), as runc does.

import type { Fd, Pty, Syscalls } from '../sys/syscalls.ts';
import { AF_UNIX, MS_BIND, O_CREAT, O_NOCTTY, O_RDWR, O_WRONLY, O_CLOEXEC, POLLIN, SOCK_CLOEXEC, SOCK_STREAM } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { readLine, readSome, writeAll } from '../sys/io.ts';
import { makeRaw } from '../sys/termios.ts';

/** A pty of the container whose init (or any process in its root) is pid. */
export function openContainerPty(sys: Syscalls, pid: number): Pty {
  try {
    return sys.openpty(`/proc/${pid}/root/dev`);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) throw new Error('the container has no /dev/ptmx (a terminal needs devpts mounted on /dev/pts)');
    throw e;
  }
}

/**
 * Gives the terminal to the process's user, as runc does with its stdio: a shell run with -u
 * may then change its modes and write to it by name.
 */
export function giveTerminal(sys: Syscalls, path: string, uid: number): void {
  const st = sys.stat(path);
  if (st.uid === uid) return;
  try {
    sys.chown(path, uid, st.gid);
  } catch (e) {
    // an owner not mapped in a user namespace, or a read-only /dev: leave it as it is
    if (!isErrno(e, 'EINVAL') && !isErrno(e, 'EPERM') && !isErrno(e, 'EROFS')) throw e;
  }
}

/**
 * In the container's init, after pivot_root: makes /dev/pts/N its stdin, stdout, stderr and
 * controlling terminal (the process must be a session leader), owned by the process's user,
 * and binds it on /dev/console.
 */
export function useConsole(sys: Syscalls, index: number, uid: number): void {
  const path = `/dev/pts/${index}`;
  giveTerminal(sys, path, uid);
  const slave = sys.open(path, O_RDWR | O_NOCTTY);
  for (const fd of [0, 1, 2]) if (slave !== fd) sys.dup2(slave, fd);
  if (slave > 2) sys.close(slave);
  try {
    sys.close(sys.open('/dev/console', O_CREAT | O_WRONLY | O_CLOEXEC, 0o600));
  } catch (e) {
    // already there (a device node the image shipped): the bind covers it
    if (!isErrno(e, 'EEXIST') && !isErrno(e, 'EACCES')) throw e;
  }
  sys.mount(path, '/dev/console', null, MS_BIND);
  sys.setControllingTty(0);
}

/** Hands a pty master to whoever listens on a console socket (runc --console-socket). */
export function sendConsole(sys: Syscalls, socketPath: string, master: Fd): void {
  const sock = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  try {
    sys.connect(sock, { family: 'unix', path: socketPath });
    sys.sendFd(sock, master, '/dev/ptmx');
  } catch (e) {
    throw new Error(`sending the console to ${socketPath}: ${(e as Error).message}`);
  } finally {
    sys.close(sock);
  }
}

/** Reads the pty number the parent sends (one line) on fd. */
export function readConsoleIndex(sys: Syscalls, fd: Fd): number {
  const text = readLine(sys, fd, 32).trim();
  const index = Number(text);
  if (!text || !Number.isInteger(index)) throw new Error('no console from the runtime');
  return index;
}

/**
 * `runc run` in the foreground with a terminal: relays our stdin to the container's pty and its
 * output to our stdout (our terminal raw meanwhile, as runc does), keeping the pty's size that of
 * ours, until the container's side of the pty is closed by all its processes.
 */
export function relayTerminal(sys: Syscalls, master: Fd): void {
  let restore: (() => void) | null = null;
  if (sys.isatty(0)) {
    try {
      const saved = sys.tcgetattr(0);
      sys.tcsetattr(0, makeRaw(saved));
      restore = () => sys.tcsetattr(0, saved, true);
    } catch {
      // not a terminal we may change
    }
  }
  let size = '';
  const syncSize = (): void => {
    // no signal handlers run in this blocking loop: the size is compared at every wake-up
    try {
      const ws = sys.getWinsize(0);
      const now = `${ws.rows}x${ws.cols}`;
      if (now !== size && ws.rows > 0) sys.setWinsize(master, ws);
      size = now;
    } catch {
      // our stdin is no terminal
    }
  };
  const buf = new Uint8Array(65536);
  let stdinOpen = true;
  try {
    for (;;) {
      syncSize();
      const fds = stdinOpen ? [{ fd: master, events: POLLIN }, { fd: 0, events: POLLIN }] : [{ fd: master, events: POLLIN }];
      const ready = sys.poll(fds, 250);
      if (ready[0]) {
        const n = readSome(sys, master, buf);
        if (n === 0) break;
        if (n) writeAll(sys, 1, buf.subarray(0, n));
      }
      if (stdinOpen && ready[1]) {
        const n = readSome(sys, 0, buf);
        if (n === 0) stdinOpen = false;
        else if (n) writeAll(sys, master, buf.subarray(0, n));
      }
    }
  } finally {
    restore?.();
  }
}
