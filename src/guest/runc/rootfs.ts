// Prepares a container's root inside its new mount namespace: private propagation, the rootfs
// as a mount point, the spec's mounts, /dev nodes and links, pivot_root, masked and read-only
// paths, sysctls. Runs in the container's init process before it execs the user's program.

import type { Syscalls } from '../sys/syscalls.ts';
import {
  makedev, MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, MS_SLAVE, MS_UNBINDABLE,
  O_CLOEXEC, O_CREAT, O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT,
} from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { dirname } from '../util/path.ts';
import { utf8Decode } from '../util/text.ts';
import { parseMountOptions, PROPAGATION } from './mountopts.ts';
import { mkdirAll, secureJoin } from './securejoin.ts';
import { applySysctls } from './sysctl.ts';
import type { OciDevice, OciMount, OciSpec } from './spec.ts';

/** The device nodes every container gets (as Docker and runc create them). */
export const DEFAULT_DEVICES: readonly OciDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666 },
];

const DEV_LINKS: readonly [string, string][] = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
  ['pts/ptmx', '/dev/ptmx'],
];

export interface RootfsOptions {
  /** Absolute path of the container's root on the host. */
  rootfs: string;
  /** The tty given to the container, bind-mounted on /dev/console when process.terminal. */
  consolePath?: string;
  /** Whether a cgroup v2 hierarchy can be mounted (false on hosts without one). */
  cgroup2: boolean;
  /**
   * Bind the host's device nodes instead of creating them: in a user namespace mknod is refused
   * (a device node's owner there could open what the host never gave it).
   */
  bindDevices?: boolean;
  /**
   * false: the container shares our mount namespace. Its mounts are made in place under the
   * rootfs and it is entered by chroot; the host's propagation and root are left alone.
   */
  mountNs?: boolean;
  /** Runs inside the new root right after pivot_root (the init sets up its console there). */
  onPivoted?: () => void;
}

function isBind(m: OciMount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}

function ensureFile(sys: Syscalls, path: string): void {
  mkdirAll(sys, dirname(path));
  try {
    sys.close(sys.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644));
  } catch (e) {
    // an existing directory or a read-only file is still a valid mount point
    if (!isErrno(e, 'EISDIR') && !isErrno(e, 'EEXIST') && !isErrno(e, 'EACCES')) throw e;
  }
}

export function mountOne(sys: Syscalls, m: OciMount, opts: RootfsOptions): void {
  const dest = secureJoin(sys, opts.rootfs, m.destination);
  const o = parseMountOptions(m.options);
  if (isBind(m)) {
    const source = m.source ?? '';
    let srcIsDir: boolean;
    try {
      srcIsDir = (sys.stat(source).mode & S_IFMT) === S_IFDIR;
    } catch (e) {
      throw new Error(`bind mount source ${source} for ${m.destination}: ${(e as Error).message}`);
    }
    if (srcIsDir) mkdirAll(sys, dest);
    else ensureFile(sys, dest);
    const rec = (m.options ?? []).includes('rbind') ? MS_REC : 0;
    sys.mount(source, dest, null, MS_BIND | rec);
    // flags other than bind itself need a remount of the bind
    const extra = o.flags & ~(MS_BIND | MS_REC);
    if (extra !== 0) sys.mount(source, dest, null, extra | MS_BIND | MS_REMOUNT | rec);
  } else if (m.type === 'cgroup' || m.type === 'cgroup2') {
    if (!opts.cgroup2) return;
    mkdirAll(sys, dest);
    try {
      sys.mount('cgroup2', dest, 'cgroup2', o.flags, null);
    } catch (e) {
      // a host without a usable unified hierarchy: containers still run, without /sys/fs/cgroup
      if (!isErrno(e, 'EBUSY') && !isErrno(e, 'EPERM') && !isErrno(e, 'ENODEV') && !isErrno(e, 'EINVAL')) throw e;
    }
  } else {
    mkdirAll(sys, dest);
    sys.mount(m.source ?? m.type ?? 'none', dest, m.type ?? null, o.flags, o.data || null);
  }
  for (const p of o.propagation) sys.mount(null, dest, null, p);
}

function devType(t: OciDevice['type']): number {
  if (t === 'b') return S_IFBLK;
  if (t === 'p') return S_IFIFO;
  return S_IFCHR;
}

/**
 * fresh: /dev is the empty tmpfs just mounted, so there is nothing to unlink first. bind: bind
 * the node at the same path on the host onto an empty file (its mode and owner stay the host's).
 */
export function createDevices(sys: Syscalls, rootfs: string, devices: readonly OciDevice[], fresh = false, bind = false): void {
  const old = sys.umask(0);
  try {
    for (const d of devices) {
      const dest = secureJoin(sys, rootfs, d.path);
      mkdirAll(sys, dirname(dest));
      if (bind) {
        ensureFile(sys, dest);
        try {
          sys.mount(d.path, dest, null, MS_BIND);
        } catch (e) {
          throw new Error(`binding device ${d.path}: ${(e as Error).message}`);
        }
        continue;
      }
      const mknod = (): void => sys.mknod(dest, devType(d.type) | (d.fileMode ?? 0o666), makedev(d.major, d.minor));
      try {
        // on a fresh /dev only a device listed twice is there already: skip the unlink
        if (!fresh) sys.unlink(dest);
      } catch {
        // nothing there yet
      }
      try {
        mknod();
      } catch (e) {
        if (!fresh || !isErrno(e, 'EEXIST')) throw e;
        sys.unlink(dest);
        mknod();
      }
      sys.chown(dest, d.uid ?? 0, d.gid ?? 0);
    }
  } finally {
    sys.umask(old);
  }
}

export function createDevLinks(sys: Syscalls, rootfs: string): void {
  for (const [target, link] of DEV_LINKS) {
    try {
      sys.symlink(target, `${rootfs}${link}`);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
  }
}

/** pivot_root(".", ".") then detach the old root stacked underneath, as runc does. */
export function pivotInto(sys: Syscalls, rootfs: string): void {
  sys.chdir(rootfs);
  sys.pivotRoot('.', '.');
  // the old root is now mounted over "/": keep its unmount from spreading, then drop it
  sys.mount(null, '.', null, MS_SLAVE | MS_REC);
  sys.umount2('.', MNT_DETACH);
  sys.chdir('/');
}

export function maskPaths(sys: Syscalls, paths: readonly string[]): void {
  for (const p of paths) {
    const st = sys.statOrNull(p);
    if (st === null) continue;
    if ((st.mode & S_IFMT) === S_IFDIR) sys.mount('tmpfs', p, 'tmpfs', MS_RDONLY, null);
    else sys.mount('/dev/null', p, null, MS_BIND);
  }
}

export function readonlyPaths(sys: Syscalls, paths: readonly string[]): void {
  for (const p of paths) {
    try {
      sys.mount(p, p, null, MS_BIND | MS_REC);
    } catch (e) {
      if (isErrno(e, 'ENOENT')) continue;
      throw e;
    }
    sys.mount(p, p, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  }
}

/** One line of /proc/self/mountinfo: the mount point and whether it is in a shared peer group. */
export interface MountInfo {
  mountPoint: string;
  shared: boolean;
}

export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (f.length < 7 || dash < 6) continue;
    // octal escapes (\040 for a space) in the path; the regex only where there is one, since
    // this runs for every mount of the guest on each container start
    const mountPoint = !f[4]!.includes('\\') ? f[4]! : f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ mountPoint, shared: f.slice(6, dash).some((o) => o.startsWith('shared:')) });
  }
  return out;
}

/** The mount a path lives on: the longest mount point that is the path or one of its parents. */
export function mountOf(mounts: readonly MountInfo[], path: string): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const m of mounts) {
    const inside = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(`${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/**
 * pivot_root refuses a new root whose parent mount is shared (and a shared parent would spread
 * the root's bind mount to other namespaces): make that parent private, as runc does.
 */
function privatizeParentMount(sys: Syscalls, rootfs: string): void {
  let text: string;
  try {
    text = utf8Decode(sys.readFile('/proc/self/mountinfo'));
  } catch {
    return;
  }
  const parent = mountOf(parseMountInfo(text), rootfs);
  if (parent?.shared) sys.mount(null, parent.mountPoint, null, MS_PRIVATE);
}

/** Everything from private propagation to the final read-only root. */
export function prepareRootfs(sys: Syscalls, spec: OciSpec, opts: RootfsOptions): void {
  const wanted = spec.linux?.rootfsPropagation;
  const prop = wanted ? PROPAGATION[wanted] : MS_PRIVATE | MS_REC;
  if (prop === undefined) throw new Error(`invalid rootfsPropagation ${JSON.stringify(wanted)}`);
  const ownNs = opts.mountNs !== false;
  if (ownNs) {
    // an unbindable "/" could not be bound onto the root below: it becomes unbindable after pivot_root
    sys.mount(null, '/', null, prop & MS_UNBINDABLE ? MS_PRIVATE | MS_REC : prop);
    privatizeParentMount(sys, opts.rootfs);
    // pivot_root needs the new root to be a mount point
    sys.mount(opts.rootfs, opts.rootfs, null, MS_BIND | MS_REC);
  }
  const mounts = spec.mounts ?? [];
  for (const m of mounts) mountOne(sys, m, opts);
  const devIsTmpfs = mounts.some((m) => m.destination === '/dev' && m.type === 'tmpfs');
  if (devIsTmpfs) {
    createDevices(sys, opts.rootfs, [...DEFAULT_DEVICES, ...(spec.linux?.devices ?? [])], true, opts.bindDevices);
    createDevLinks(sys, opts.rootfs);
  } else if (spec.linux?.devices?.length) createDevices(sys, opts.rootfs, spec.linux.devices, false, opts.bindDevices);
  if (spec.process?.terminal && opts.consolePath) {
    const console = `${opts.rootfs}/dev/console`;
    ensureFile(sys, console);
    sys.mount(opts.consolePath, console, null, MS_BIND);
  }
  if (!ownNs) {
    sys.chroot(opts.rootfs);
    sys.chdir('/');
    opts.onPivoted?.();
    applySysctls(sys, spec.linux?.sysctl);
    return;
  }
  pivotInto(sys, opts.rootfs);
  // the new root is a private bind now: give it the propagation asked for (shared: mounts made
  // under it reach its other binds)
  if (wanted) sys.mount(null, '/', null, prop);
  opts.onPivoted?.();
  // through the container's own /proc, before readonlyPaths makes /proc/sys read-only
  applySysctls(sys, spec.linux?.sysctl);
  maskPaths(sys, spec.linux?.maskedPaths ?? []);
  readonlyPaths(sys, spec.linux?.readonlyPaths ?? []);
  if (spec.root?.readonly) sys.mount(null, '/', null, MS_BIND | MS_REMOUNT | MS_RDONLY);
}
