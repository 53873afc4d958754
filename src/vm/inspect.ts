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

export interface InspectLayer {
  dir: string;
  /** Chain ID and diff ID from dockerd's layerdb; "" for a dir that is no known layer. */
  chain: string;
  diffId: string;
  files: number;
  dirs: number;
  bytes: number;
  /** False while the guest is still counting the layer's files (a few refreshes for a big one). */
  complete: boolean;
  /** The image's shared read-only view this dir is reached through, or "". */
  via: string;
}

export type UpperKind = 'file' | 'dir' | 'opaque' | 'whiteout' | 'symlink' | 'other';

export interface InspectUpperEntry {
  path: string;
  kind: UpperKind;
  size: number;
}

/** A running container's overlay mount, as the guest kernel has it. */
export interface InspectStack {
  id: string;
  merged: string;
  upper: string;
  work: string;
  /** Bottom layer first. */
  lower: InspectLayer[];
  /** The upper dir's entries, for the container the request focused on (null for the others). */
  upperEntries: InspectUpperEntry[] | null;
  upperFiles: number;
  upperBytes: number;
  upperTruncated: boolean;
}

export interface InspectVeth {
  name: string;
  ifindex: number;
  /** The peer's interface index, in the container's namespace. */
  peerIfindex: number;
  rx: number;
  tx: number;
}

export interface InspectBridge {
  name: string;
  network: string;
  networkId: string;
  ifindex: number;
  addrs: string[];
  subnet: string;
  ports: InspectVeth[];
}

export interface InspectIface {
  name: string;
  /** 0: not known. */
  ifindex: number;
  addrs: string[];
  rx: number;
  tx: number;
}

export interface InspectEndpoint {
  network: string;
  veth: string;
  ip: string;
  prefixLen: number;
  mac: string;
  gateway: string;
}

export interface InspectPort {
  port: string;
  hostIp: string;
  hostPort: string;
}

export interface InspectNetContainer {
  id: string;
  netns: number;
  hostNetwork: boolean;
  ifaces: InspectIface[];
  endpoints: InspectEndpoint[];
  ports: InspectPort[];
  defaultGateway: string;
}

export interface InspectNet {
  hostNetns: number;
  bridges: InspectBridge[];
  containers: InspectNetContainer[];
}

export interface InspectSnapshot {
  /** Guest monotonic clock when the snapshot was taken, ms. */
  guestTimeMs: number;
  /** Guest time the collection took, ms. */
  costMs: number;
  /** Its parts (cgroup walk, processes, dockerd's records...), when the guest reports them. */
  phasesMs: Record<string, number>;
  /** The parts the guest collected (an older guest: procs and cgroups). */
  parts: InspectPart[];
  processes: InspectProcess[];
  cgroups: InspectCgroup[];
  containers: InspectContainer[];
  /** Present when the request asked for layers. */
  layers: InspectStack[] | null;
  net: InspectNet | null;
}

/** What a refresh collects: each view needs only some parts (the process walk is the costly one). */
export const INSPECT_PARTS = ['procs', 'cgroups', 'layers', 'net'] as const;
export type InspectPart = (typeof INSPECT_PARTS)[number];

export interface InspectRequest {
  parts: InspectPart[];
  /** The container (ID or prefix) whose upper dir the layers part lists. */
  layersFocus?: string | null;
}

/** The request's parts field ("procs,layers=abc123"); "" for the default (processes and cgroups). */
export function encodeParts(req: InspectRequest | undefined): string {
  if (!req) return '';
  return req.parts
    .map((p) => (p === 'layers' && req.layersFocus && /^[0-9a-f]{1,64}$/.test(req.layersFocus) ? `layers=${req.layersFocus}` : p))
    .join(',');
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
  const layers = s.layers === undefined ? null : arr(s, 'layers', 'snapshot').map(decodeStack);
  const net = s.net === undefined ? null : decodeNet(obj(s.net, 'snapshot.net'));
  const parts = Array.isArray(s.parts) ? s.parts.filter((p): p is InspectPart => (INSPECT_PARTS as readonly unknown[]).includes(p)) : (['procs', 'cgroups'] as InspectPart[]);
  const phasesMs: Record<string, number> = {};
  if (typeof s.phasesMs === 'object' && s.phasesMs !== null)
    for (const [k, v] of Object.entries(s.phasesMs as Obj)) if (typeof v === 'number') phasesMs[k] = v;
  return { guestTimeMs: num(s, 't', 'snapshot'), costMs: num(s, 'costMs', 'snapshot'), phasesMs, parts, processes, cgroups, containers, layers, net };
}

const UPPER_KINDS: readonly string[] = ['file', 'dir', 'opaque', 'whiteout', 'symlink', 'other'];

function strs(o: Obj, k: string, where: string): string[] {
  return arr(o, k, where).map((v, i) => {
    if (typeof v !== 'string') throw new SnapshotError(`${where}.${k}[${i}]: not a string`);
    return v;
  });
}

function decodeStack(v: unknown, i: number): InspectStack {
  const w = `layers[${i}]`;
  const o = obj(v, w);
  const lower = arr(o, 'lower', w).map((l, j): InspectLayer => {
    const lw = `${w}.lower[${j}]`;
    const x = obj(l, lw);
    return { dir: str(x, 'dir', lw), chain: str(x, 'chain', lw), diffId: str(x, 'diffId', lw), files: num(x, 'files', lw), dirs: num(x, 'dirs', lw), bytes: num(x, 'bytes', lw), complete: x.complete === true, via: str(x, 'via', lw) };
  });
  const upperEntries =
    o.upperEntries === null
      ? null
      : arr(o, 'upperEntries', w).map((e, j): InspectUpperEntry => {
          const ew = `${w}.upperEntries[${j}]`;
          const x = obj(e, ew);
          const kind = str(x, 'kind', ew);
          if (!UPPER_KINDS.includes(kind)) throw new SnapshotError(`${ew}.kind: unknown kind ${JSON.stringify(kind)}`);
          return { path: str(x, 'path', ew), kind: kind as UpperKind, size: num(x, 'size', ew) };
        });
  return {
    id: str(o, 'id', w), merged: str(o, 'merged', w), upper: str(o, 'upper', w), work: str(o, 'work', w), lower, upperEntries,
    upperFiles: num(o, 'upperFiles', w), upperBytes: num(o, 'upperBytes', w), upperTruncated: o.upperTruncated === true,
  };
}

function decodeVeth(v: unknown, w: string): InspectVeth {
  const o = obj(v, w);
  return { name: str(o, 'name', w), ifindex: num(o, 'ifindex', w), peerIfindex: num(o, 'peerIfindex', w), rx: num(o, 'rx', w), tx: num(o, 'tx', w) };
}

function decodeNet(o: Obj): InspectNet {
  const w = 'net';
  const bridges = arr(o, 'bridges', w).map((b, i): InspectBridge => {
    const bw = `${w}.bridges[${i}]`;
    const x = obj(b, bw);
    return {
      name: str(x, 'name', bw), network: str(x, 'network', bw), networkId: str(x, 'networkId', bw), ifindex: num(x, 'ifindex', bw), addrs: strs(x, 'addrs', bw), subnet: str(x, 'subnet', bw),
      ports: arr(x, 'ports', bw).map((p, j) => decodeVeth(p, `${bw}.ports[${j}]`)),
    };
  });
  const containers = arr(o, 'containers', w).map((c, i): InspectNetContainer => {
    const cw = `${w}.containers[${i}]`;
    const x = obj(c, cw);
    return {
      id: str(x, 'id', cw),
      netns: num(x, 'netns', cw),
      hostNetwork: x.hostNetwork === true,
      ifaces: arr(x, 'ifaces', cw).map((f, j): InspectIface => {
        const fw = `${cw}.ifaces[${j}]`;
        const y = obj(f, fw);
        return { name: str(y, 'name', fw), ifindex: num(y, 'ifindex', fw), addrs: strs(y, 'addrs', fw), rx: num(y, 'rx', fw), tx: num(y, 'tx', fw) };
      }),
      endpoints: arr(x, 'endpoints', cw).map((e, j): InspectEndpoint => {
        const ew = `${cw}.endpoints[${j}]`;
        const y = obj(e, ew);
        return { network: str(y, 'network', ew), veth: str(y, 'veth', ew), ip: str(y, 'ip', ew), prefixLen: num(y, 'prefixLen', ew), mac: str(y, 'mac', ew), gateway: str(y, 'gateway', ew) };
      }),
      ports: arr(x, 'ports', cw).map((p, j): InspectPort => {
        const pw = `${cw}.ports[${j}]`;
        const y = obj(p, pw);
        return { port: str(y, 'port', pw), hostIp: str(y, 'hostIp', pw), hostPort: str(y, 'hostPort', pw) };
      }),
      defaultGateway: str(x, 'defaultGateway', cw),
    };
  });
  return { hostNetns: num(o, 'hostNetns', w), bridges, containers };
}
