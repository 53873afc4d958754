// Node side of host folders on the 9p share: the index generator (v86 JSON filesystem format 3,
// see share.ts) and a folder source that reads files from disk on demand.
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FolderSource } from './share.ts';
import type { V86FsEntry, V86FsIndex } from './v86-types.ts';

/** Walks dir and returns its index; regular files carry their relative path as storage key. */
export function indexFolder(dir: string): V86FsIndex {
  let total = 0;
  const walk = (abs: string, rel: string): V86FsEntry[] =>
    readdirSync(abs)
      .sort()
      .flatMap((name): V86FsEntry[] => {
        const p = join(abs, name);
        const r = rel ? `${rel}/${name}` : name;
        const st = lstatSync(p);
        // Owners pass through: image layers have files of other users (mysql, www-data) that must keep them.
        const head = [name, st.size, Math.floor(st.mtimeMs / 1000), st.mode, st.uid, st.gid] as const;
        if (st.isDirectory()) return [[...head, walk(p, r)]];
        if (st.isSymbolicLink()) return [[...head, readlinkSync(p)]];
        if (st.isFile()) {
          total += st.size;
          return [[...head, r]];
        }
        return []; // sockets, fifos, devices: not shared
      });
  const fsroot = walk(dir, '');
  return { version: 3, size: total, fsroot };
}

export function writeFolderIndex(dir: string, outFile: string): V86FsIndex {
  const index = indexFolder(dir);
  writeFileSync(outFile, JSON.stringify(index));
  return index;
}

/** Files a disk folder keeps open at once (the guest maps a few libraries at a time). */
const MAX_OPEN_FILES = 32;

/**
 * A folder on the host's disk, read on demand. Reads are synchronous on descriptors kept open
 * until the guest closes the file (release) or MAX_OPEN_FILES newer ones push them out: the guest
 * waits on each 9p read, and with cache=none every page a program faults in from an image layer
 * is one read of 4 KiB. An open, read and close through the thread pool cost three turns of the
 * event loop that runs the emulator each (1-3 ms a read, nginx's start made 729 of them); a read
 * of a file in the host's page cache costs microseconds.
 * indexFile, when given and present, is a prebuilt index (walking thousands of files costs
 * seconds on a busy machine); otherwise the folder is walked.
 */
export function diskFolder(dir: string, indexFile?: string): FolderSource {
  // insertion order is recency: the first entry is the least recently read
  const open = new Map<string, number>();
  const close = (rel: string): void => {
    const fd = open.get(rel);
    if (fd === undefined) return;
    open.delete(rel);
    closeSync(fd);
  };
  const fdOf = (rel: string): number => {
    const had = open.get(rel);
    if (had !== undefined) {
      open.delete(rel);
      open.set(rel, had);
      return had;
    }
    if (rel.split('/').includes('..')) throw new Error(`share: bad path ${rel}`);
    const fd = openSync(join(dir, rel), 'r');
    open.set(rel, fd);
    for (const oldest of open.keys()) {
      if (open.size <= MAX_OPEN_FILES) break;
      close(oldest);
    }
    return fd;
  };
  return {
    async index() {
      if (indexFile && existsSync(indexFile)) return JSON.parse(readFileSync(indexFile, 'utf8')) as V86FsIndex;
      return indexFolder(dir);
    },
    async read(rel, offset, count) {
      const buf = new Uint8Array(count);
      const n = readSync(fdOf(rel), buf, 0, count, offset);
      return buf.subarray(0, n);
    },
    release(rel) {
      close(rel);
    },
  };
}
