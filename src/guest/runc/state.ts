// Container state kept by runc under its root (/run/runc/<id>/state.json), and the status derived
// from the live process as `runc state` reports it (created, running, stopped).

import type { Syscalls } from '../sys/syscalls.ts';
import { isErrno } from '../sys/errors.ts';
import { utf8Decode } from '../util/text.ts';
import { writeFileAtomic } from '../util/fsutil.ts';

export const DEFAULT_ROOT = '/run/runc';

export interface RuncState {
  ociVersion: string;
  id: string;
  pid: number;
  bundle: string;
  rootfs: string;
  /** ISO time of creation. */
  created: string;
  /** Start time of the init process (field 22 of /proc/PID/stat), to detect pid reuse. */
  initStartTime: number;
  cgroupDir: string | null;
  annotations: Record<string, string>;
  owner: string;
}

export type Status = 'created' | 'running' | 'stopped' | 'paused';

export const VALID_ID = /^[a-zA-Z0-9][a-zA-Z0-9_+.-]*$/;

export function checkId(id: string): void {
  if (!VALID_ID.test(id) || id.length > 1024) throw new Error(`invalid container id format: ${id}`);
}

export function stateDir(root: string, id: string): string {
  checkId(id);
  return `${root}/${id}`;
}

/** Parses /proc/PID/stat: the state letter and start time, robust to spaces in comm. */
export function parseProcStat(text: string): { state: string; startTime: number } {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return { state: fields[0] ?? '?', startTime: Number(fields[19] ?? 0) };
}

export function procStat(sys: Syscalls, pid: number): { state: string; startTime: number } | null {
  try {
    return parseProcStat(utf8Decode(sys.readFile(`/proc/${pid}/stat`)));
  } catch {
    return null;
  }
}

export function loadState(sys: Syscalls, root: string, id: string): RuncState {
  const dir = stateDir(root, id);
  let text: string;
  try {
    text = utf8Decode(sys.readFile(`${dir}/state.json`));
  } catch (e) {
    if (isErrno(e, 'ENOENT')) throw new Error(`container does not exist`);
    throw e;
  }
  return JSON.parse(text) as RuncState;
}

export function saveState(sys: Syscalls, root: string, s: RuncState): void {
  writeFileAtomic(sys, `${stateDir(root, s.id)}/state.json`, JSON.stringify(s));
}

export function statusOf(sys: Syscalls, root: string, s: RuncState): Status {
  if (s.pid <= 0) return 'stopped';
  const st = procStat(sys, s.pid);
  if (!st || st.state === 'Z' || st.state === 'X' || st.startTime !== s.initStartTime) return 'stopped';
  try {
    sys.lstat(`${stateDir(root, s.id)}/exec.fifo`);
    return 'created';
  } catch {
    return 'running';
  }
}

/** The JSON `runc state` prints. */
export function stateJson(sys: Syscalls, root: string, s: RuncState): Record<string, unknown> {
  const status = statusOf(sys, root, s);
  return {
    ociVersion: s.ociVersion,
    id: s.id,
    pid: status === 'stopped' ? 0 : s.pid,
    status,
    bundle: s.bundle,
    rootfs: s.rootfs,
    created: s.created,
    owner: s.owner,
    annotations: s.annotations,
  };
}
