// Unpacks a gzip layer into a directory: digest and diff_id checked, tar entries applied with
// owners and modes, AUFS whiteouts (.wh.name) turned into overlayfs whiteouts (0/0 char devices)
// and opaque markers (.wh..wh..opq) into the trusted.overlay.opaque attribute.

import { writeAll } from '../sys/io.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { O_CLOEXEC, O_CREAT, O_TRUNC, O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { removeAll } from '../util/fsutil.ts';
import { gunzip, isGzip } from '../util/inflate.ts';
import { Sha256 } from '../util/sha256.ts';
import { TarReader, type EntrySink, type TarEntry } from '../util/tar.ts';

export class LayerError extends Error {
  override name = 'LayerError';
}

/** Cleans a tar path: no leading ./ or /, no .. escapes. */
export function cleanEntryPath(p: string): string | null {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.join('/');
}

export interface UnpackStats {
  diffId: string;
  /** Bytes of regular file content. */
  size: number;
  entries: number;
}

/** Applies a tar stream to dest (an empty directory); returns a push function and a finish. */
export function layerWriter(sys: Syscalls, dest: string): { push(chunk: Uint8Array): void; finish(): UnpackStats } {
  const hash = new Sha256();
  let size = 0;
  let entries = 0;
  // Symbolic links this layer has made (dest starts empty, so these are all there are): an entry
  // whose path goes through one would be written wherever the link points, on the host.
  const links = new Set<string>();
  const throughLink = (rel: string): string | null => {
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) if (links.has(rel.slice(0, i))) return rel.slice(0, i);
    return null;
  };
  const onEntry = (e: TarEntry): EntrySink | null => {
    const rel = cleanEntryPath(e.path);
    if (rel === null) throw new LayerError(`layer entry escapes the root: ${e.path}`);
    if (rel === '') return null;
    const via = throughLink(rel);
    if (via !== null) throw new LayerError(`layer entry ${e.path} goes through the symbolic link ${via}`);
    entries++;
    const full = `${dest}/${rel}`;
    const slash = rel.lastIndexOf('/');
    const base = rel.slice(slash + 1);
    if (base.startsWith('.wh.')) {
      if (base === '.wh..wh..opq') {
        // the directory hides what lower layers have there: overlayfs's opaque mark
        sys.lsetxattr(slash < 0 ? dest : `${dest}/${rel.slice(0, slash)}`, 'trusted.overlay.opaque', 'y');
        return null;
      }
      const target = `${dest}/${rel.slice(0, slash + 1)}${base.slice(4)}`;
      sys.mknod(target, S_IFCHR | 0, 0);
      return null;
    }
    const replace = (): void => {
      links.delete(rel);
      try {
        sys.unlink(full);
      } catch (err) {
        if (isErrno(err, 'EISDIR') || isErrno(err, 'EPERM')) {
          removeAll(sys, full);
          for (const l of links) if (l.startsWith(`${rel}/`)) links.delete(l);
        } else if (!isErrno(err, 'ENOENT')) throw err;
      }
    };
    switch (e.type) {
      case 'dir':
        try {
          sys.mkdir(full, e.mode);
        } catch (err) {
          if (!isErrno(err, 'EEXIST')) throw err;
          // chown and chmod follow links: a link (or file) of that name is replaced, never followed
          if ((sys.lstat(full).mode & S_IFMT) !== S_IFDIR) {
            replace();
            sys.mkdir(full, e.mode);
          }
        }
        sys.chown(full, e.uid, e.gid);
        sys.chmod(full, e.mode);
        return null;
      case 'symlink':
        replace();
        sys.symlink(e.linkname, full);
        links.add(rel);
        sys.lchown(full, e.uid, e.gid);
        return null;
      case 'link': {
        const target = cleanEntryPath(e.linkname);
        if (target === null) throw new LayerError(`hard link escapes the root: ${e.linkname}`);
        const linkVia = throughLink(target);
        if (linkVia !== null) throw new LayerError(`hard link ${e.path} goes through the symbolic link ${linkVia}`);
        replace();
        sys.link(`${dest}/${target}`, full);
        return null;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        replace();
        const t = e.type === 'char' ? S_IFCHR : e.type === 'block' ? S_IFBLK : S_IFIFO;
        sys.mknod(full, t | e.mode, ((e.devminor & 0xff) | ((e.devmajor & 0xfff) << 8) | ((e.devminor & ~0xff) << 12)) >>> 0);
        sys.chown(full, e.uid, e.gid);
        return null;
      }
      case 'file': {
        replace();
        const fd = sys.open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600);
        size += e.size;
        return {
          data(chunk) {
            writeAll(sys, fd, chunk);
          },
          end() {
            sys.close(fd);
            sys.chown(full, e.uid, e.gid);
            // after chown, which clears set-id bits
            sys.chmod(full, e.mode);
            if (e.mtime) sys.utimes(full, e.mtime * 1000, e.mtime * 1000);
          },
        };
      }
    }
  };
  const reader = new TarReader(onEntry);
  return {
    push(chunk) {
      hash.update(chunk);
      reader.push(chunk);
    },
    finish() {
      reader.end();
      return { diffId: `sha256:${hash.hex()}`, size, entries };
    },
  };
}

/** Gunzips (when compressed) and unpacks blob bytes into dest. */
export function unpackLayer(sys: Syscalls, blob: Uint8Array, dest: string): UnpackStats {
  const w = layerWriter(sys, dest);
  if (isGzip(blob)) gunzip(blob, (c) => w.push(c));
  else w.push(blob);
  return w.finish();
}
