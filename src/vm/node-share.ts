// Node side of host folders on the 9p share: the index generator (v86 JSON filesystem format 3,
// see share.ts) and a folder source that reads files from disk on demand.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
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

/**
 * A folder on the host's disk; files are opened per read (the guest reads in large pieces).
 * indexFile, when given and present, is a prebuilt index (walking thousands of files costs
 * seconds on a busy machine); otherwise the folder is walked.
 */
export function diskFolder(dir: string, indexFile?: string): FolderSource {
  return {
    async index() {
      if (indexFile && existsSync(indexFile)) return JSON.parse(readFileSync(indexFile, 'utf8')) as V86FsIndex;
      return indexFolder(dir);
    },
    async read(rel, offset, count) {
      if (rel.split('/').includes('..')) throw new Error(`share: bad path ${rel}`);
      const fh = await open(join(dir, rel), 'r');
      try {
        const buf = new Uint8Array(count);
        const { bytesRead } = await fh.read(buf, 0, count, offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
  };
}
