// The CLI's half of a build context: walk the context folder, leave out what .dockerignore
// excludes, and tar the rest (owners as they are, times kept) for POST /build.

import type { Syscalls } from '../../sys/syscalls.ts';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../sys/constants.ts';
import { readText } from '../../util/fsutil.ts';
import { contextMatcher, type IgnoreMatcher } from './dockerignore.ts';
import { concatBytes, TAR_END, tarMember } from './tarwrite.ts';

export interface ContextTar {
  tar: Uint8Array;
  files: number;
}

/** Tars dir's contents for a build whose Dockerfile is `dockerfile` (relative to dir). */
export function tarContext(sys: Syscalls, dir: string, dockerfile: string): ContextTar {
  let ignore: string | null = null;
  if (sys.lstatOrNull(`${dir}/.dockerignore`)) ignore = readText(sys, `${dir}/.dockerignore`);
  const matcher = contextMatcher(ignore, dockerfile);
  const parts: Uint8Array[] = [];
  let files = 0;
  const walk = (rel: string): void => {
    const abs = rel === '' ? dir : `${dir}/${rel}`;
    const names = sys.readdir(abs).map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort();
    for (const name of names) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = sys.lstat(`${dir}/${r}`);
      const type = st.mode & S_IFMT;
      const ignored = matcher.ignored(r);
      if (type === S_IFDIR) {
        if (ignored && !matcher.mustWalk(r)) continue;
        if (!ignored) parts.push(...tarMember({ path: r, type: 'dir', mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000 }));
        walk(r);
        continue;
      }
      if (ignored) continue;
      if (type === S_IFREG) {
        parts.push(...tarMember({ path: r, type: 'file', mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000, data: sys.readFile(`${dir}/${r}`) }));
        files++;
      } else if (type === S_IFLNK) {
        parts.push(...tarMember({ path: r, type: 'symlink', mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000, linkname: sys.readlink(`${dir}/${r}`) }));
        files++;
      }
      // sockets, fifos and devices are not sent, as Docker's client skips them
    }
  };
  walk('');
  parts.push(TAR_END);
  return { tar: concatBytes(parts), files };
}

export type { IgnoreMatcher };
