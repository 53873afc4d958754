// Resolves a path inside a container root, following symlinks as if root were "/", so a hostile
// image cannot point a mount destination outside its root (like filepath-securejoin).

import type { Syscalls } from '../sys/syscalls.ts';
import { S_IFDIR, S_IFLNK, S_IFMT } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';

export function secureJoin(sys: Syscalls, root: string, unsafe: string): string {
  const rootN = root.replace(/\/+$/, '') || '/';
  let pending = unsafe.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const full = `${rootN === '/' ? '' : rootN}/${[...done, part].join('/')}`;
    let isLink = false;
    try {
      isLink = (sys.lstat(full).mode & S_IFMT) === S_IFLNK;
    } catch (e) {
      if (!isErrno(e, 'ENOENT') && !isErrno(e, 'ENOTDIR')) throw e;
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > 255) throw new Error(`too many symlinks resolving ${unsafe} in ${root}`);
    const target = sys.readlink(full);
    if (target.startsWith('/')) done.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return `${rootN === '/' ? '' : rootN}/${done.join('/')}`;
}

/** mkdir -p that ignores EEXIST. */
export function mkdirAll(sys: Syscalls, path: string, mode = 0o755): void {
  // the common case, a directory that is there, costs one stat and no failed call: in the guest
  // every failed call is a thrown error, which QuickJS builds slowly on the emulated CPU
  try {
    if ((sys.stat(path).mode & S_IFMT) === S_IFDIR) return;
  } catch {
    // missing (or a dangling part): make it below
  }
  const parts = path.split('/').filter((p) => p !== '');
  let cur = '';
  for (const p of parts) {
    cur += `/${p}`;
    try {
      sys.mkdir(cur, mode);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
  }
}
