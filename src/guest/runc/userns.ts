// User namespaces with uid/gid mappings. The container's first process cannot map its own ids
// with full range (only a privileged process in the parent namespace can), so creation takes
// one more process than usual, as runc's does:
//
//   parent (runc)                       stage 1 (forked)                    init (pid 1)
//                                       join the cgroup and namespaces given
//                                       by path (still the host's root)
//                                       unshare(CLONE_NEWUSER)
//        <--------- "userns" -----------
//   write setgroups (rootless only),
//   then uid_map, then gid_map
//        ---------- "mapped" ---------->
//                                       setgid(0), setuid(0): root inside
//                                       unshare(the other namespaces)
//                                       fork ------------------------------>  pid 1 of the new
//        <--------- "pid" N ------------                                     pid namespace
//                                       exit
//
// Every namespace stage 1 unshares after the user namespace is owned by it, which is what lets
// the init mount proc, sysfs and mqueue and set the hostname. Stage 1's own view of the init's
// pid is the parent's (unshare(CLONE_NEWPID) moves only children), and the parent becomes a
// child subreaper first so that the init, orphaned when stage 1 exits, is still its child to wait
// for.

import { readLine, writeAll } from '../sys/io.ts';
import type { Fd, Syscalls } from '../sys/syscalls.ts';
import { CLONE_NEWUSER } from '../sys/constants.ts';
import { utf8Encode } from '../util/text.ts';
import { joinByPath } from './nsjoin.ts';
import type { OciIdMapping, OciNamespace, OciSpec } from './spec.ts';

/** Whether the config asks for a new user namespace (one given by path is joined like the others). */
export function wantsNewUserNs(spec: OciSpec): boolean {
  return (spec.linux?.namespaces ?? []).some((n) => n.type === 'user' && !n.path);
}

/** Checks the user namespace settings before anything starts; the message says what is wrong. */
export function checkUserNs(spec: OciSpec): void {
  const linux = spec.linux;
  const userNs = (linux?.namespaces ?? []).find((n) => n.type === 'user');
  const maps = [...(linux?.uidMappings ?? []), ...(linux?.gidMappings ?? [])];
  if (!userNs) {
    if (maps.length) throw new Error('user namespace mappings are set, but the config has no user namespace');
    return;
  }
  if (userNs.path) return;
  if (!linux?.uidMappings?.length || !linux.gidMappings?.length) {
    throw new Error('a new user namespace needs linux.uidMappings and linux.gidMappings');
  }
  for (const m of maps) {
    const ok = [m.containerID, m.hostID, m.size].every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
    if (!ok || m.size === 0) throw new Error(`invalid id mapping ${JSON.stringify(m)}`);
  }
}

/** The text of /proc/PID/uid_map or gid_map: one "inside outside count" line per range. */
export function idMapText(maps: readonly OciIdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * Parent side: maps stage 1's ids. The kernel takes each file in one write, once. setgroups must
 * say "deny" before an unprivileged writer may set gid_map; we write it only then (rootless), as
 * a privileged runtime leaves setgroups(2) usable for the container's additional groups.
 */
export function writeIdMaps(sys: Syscalls, pid: number, spec: OciSpec): void {
  const linux = spec.linux!;
  if (sys.geteuid() !== 0) writeProc(sys, `/proc/${pid}/setgroups`, 'deny');
  writeProc(sys, `/proc/${pid}/uid_map`, idMapText(linux.uidMappings ?? []));
  writeProc(sys, `/proc/${pid}/gid_map`, idMapText(linux.gidMappings ?? []));
}

function writeProc(sys: Syscalls, path: string, text: string): void {
  try {
    sys.writeFile(path, text);
  } catch (e) {
    throw new Error(`writing ${path}: ${(e as Error).message}`);
  }
}

/** Messages on stage 1's pipe to the parent (the init keeps using its own sync pipe). */
export type Stage1Message = { type: 'userns' } | { type: 'pid'; pid: number } | { type: 'error'; message: string };

export function sendStage1(sys: Syscalls, fd: Fd, m: Stage1Message): void {
  writeAll(sys, fd, utf8Encode(JSON.stringify(m) + '\n'));
}

export function readStage1(sys: Syscalls, fd: Fd): Stage1Message | null {
  const line = readLine(sys, fd);
  return line ? (JSON.parse(line) as Stage1Message) : null;
}

export interface Stage1Io {
  /** Write end of the pipe to the parent. */
  toParent: Fd;
  /** Read end of the parent's answer ("mapped"). */
  fromParent: Fd;
  /** The container's cgroup, joined before leaving the host's user namespace (null: none). */
  cgroupDir: string | null;
  /**
   * Namespaces given by path, entered before the new user namespace (which has no privilege
   * over them); a pid namespace then holds the init, the next child.
   */
  joins?: readonly OciNamespace[];
}

/**
 * Stage 1, in the forked child: enters the new user namespace, has the parent map it, becomes
 * root inside, unshares the other namespaces (flags, without CLONE_NEWUSER) and forks the init.
 * Returns 0 in the init and the init's pid in stage 1 (which sends it and should then exit).
 */
export function userNsStage1(sys: Syscalls, io: Stage1Io, flags: number): number {
  // writing cgroup.procs needs the host's root, which the new namespace no longer is
  if (io.cgroupDir) sys.writeFile(`${io.cgroupDir}/cgroup.procs`, '0');
  joinByPath(sys, io.joins ?? []);
  sys.unshare(CLONE_NEWUSER);
  sendStage1(sys, io.toParent, { type: 'userns' });
  if (readLine(sys, io.fromParent) !== 'mapped') throw new Error('the runtime did not map the user namespace');
  sys.close(io.fromParent);
  // until now our ids were unmapped (shown as the overflow id) in here; files the init creates
  // (device nodes, mount points) need a mapped owner
  sys.setgid(0);
  sys.setuid(0);
  const rest = flags & ~CLONE_NEWUSER;
  if (rest) sys.unshare(rest);
  const pid = sys.fork(0);
  if (pid !== 0) sendStage1(sys, io.toParent, { type: 'pid', pid });
  return pid;
}
