// Unpacks a `docker cp` archive into a directory that already has content (a container's root, or
// a folder on the guest), without ever writing outside `root`: every entry's parent is resolved
// with secureJoin as if `root` were "/", so a symbolic link already there (an image's
// /var/run -> /run) or one the archive itself makes cannot carry a write to the host; and a link
// in an entry's own place is replaced, never followed.

import { cleanEntryPath } from '../images/unpack.ts';
import { secureJoin } from '../runc/securejoin.ts';
import { writeAll } from '../sys/io.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { O_CLOEXEC, O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT } from '../sys/constants.ts';
import { mkdirp, removeAll } from '../util/fsutil.ts';
import { TarReader, type EntrySink, type TarEntry } from '../util/tar.ts';

export class CopyError extends Error {
  override name = 'CopyError';
}

export interface ExtractOptions {
  /** Owner for what is written: the archive's own (docker cp -a), or a fixed one. */
  owner: 'archive' | { uid: number; gid: number };
  /** Docker's noOverwriteDirNonDir: a directory never replaces a file, nor a file a directory. */
  noOverwriteDirNonDir: boolean;
  /** Renames the archive's top entry (docker cp to a new name); from "" puts everything under `to`. */
  rename?: { from: string; to: string };
}

export interface ExtractStats {
  entries: number;
  /** Bytes of file content written. */
  bytes: number;
}

function renamed(rel: string, r: ExtractOptions['rename']): string {
  if (!r) return rel;
  if (r.from === '') return rel === '' ? r.to : `${r.to}/${rel}`;
  if (rel === r.from) return r.to;
  if (rel.startsWith(`${r.from}/`)) return `${r.to}${rel.slice(r.from.length)}`;
  return rel;
}

/** Extracts into `dir` (a path inside root, "" for root itself); push chunks, then finish. */
export function extractInto(sys: Syscalls, root: string, dir: string, opts: ExtractOptions): { push(chunk: Uint8Array): void; finish(): ExtractStats } {
  const stats: ExtractStats = { entries: 0, bytes: 0 };
  const rootN = root.replace(/\/+$/, '') || '/';
  const inside = (rel: string): string => secureJoin(sys, rootN, `${dir}/${rel}`);
  const own = (path: string, e: TarEntry, link: boolean): void => {
    const o = opts.owner === 'archive' ? { uid: e.uid, gid: e.gid } : opts.owner;
    if (link) sys.lchown(path, o.uid, o.gid);
    else sys.chown(path, o.uid, o.gid);
  };
  const onEntry = (e: TarEntry): EntrySink | null => {
    const clean = cleanEntryPath(e.path);
    if (clean === null) throw new CopyError(`archive entry escapes the destination: ${e.path}`);
    const rel = renamed(clean, opts.rename);
    if (rel === '') {
      // the archive's "." entry: the destination itself, which exists
      return null;
    }
    stats.entries++;
    const slash = rel.lastIndexOf('/');
    const parent = inside(slash < 0 ? '' : rel.slice(0, slash));
    mkdirp(sys, parent);
    const full = `${parent === '/' ? '' : parent}/${rel.slice(slash + 1)}`;
    const have = sys.lstatOrNull(full);
    const haveDir = have !== null && (have.mode & S_IFMT) === S_IFDIR;
    if (e.type === 'dir') {
      if (have && !haveDir) {
        if (opts.noOverwriteDirNonDir) throw new CopyError(`cannot overwrite non-directory "${rel}" with directory`);
        sys.unlink(full);
      }
      if (!haveDir) sys.mkdir(full, e.mode & 0o7777);
      own(full, e, false);
      sys.chmod(full, e.mode & 0o7777);
      return null;
    }
    if (have) {
      if (haveDir) {
        if (opts.noOverwriteDirNonDir) throw new CopyError(`cannot overwrite directory "${rel}" with non-directory`);
        removeAll(sys, full);
      } else sys.unlink(full);
    }
    switch (e.type) {
      case 'symlink':
        sys.symlink(e.linkname, full);
        own(full, e, true);
        return null;
      case 'link': {
        const target = cleanEntryPath(e.linkname);
        if (target === null) throw new CopyError(`hard link escapes the destination: ${e.linkname}`);
        // link() does not follow a symbolic link at the target: it links the link itself
        sys.link(inside(renamed(target, opts.rename)), full);
        return null;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        const t = e.type === 'char' ? S_IFCHR : e.type === 'block' ? S_IFBLK : S_IFIFO;
        sys.mknod(full, t | (e.mode & 0o7777), ((e.devminor & 0xff) | ((e.devmajor & 0xfff) << 8) | ((e.devminor & ~0xff) << 12)) >>> 0);
        own(full, e, false);
        return null;
      }
      case 'file': {
        // O_EXCL|O_NOFOLLOW: what was there is gone; a link planted since is refused, not followed
        const fd = sys.open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600);
        stats.bytes += e.size;
        return {
          data(chunk) {
            writeAll(sys, fd, chunk);
          },
          end() {
            sys.close(fd);
            own(full, e, false);
            sys.chmod(full, e.mode & 0o7777);
            if (e.mtime) sys.utimes(full, e.mtime * 1000, e.mtime * 1000);
          },
        };
      }
    }
    return null;
  };
  const reader = new TarReader(onEntry);
  return {
    push: (chunk) => reader.push(chunk),
    finish() {
      reader.end();
      return stats;
    },
  };
}
