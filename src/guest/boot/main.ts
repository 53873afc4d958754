// whalebone boot: stage 2 of the guest's boot, run once by busybox init (inittab's sysinit) from
// the tmpfs root that stage 1 (/init) moved into place. It sets up the kernel filesystems, cgroup
// v2, the host's 9p share, loopback and the hostname, starts the VM driver's control agent on the
// second serial port (a forked child of this process), and leaves the hooks in
// /etc/whalebone/init.d (dockerd) to a background child that waits until the agent is up.
//
// It used to be a busybox sh script; each of its ~25 commands was a fork and exec, about a second
// and a half of a cold boot in the emulator. Here it is one process, and the learner's shell (which
// busybox init starts only once sysinit has ended) and the agent no longer wait for dockerd's start.

import type { Syscalls } from '../sys/syscalls.ts';
import {
  MS_NODEV, MS_NOEXEC, MS_NOSUID, O_APPEND, O_CLOEXEC, O_CREAT, O_NOCTTY, O_RDWR, O_WRONLY, POLLIN, S_IFMT, S_IFREG,
} from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { printErr, readText } from '../sys/io.ts';
import { makeRaw } from '../sys/termios.ts';
import { Rtnl } from '../net/netlink.ts';
import { serveControl } from '../agent/main.ts';
import { mkdirp } from '../util/fsutil.ts';
import { limitContainers } from './limits.ts';

export const BOOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const HOOKS_DIR = '/etc/whalebone/init.d';
export const AGENT_TTY = '/dev/ttyS1';
export const AGENT_LOG = '/var/log/control-agent.log';
export const AGENT_PIDFILE = '/var/run/control-agent.pid';
/** How long the hooks wait for the agent before they start anyway. */
export const HOOKS_WAIT_MS = 10_000;
const LO_INDEX = 1;

interface MountStep {
  source: string;
  target: string;
  fstype: string;
  flags: number;
  data?: string;
}

const NSD = MS_NOSUID | MS_NODEV;

/** The kernel filesystems, in mount order (/dev before the ones under it). */
export const KERNEL_MOUNTS: MountStep[] = [
  { source: 'proc', target: '/proc', fstype: 'proc', flags: NSD | MS_NOEXEC },
  { source: 'sysfs', target: '/sys', fstype: 'sysfs', flags: NSD | MS_NOEXEC },
  { source: 'devtmpfs', target: '/dev', fstype: 'devtmpfs', flags: MS_NOSUID },
  { source: 'devpts', target: '/dev/pts', fstype: 'devpts', flags: MS_NOSUID | MS_NOEXEC, data: 'gid=5,mode=0620,ptmxmode=0666' },
  { source: 'shm', target: '/dev/shm', fstype: 'tmpfs', flags: NSD, data: 'mode=1777' },
  { source: 'mqueue', target: '/dev/mqueue', fstype: 'mqueue', flags: NSD | MS_NOEXEC },
  // cgroup v2 only; nsdelegate makes cgroup namespaces a delegation boundary, as Docker expects.
  // favordynmods: without it every move into a cgroup (each container's init, each exec) waits
  // for an RCU grace period, ~10 ms in the emulator (measured 12 ms, and 2 ms with it); forks
  // and exits pay a little more instead
  { source: 'cgroup2', target: '/sys/fs/cgroup', fstype: 'cgroup2', flags: NSD | MS_NOEXEC, data: 'nsdelegate,favordynmods' },
];

export const DEV_LINKS: [link: string, target: string][] = [
  ['/dev/fd', '/proc/self/fd'],
  ['/dev/stdin', '/proc/self/fd/0'],
  ['/dev/stdout', '/proc/self/fd/1'],
  ['/dev/stderr', '/proc/self/fd/2'],
];

/** v86's virtio 9p device; the guest works without it. */
export const HOST_SHARE: MountStep = { source: 'host9p', target: '/mnt/host', fstype: '9p', flags: 0, data: 'trans=virtio,version=9p2000.L,cache=none' };

const say = (sys: Syscalls, text: string) => printErr(sys, `boot: ${text}\n`);

/** Not async: see shimMain on QuickJS and rejected promises. */
export function bootMain(_args: string[], sys: Syscalls): Promise<number> {
  const env = bootEnv(sys.environ());
  mountKernelFilesystems(sys);
  enableControllers(sys);
  try {
    limitContainers(sys);
  } catch (e) {
    say(sys, `no guest-wide limits for containers: ${(e as Error).message}`);
  }
  mountHostShare(sys);
  try {
    sys.rmdir('/newroot'); // the mount point stage 1 used
  } catch {
    // not there (stage 1 fell back to the initramfs root)
  }
  setHostname(sys);
  bringUpLoopback(sys);
  bringUpEth0(sys);
  for (const dir of ['/root/lab', '/var/log', '/var/run']) mkdirp(sys, dir);
  const tty = openAgentTty(sys);
  if (tty === null) {
    startHooks(sys, env, null, []);
    return Promise.resolve(0);
  }
  const [readyR, readyW] = sys.pipe(O_CLOEXEC);
  startHooks(sys, env, readyR, [tty, readyW]);
  const pid = sys.fork(0);
  if (pid === 0) {
    sys.close(readyR);
    return becomeAgent(sys, tty, readyW, env);
  }
  // the agent's command line is this one's (`whalebone boot`): the pid file names it
  sys.writeFile(AGENT_PIDFILE, `${pid}\n`);
  sys.close(tty);
  sys.close(readyW);
  sys.close(readyR);
  return Promise.resolve(0);
}

/** busybox init's environment with the guest's full PATH, as the agent and hooks expect. */
export function bootEnv(environ: string[]): string[] {
  return [...environ.filter((e) => !e.startsWith('PATH=')), `PATH=${BOOT_PATH}`];
}

export function mountKernelFilesystems(sys: Syscalls): void {
  for (const m of KERNEL_MOUNTS) {
    mkdirp(sys, m.target);
    try {
      sys.mount(m.source, m.target, m.fstype, m.flags, m.data ?? null);
    } catch (e) {
      // the kernel mounts devtmpfs itself when built with DEVTMPFS_MOUNT
      if (m.fstype === 'devtmpfs' && isErrno(e, 'EBUSY')) continue;
      say(sys, `cannot mount ${m.fstype} on ${m.target}: ${(e as Error).message}`);
    }
  }
  for (const [link, target] of DEV_LINKS) {
    try {
      sys.unlink(link);
    } catch {
      // not there yet
    }
    sys.symlink(target, link);
  }
}

/** Hands every controller the kernel has (cgroup.controllers) to child groups. */
export function enableControllers(sys: Syscalls): string[] {
  let available: string[];
  try {
    available = readText(sys, '/sys/fs/cgroup/cgroup.controllers').split(/\s+/).filter(Boolean);
  } catch (e) {
    say(sys, `no cgroup v2 controllers: ${(e as Error).message}`);
    return [];
  }
  const enabled: string[] = [];
  for (const c of available) {
    try {
      writeText(sys, '/sys/fs/cgroup/cgroup.subtree_control', `+${c}`);
      enabled.push(c);
    } catch (e) {
      say(sys, `cannot enable the ${c} controller: ${(e as Error).message}`);
    }
  }
  return enabled;
}

/**
 * Readahead for the share, in KiB. 9p turns it off under cache=none, so each page a program
 * faults in from a lazily pulled layer was one 9p round trip (nginx's start: 702 faults, 4 KiB
 * each). Mapped pages are all it changes: read() under cache=none still goes to the host as
 * asked. 32 KiB cut nginx's faults to 239 and its start by a fifth; 128 KiB read 2.5 times the
 * bytes and was no faster (the emulator pays per byte too).
 */
export const SHARE_READAHEAD_KB = 32;

export function mountHostShare(sys: Syscalls): boolean {
  try {
    sys.mount(HOST_SHARE.source, HOST_SHARE.target, HOST_SHARE.fstype, HOST_SHARE.flags, HOST_SHARE.data ?? null);
  } catch {
    say(sys, `no 9p share; ${HOST_SHARE.target} is empty`);
    return false;
  }
  setShareReadahead(sys);
  return true;
}

/** The share's backing device is /sys/class/bdi/9p-<n> (one per 9p mount; the share is the only one). */
export function setShareReadahead(sys: Syscalls): void {
  try {
    for (const e of sys.readdir('/sys/class/bdi')) {
      if (e.name.startsWith('9p-')) writeText(sys, `/sys/class/bdi/${e.name}/read_ahead_kb`, `${SHARE_READAHEAD_KB}`);
    }
  } catch (e) {
    say(sys, `no readahead on the 9p share: ${(e as Error).message}`);
  }
}

export function setHostname(sys: Syscalls): void {
  try {
    const name = readText(sys, '/etc/hostname').trim();
    if (name) sys.sethostname(name);
  } catch (e) {
    say(sys, `cannot set the hostname: ${(e as Error).message}`);
  }
}

export function bringUpLoopback(sys: Syscalls): void {
  try {
    const nl = Rtnl.open(sys);
    try {
      nl.linkUp(LO_INDEX);
    } finally {
      nl.close();
    }
  } catch (e) {
    say(sys, `cannot bring up lo: ${(e as Error).message}`);
  }
}

/**
 * The address v86's virtual network always offers over DHCP, set directly (no DHCP client
 * process): the page reaches the guest's published ports at GUEST_ADDRESS through it. No default
 * route: the emulator's network has nothing behind it, and the offline mirror has its own link.
 */
export const GUEST_ADDRESS = '192.168.86.100';
export const GUEST_PREFIX_LEN = 24;

export function bringUpEth0(sys: Syscalls): void {
  try {
    const nl = Rtnl.open(sys);
    try {
      const eth0 = nl.linkIndex('eth0');
      nl.linkUp(eth0);
      try {
        nl.addAddress(eth0, GUEST_ADDRESS, GUEST_PREFIX_LEN);
      } catch (e) {
        if (!isErrno(e, 'EEXIST')) throw e;
      }
    } finally {
      nl.close();
    }
  } catch (e) {
    say(sys, `cannot bring up eth0: ${(e as Error).message}`);
  }
}

/** The control tty, raw; null (with a message) when the guest has none. */
export function openAgentTty(sys: Syscalls): number | null {
  try {
    const tty = sys.open(AGENT_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC);
    sys.tcsetattr(tty, makeRaw(sys.tcgetattr(tty)));
    return tty;
  } catch (e) {
    say(sys, `no control tty ${AGENT_TTY}: ${(e as Error).message}; the VM driver cannot run commands`);
    return null;
  }
}

/**
 * The forked child that serves the VM driver: its own session, the control tty as stdin and
 * stdout, its log as stderr. It runs the agent in this process instead of exec'ing
 * `whalebone control-agent`, which would start QuickJS and load the runtime a second time.
 */
export function becomeAgent(sys: Syscalls, tty: number, readyW: number, env: string[]): Promise<number> {
  try {
    sys.setsid();
    const log = sys.open(AGENT_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644);
    sys.dup2(tty, 0);
    sys.dup2(tty, 1);
    sys.dup2(log, 2);
    sys.close(tty);
    sys.close(log);
  } catch (e) {
    say(sys, `cannot start the control agent: ${(e as Error).message}`);
    sys.exit(127);
  }
  return serveControl(sys, { readyFd: readyW, env });
}

/**
 * Runs the hooks in name order from a background child of their own session, once the agent is
 * ready: busybox init starts the learner's shell as soon as this process ends, and neither the
 * shell nor the agent then competes with dockerd's start for the emulated CPU.
 */
export function startHooks(sys: Syscalls, env: string[], ready: number | null, closeInChild: number[]): void {
  let hooks: string[];
  try {
    hooks = sys
      .readdir(HOOKS_DIR)
      .map((d) => d.name)
      .filter((n) => n !== 'README' && !n.startsWith('.'))
      .sort()
      .map((n) => `${HOOKS_DIR}/${n}`)
      .filter((p) => isExecutableFile(sys, p));
  } catch {
    hooks = [];
  }
  const pid = sys.fork(0);
  if (pid !== 0) return;
  try {
    // the agent's end of the pipe must be closed here, or its end of file never comes
    for (const fd of closeInChild) sys.close(fd);
    sys.setsid();
    if (ready !== null) {
      sys.poll([{ fd: ready, events: POLLIN }], HOOKS_WAIT_MS);
      sys.close(ready);
    }
    for (const hook of hooks) runHook(sys, hook, env);
  } catch (e) {
    say(sys, `hooks: ${(e as Error).message}`);
  }
  sys.exit(0);
}

function runHook(sys: Syscalls, hook: string, env: string[]): void {
  const pid = sys.fork(0);
  if (pid === 0) {
    try {
      sys.execve(hook, [hook], env);
    } catch (e) {
      say(sys, `cannot run ${hook}: ${(e as Error).message}`);
      sys.exit(127);
    }
  }
  const w = sys.waitpid(pid, 0);
  if (w?.kind === 'exited' && w.code !== 0) say(sys, `${hook} failed (exit ${w.code})`);
  if (w?.kind === 'signaled') say(sys, `${hook} was killed by signal ${w.signal}`);
}

function isExecutableFile(sys: Syscalls, path: string): boolean {
  try {
    const st = sys.stat(path);
    return (st.mode & S_IFMT) === S_IFREG && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** One write to a kernel file (cgroup.subtree_control takes one token per write to report each). */
function writeText(sys: Syscalls, path: string, text: string): void {
  const fd = sys.open(path, O_WRONLY | O_CLOEXEC);
  try {
    sys.write(fd, text);
  } finally {
    sys.close(fd);
  }
}
