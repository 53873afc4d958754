// File helpers over Syscalls: atomic writes (temp + rename, so nothing is left half-written),
// recursive removal, mkdir -p, reading text and JSON.

import type { Syscalls } from '../sys/syscalls.ts';
import { O_CLOEXEC, O_CREAT, O_TRUNC, O_WRONLY, S_IFDIR, S_IFMT } from '../sys/constants.ts';
import { SyscallError, callText, isErrno } from '../sys/errors.ts';
import { utf8Decode, utf8Encode } from './text.ts';

let counter = 0;

/** Writes to PATH.tmp-<pid>-<n> and renames over PATH. */
export function writeFileAtomic(sys: Syscalls, path: string, data: Uint8Array | string, mode = 0o644): void {
  const tmp = `${path}.tmp-${sys.getpid()}-${counter++}`;
  try {
    const fd = sys.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    try {
      const bytes = typeof data === 'string' ? utf8Encode(data) : data;
      let off = 0;
      try {
        while (off < bytes.length) off += sys.write(fd, bytes.subarray(off));
      } catch (e) {
        // name the file, as Go's "write /path: no space left on device" does, not the fd
        if (e instanceof SyscallError) throw new SyscallError(e.code, e.errno, callText('write', [tmp]));
        throw e;
      }
    } finally {
      sys.close(fd);
    }
    sys.rename(tmp, path);
  } catch (e) {
    try {
      sys.unlink(tmp);
    } catch {
      // never created
    }
    throw e;
  }
}

/**
 * Rewrites PATH's content in place (same inode). For a file a running container has bind-mounted,
 * such as its resolv.conf: a rename would leave the container with the old inode.
 */
export function writeFileInPlace(sys: Syscalls, path: string, data: Uint8Array | string): void {
  const fd = sys.open(path, O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
  try {
    const bytes = typeof data === 'string' ? utf8Encode(data) : data;
    let off = 0;
    while (off < bytes.length) off += sys.write(fd, bytes.subarray(off));
  } finally {
    sys.close(fd);
  }
}

export function readText(sys: Syscalls, path: string): string {
  return utf8Decode(sys.readFile(path));
}

export function readJson<T>(sys: Syscalls, path: string): T {
  return JSON.parse(readText(sys, path)) as T;
}

export function exists(sys: Syscalls, path: string): boolean {
  try {
    return sys.lstatOrNull(path) !== null;
  } catch {
    return false;
  }
}

export function isDir(sys: Syscalls, path: string): boolean {
  try {
    const st = sys.statOrNull(path);
    return st !== null && (st.mode & S_IFMT) === S_IFDIR;
  } catch {
    return false;
  }
}

/**
 * mkdir -p. Asks "is it there?" without failing calls (statOrNull) and creates only the missing
 * tail: in the guest each failed call (an EEXIST per existing parent) is a slow thrown error.
 */
export function mkdirp(sys: Syscalls, path: string, mode = 0o755): void {
  if (sys.statOrNull(path) !== null) return;
  const parts = path.split('/').filter((x) => x !== '');
  const prefix = (n: number): string => `/${parts.slice(0, n).join('/')}`;
  let have = parts.length - 1;
  while (have > 0 && sys.statOrNull(prefix(have)) === null) have--;
  for (let n = have + 1; n <= parts.length; n++) {
    try {
      sys.mkdir(prefix(n), mode);
    } catch (e) {
      // made meanwhile by someone else, or a file in the way (the caller's next step reports it)
      if (!isErrno(e, 'EEXIST')) throw e;
    }
  }
}

/** rm -rf without crossing into mounts it cannot remove (those fail with EBUSY, reported). */
export function removeAll(sys: Syscalls, path: string): void {
  const st = sys.lstatOrNull(path);
  if (st === null) return;
  if ((st.mode & S_IFMT) === S_IFDIR) {
    for (const e of sys.readdir(path)) {
      if (e.name === '.' || e.name === '..') continue;
      removeAll(sys, `${path}/${e.name}`);
    }
    sys.rmdir(path);
  } else sys.unlink(path);
}

/** Total bytes of regular files under path (du -sb style, links counted once per name). */
export function diskUsage(sys: Syscalls, path: string): number {
  let st;
  try {
    st = sys.lstat(path);
  } catch {
    return 0;
  }
  if ((st.mode & S_IFMT) !== S_IFDIR) return st.size;
  let total = 0;
  for (const e of sys.readdir(path)) {
    if (e.name === '.' || e.name === '..') continue;
    total += diskUsage(sys, `${path}/${e.name}`);
  }
  return total;
}
