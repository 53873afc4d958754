// The daemon's half of a build context: the tar from POST /build unpacked into a folder that
// COPY and ADD read from (owners and modes kept; entries that would escape it refused).

import type { Syscalls } from '../../sys/syscalls.ts';
import { O_CLOEXEC, O_CREAT, O_TRUNC, O_WRONLY } from '../../sys/constants.ts';
import { writeAll } from '../../sys/io.ts';
import { mkdirp } from '../../util/fsutil.ts';
import { gunzip, isGzip } from '../../util/inflate.ts';
import { TarReader, type EntrySink, type TarEntry } from '../../util/tar.ts';

export class ContextError extends Error {
  override name = 'ContextError';
}

function clean(p: string): string | null {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.join('/');
}

/** Unpacks a context tar (plain or gzip) into dest; returns the number of entries. */
export function extractContext(sys: Syscalls, body: Uint8Array, dest: string): number {
  mkdirp(sys, dest, 0o755);
  let count = 0;
  const dirModes: [string, number][] = [];
  const onEntry = (e: TarEntry): EntrySink | null => {
    const rel = clean(e.path);
    if (rel === null) throw new ContextError(`invalid path in the build context: ${e.path}`);
    if (rel === '') return null;
    count++;
    const full = `${dest}/${rel}`;
    const slash = rel.lastIndexOf('/');
    if (slash > 0) mkdirp(sys, `${dest}/${rel.slice(0, slash)}`, 0o755);
    if (e.type === 'dir') {
      mkdirp(sys, full, 0o755);
      dirModes.push([full, e.mode]);
      return null;
    }
    if (sys.lstatOrNull(full)) sys.unlink(full);
    if (e.type === 'symlink') {
      sys.symlink(e.linkname, full);
      return null;
    }
    if (e.type === 'link') {
      const target = clean(e.linkname);
      if (target === null) throw new ContextError(`invalid link in the build context: ${e.linkname}`);
      sys.link(`${dest}/${target}`, full);
      return null;
    }
    if (e.type !== 'file') return null;
    const fd = sys.open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, e.mode & 0o7777);
    sys.chmod(full, e.mode & 0o7777);
    return {
      data(chunk: Uint8Array): void {
        writeAll(sys, fd, chunk);
      },
      end(): void {
        sys.close(fd);
      },
    };
  };
  const reader = new TarReader(onEntry);
  if (body.length > 0) {
    if (isGzip(body)) gunzip(body, (chunk) => reader.push(chunk));
    else reader.push(body);
    reader.end();
  }
  for (const [d, mode] of dirModes) sys.chmod(d, mode & 0o7777);
  return count;
}
