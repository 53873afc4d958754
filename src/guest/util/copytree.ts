// cp -a for the daemon's copy-ups (an empty named volume filled from the image).

import type { Syscalls } from '../sys/syscalls.ts';
import { isErrno } from '../sys/errors.ts';

/** cp -a of a tree (for filling a new volume); missing source is fine. */
export function copyTree(sys: Syscalls, from: string, to: string): void {
  let st;
  try {
    st = sys.lstat(from);
  } catch {
    return;
  }
  const type = st.mode & 0o170000;
  if (type === 0o040000) {
    try {
      sys.mkdir(to, st.mode & 0o7777);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    for (const e of sys.readdir(from)) {
      if (e.name === '.' || e.name === '..') continue;
      copyTree(sys, `${from}/${e.name}`, `${to}/${e.name}`);
    }
  } else if (type === 0o120000) {
    sys.symlink(sys.readlink(from), to);
  } else if (type === 0o100000) {
    sys.writeFile(to, sys.readFile(from), st.mode & 0o7777);
  } else return;
  sys.lchown(to, st.uid, st.gid);
  if (type !== 0o120000) sys.chmod(to, st.mode & 0o7777);
}
