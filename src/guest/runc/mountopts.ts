// OCI mount options -> mount(2) flags, propagation flags and filesystem data, as runc maps them.

import {
  MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_PRIVATE,
  MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_STRICTATIME, MS_SYNCHRONOUS, MS_UNBINDABLE,
} from '../sys/constants.ts';

export interface MountFlags {
  flags: number;
  /** Propagation changes applied after the mount (each a separate mount(2) call). */
  propagation: number[];
  data: string;
}

const SET: Record<string, number> = {
  ro: MS_RDONLY, nosuid: MS_NOSUID, nodev: MS_NODEV, noexec: MS_NOEXEC, sync: MS_SYNCHRONOUS,
  dirsync: MS_DIRSYNC, mand: MS_MANDLOCK, noatime: MS_NOATIME, nodiratime: MS_NODIRATIME,
  relatime: MS_RELATIME, strictatime: MS_STRICTATIME, remount: MS_REMOUNT, bind: MS_BIND,
  rbind: MS_BIND | MS_REC,
};
const CLEAR: Record<string, number> = {
  rw: MS_RDONLY, suid: MS_NOSUID, dev: MS_NODEV, exec: MS_NOEXEC, async: MS_SYNCHRONOUS,
  nomand: MS_MANDLOCK, atime: MS_NOATIME, diratime: MS_NODIRATIME, norelatime: MS_RELATIME,
  nostrictatime: MS_STRICTATIME,
};
export const PROPAGATION: Record<string, number> = {
  private: MS_PRIVATE, rprivate: MS_PRIVATE | MS_REC, shared: MS_SHARED, rshared: MS_SHARED | MS_REC,
  slave: MS_SLAVE, rslave: MS_SLAVE | MS_REC, unbindable: MS_UNBINDABLE, runbindable: MS_UNBINDABLE | MS_REC,
};

export function parseMountOptions(options: readonly string[] = []): MountFlags {
  let flags = 0;
  const propagation: number[] = [];
  const data: string[] = [];
  for (const o of options) {
    const s = SET[o];
    const c = CLEAR[o];
    const p = PROPAGATION[o];
    if (s !== undefined) flags |= s;
    else if (c !== undefined) flags &= ~c;
    else if (p !== undefined) propagation.push(p);
    else data.push(o);
  }
  return { flags, propagation, data: data.join(',') };
}
