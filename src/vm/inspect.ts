// Host side of the inspector's snapshot (the guest's collector: src/guest/inspect/collect.ts,
// answered by the control agent's "I" request). The guest sends compact JSON; this checks its
// shape and turns it into the typed model the app draws, so a damaged or foreign answer is a
// clear error rather than a broken view.

export const NAMESPACE_KINDS = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup'] as const;
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];

export interface InspectProcess {
  pid: number;
  ppid: number;
  /** The kernel's command name (15 characters at most). */
  comm: string;
  /** R, S, D, Z, T... as in /proc/PID/stat. */
  state: string;
  /** The command line, arguments joined by spaces ("" for a zombie). */
  cmd: string;
  /** Namespace inode numbers by kind; 0 when unreadable. */
  ns: Record<NamespaceKind, number>;
  /** The cgroup v2 path ("/docker/<id>"), or null. */
  cgroup: string | null;
  /** CPU time used, in clock ticks. */
  cpuTicks: number;
}

export interface InspectCgroup {
  /** "/" for the root group. */
  path: string;
  memoryCurrent: number | null;
  /** null: no limit ("max"), or no memory controller in this group. */
  memoryMax: number | null;
  pidsCurrent: number | null;
  pidsMax: number | null;
  /** cpu.stat usage_usec: CPU time used by the group, cumulative. */
  cpuUsageUsec: number | null;
  /** memory.events oom_kill: processes the OOM killer killed here (and below), cumulative. */
  oomKills: number | null;
  /** Processes directly in this group. */
  processes: number;
}

export interface InspectContainer {
  id: string;
  name: string;
  image: string;
  status: string;
  /** The container's init process in the guest, 0 when it is not running. */
  pid: number;
  oomKilled: boolean;
  /** docker run -m in bytes, 0 for none. */
  memoryLimit: number;
}

export interface InspectSnapshot {
  /** Guest monotonic clock when the snapshot was taken, ms. */
  guestTimeMs: number;
  /** Guest time the collection took, ms. */
  costMs: number;
  /** Its parts (cgroup walk, processes, dockerd's records), when the guest reports them. */
  phasesMs: Record<string, number>;
  processes: InspectProcess[];
  cgroups: InspectCgroup[];
  containers: InspectContainer[];
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

type Obj = Record<string, unknown>;

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SnapshotError(`${where}: not an object`);
  return v as Obj;
}
function num(o: Obj, k: string, where: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SnapshotError(`${where}.${k}: not a number`);
  return v;
}
function numOrNull(o: Obj, k: string, where: string): number | null {
  return o[k] === null ? null : num(o, k, where);
}
function str(o: Obj, k: string, where: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw new SnapshotError(`${where}.${k}: not a string`);
  return v;
}
function arr(o: Obj, k: string, where: string): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) throw new SnapshotError(`${where}.${k}: not a list`);
  return v;
}

/** Decodes the agent's answer; throws SnapshotError saying what is wrong. */
export function decodeSnapshot(text: string): InspectSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`the inspector snapshot is not JSON (${(e as Error).message}): ${JSON.stringify(text.slice(0, 80))}`);
  }
  const s = obj(raw, 'snapshot');
  if (s.v !== 1) throw new SnapshotError(`unknown inspector snapshot version ${JSON.stringify(s.v)} (this page reads version 1)`);
  const kinds = arr(s, 'nsKinds', 'snapshot');
  const index = NAMESPACE_KINDS.map((k) => kinds.indexOf(k));
  const processes = arr(s, 'procs', 'snapshot').map((p, i): InspectProcess => {
    const w = `procs[${i}]`;
    const o = obj(p, w);
    const ns = arr(o, 'ns', w);
    const byKind = {} as Record<NamespaceKind, number>;
    NAMESPACE_KINDS.forEach((k, j) => {
      const at = index[j] ?? -1;
      const v = at >= 0 ? ns[at] : 0;
      byKind[k] = typeof v === 'number' ? v : 0;
    });
    const cg = o.cg;
    if (cg !== null && typeof cg !== 'string') throw new SnapshotError(`${w}.cg: not a string`);
    return {
      pid: num(o, 'pid', w),
      ppid: num(o, 'ppid', w),
      comm: str(o, 'comm', w),
      state: str(o, 'state', w),
      cmd: str(o, 'cmd', w),
      ns: byKind,
      cgroup: cg,
      cpuTicks: num(o, 'cpu', w),
    };
  });
  const cgroups = arr(s, 'cgroups', 'snapshot').map((c, i): InspectCgroup => {
    const w = `cgroups[${i}]`;
    const o = obj(c, w);
    return {
      path: str(o, 'path', w),
      memoryCurrent: numOrNull(o, 'memCur', w),
      memoryMax: numOrNull(o, 'memMax', w),
      pidsCurrent: numOrNull(o, 'pidsCur', w),
      pidsMax: numOrNull(o, 'pidsMax', w),
      cpuUsageUsec: numOrNull(o, 'cpuUsec', w),
      oomKills: numOrNull(o, 'oomKill', w),
      processes: num(o, 'procs', w),
    };
  });
  const containers = arr(s, 'containers', 'snapshot').map((c, i): InspectContainer => {
    const w = `containers[${i}]`;
    const o = obj(c, w);
    return {
      id: str(o, 'id', w),
      name: str(o, 'name', w),
      image: str(o, 'image', w),
      status: str(o, 'status', w),
      pid: num(o, 'pid', w),
      oomKilled: o.oomKilled === true,
      memoryLimit: num(o, 'memLimit', w),
    };
  });
  const phasesMs: Record<string, number> = {};
  if (typeof s.phasesMs === 'object' && s.phasesMs !== null)
    for (const [k, v] of Object.entries(s.phasesMs as Obj)) if (typeof v === 'number') phasesMs[k] = v;
  return { guestTimeMs: num(s, 't', 'snapshot'), costMs: num(s, 'costMs', 'snapshot'), phasesMs, processes, cgroups, containers };
}
