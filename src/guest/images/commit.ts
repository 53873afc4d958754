// Committing a container's changes as an image layer: the overlay upper dir becomes a gzip tar
// blob, content-addressed in the store's blob folder. The byte work (tar, gzip, two sha256s)
// is one call into the runtime's C (Syscalls.writeLayer); this module names and places the
// result. Used by `docker commit` and by each RUN/COPY step of `docker build`.

import type { LayerDigests, Syscalls } from '../sys/syscalls.ts';
import { mkdirp, removeAll } from '../util/fsutil.ts';

export interface CommittedLayer extends LayerDigests {
  /**
   * The layer's files recreated as an overlay lower dir (whiteouts as 0:0 devices), when
   * commitLayer was asked for one: the store moves it in instead of unpacking the blob again.
   */
  dir?: string;
}

export interface CommitOptions {
  /** Where to recreate the tree (must not exist; on the store's filesystem, so it can be renamed). */
  unpackTo?: string;
  /** zlib level; 1 by default: in the emulator compression time dominates, and the blobs stay local. */
  level?: number;
}

let seq = 0;

/**
 * Writes upperDir as a layer blob to blobsDir/<digest hex> and returns its digests and sizes.
 * The same content gives the same blob (sorted walk, fixed gzip header), so committing an
 * unchanged tree again finds the blob already there.
 */
export function commitLayer(sys: Syscalls, upperDir: string, blobsDir: string, opts: CommitOptions = {}): CommittedLayer {
  mkdirp(sys, blobsDir, 0o700);
  const tmp = `${blobsDir}/.commit-${sys.getpid()}-${seq++}`;
  try {
    const d = sys.writeLayer(upperDir, tmp, { level: opts.level ?? 1, ...(opts.unpackTo ? { copyTo: opts.unpackTo } : {}) });
    const final = `${blobsDir}/${d.digest.slice('sha256:'.length)}`;
    if (sys.lstatOrNull(final)) sys.unlink(tmp);
    else sys.rename(tmp, final);
    return opts.unpackTo ? { ...d, dir: opts.unpackTo } : d;
  } catch (e) {
    if (sys.lstatOrNull(tmp)) sys.unlink(tmp);
    if (opts.unpackTo) removeAll(sys, opts.unpackTo);
    throw e;
  }
}
