// The path stat Docker sends with a container archive (the X-Docker-Container-Path-Stat header):
// base64 of JSON whose mode is Go's os.FileMode, so the official client reads it too.

import type { Stat } from '../sys/syscalls.ts';
import { S_IFDIR, S_IFLNK, S_IFMT } from '../sys/constants.ts';
import { decodeBase64, encodeBase64 } from '../util/base64.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';

export const PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';

export interface PathStat {
  name: string;
  size: number;
  /** Go's FileMode: permission bits plus ModeDir (1<<31) or ModeSymlink (1<<27). */
  mode: number;
  mtime: string;
  linkTarget: string;
}

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;

export function pathStat(name: string, st: Stat, linkTarget: string): PathStat {
  const fmt = st.mode & S_IFMT;
  const kind = fmt === S_IFDIR ? GO_MODE_DIR : fmt === S_IFLNK ? GO_MODE_SYMLINK : 0;
  return { name, size: st.size, mode: kind + (st.mode & 0o777), mtime: new Date(st.mtimeMs).toISOString(), linkTarget };
}

export function isDirMode(mode: number): boolean {
  return mode >= GO_MODE_DIR;
}

export function encodePathStat(s: PathStat): string {
  return encodeBase64(utf8Encode(JSON.stringify(s)));
}

export function decodePathStat(header: string): PathStat {
  return JSON.parse(utf8Decode(decodeBase64(header))) as PathStat;
}
