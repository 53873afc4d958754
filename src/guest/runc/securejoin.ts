// Resolves a path inside a container root, following symlinks as if root were "/", so a hostile
// image cannot point a mount destination outside its root (like filepath-securejoin).

import type { Syscalls } from '../sys/syscalls.ts';
import { S_IFLNK, S_IFMT } from '../sys/constants.ts';
import { mkdirp } from '../util/fsutil.ts';

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
    const st = sys.lstatOrNull(full);
    if (st === null || (st.mode & S_IFMT) !== S_IFLNK) {
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

/** mkdir -p that ignores EEXIST (fsutil's mkdirp: no failed call for parts that are there). */
export function mkdirAll(sys: Syscalls, path: string, mode = 0o755): void {
  mkdirp(sys, path, mode);
}
