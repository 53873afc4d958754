// Docker's rules for where `docker cp` puts things, as pure functions both directions share:
// copying into an existing directory adds the source under its own name, copying to a path that
// does not exist creates it with the source's content, and "SRC/." means the directory's
// content rather than the directory itself.

import { basename, dirname } from '../util/path.ts';
import { CopyError } from './extract.ts';

/** A `docker cp` argument: CONTAINER:PATH, or a local path. */
export type CopyArg = { container: string; path: string } | { container: null; path: string };

/**
 * Splits CONTAINER:PATH. A local path with a colon must be written ./a:b or /a:b (as scp and
 * Docker do): an argument that starts with / or . or ~ is always local.
 */
export function splitCopyArg(arg: string): CopyArg {
  if (/^[/.~]/.test(arg)) return { container: null, path: arg };
  const colon = arg.indexOf(':');
  if (colon <= 0) return { container: null, path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** Whether the path names a directory's content ("dir/." or "."), not the directory. */
export function contentsOnly(path: string): boolean {
  return path === '.' || path.endsWith('/.');
}

/** Whether the path can only be a directory (it ends with / or /.). */
export function assertsDirectory(path: string): boolean {
  return path.endsWith('/') || contentsOnly(path);
}

export interface SourceInfo {
  /** The source path as the user wrote it. */
  path: string;
  isDir: boolean;
}

export interface DestInfo {
  path: string;
  /** null when nothing is there. */
  isDir: boolean | null;
}

export interface CopyPlan {
  /** The directory the archive is unpacked into. */
  dir: string;
  /** The name the source gets there ("" for a directory's content). */
  name: string;
}

/** Where the source lands for a destination, or Docker's error when it cannot. */
export function planCopy(src: SourceInfo, dst: DestInfo): CopyPlan {
  const srcName = contentsOnly(src.path) ? '' : basename(src.path);
  if (dst.isDir === true) return { dir: dst.path, name: src.isDir ? srcName : basename(src.path) };
  if (dst.isDir === false) {
    if (src.isDir) throw new CopyError('cannot copy directory');
    if (assertsDirectory(dst.path)) throw new CopyError('not a directory');
    return { dir: dirname(dst.path), name: basename(dst.path) };
  }
  if (!src.isDir && assertsDirectory(dst.path)) throw new CopyError('no such directory');
  return { dir: dirname(dst.path), name: basename(dst.path) };
}
