// The inspector's collector: one compact JSON-ready snapshot of what the kernel holds (the
// process tree with each process's namespaces and cgroup, the cgroup v2 tree with its counters
// and limits, dockerd's containers), read straight from /proc, /sys/fs/cgroup and dockerd's
// records with plain reads in the calling process. The control agent runs it in-process for an
// "I" request: no fork, no exec, no shell, so a refresh costs the guest only these reads.
// Wire format: src/vm/inspect.ts (host side), which validates what arrives.

import type { Syscalls } from '../sys/syscalls.ts';
import { O_CLOEXEC, O_RDONLY } from '../sys/constants.ts';
import { utf8Decode } from '../util/text.ts';
import { LayerCollector, type SnapshotStack } from './layers.ts';
import { containerNetRecord, NetCollector, type ContainerNetRecord, type SnapshotNet } from './net.ts';
import { DEFAULT_PARTS, partNames, type Parts } from './parts.ts';
import { NS_KINDS, parseCmdline, parseKeyed, parseLimit, parseNsLink, parseProcCgroup, parseStat } from './parse.ts';

export const SNAPSHOT_VERSION = 1;
const CGROUP_ROOT = '/sys/fs/cgroup';
const CONTAINERS_DIR = '/var/lib/docker/containers';
/** Groups deeper than this are not walked (a learner's nested experiments stay bounded). */
const MAX_CGROUP_DEPTH = 6;
const MAX_CGROUPS = 200;
const MAX_PROCS = 400;
/** The oldest a process's remembered namespaces may be (see Collector.nsByPid). */
export const NS_MAX_AGE_MS = 3000;

export interface SnapshotProc {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
  cmd: string;
  /** Namespace inode numbers in NS_KINDS order (0: unreadable, e.g. a zombie). */
  ns: number[];
  cg: string | null;
  cpu: number;
}

export interface SnapshotCgroup {
  path: string;
  memCur: number | null;
  /** null: no limit ("max") or no memory controller here. */
  memMax: number | null;
  pidsCur: number | null;
  pidsMax: number | null;
  cpuUsec: number | null;
  oomKill: number | null;
  procs: number;
}

export interface SnapshotContainer {
  id: string;
  name: string;
  image: string;
  status: string;
  pid: number;
  oomKilled: boolean;
  memLimit: number;
}

export interface Snapshot {
  v: number;
  /** Guest monotonic clock at the start of collection, ms. */
  t: number;
  /** Guest time the collection took, ms, and its parts. */
  costMs: number;
  phasesMs: Record<string, number>;
  /** The parts collected (parts.ts): procs and cgroups are empty lists when not asked for. */
  parts: string[];
  nsKinds: readonly string[];
  procs: SnapshotProc[];
  cgroups: SnapshotCgroup[];
  containers: SnapshotContainer[];
  /** Overlay stacks of the running containers (asked for with "layers"). */
  layers?: SnapshotStack[];
  net?: SnapshotNet;
}

interface CachedContainer {
  mtimeMs: number;
  info: SnapshotContainer | null;
  net: ContainerNetRecord | null;
}

/**
 * Reads snapshots with one reused buffer and a cache of dockerd's container records (parsed
 * again only when a record's file changes: JSON.parse of a few KiB is not free in the guest).
 */
export class Collector {
  private readonly buf = new Uint8Array(16384);
  private readonly records = new Map<string, CachedContainer>();
  /** Kernel threads seen (skipped without reading their stat again: a third of /proc in the guest). */
  private kthreads = new Set<number>();
  /** Command lines by pid, kept while the process and its command name stay the same (exec changes comm). */
  private cmdlines = new Map<number, { key: string; cmd: string }>();
  /**
   * Namespace inodes by pid, kept like command lines and re-read at least every NS_MAX_AGE_MS:
   * seven readlinks are most of a process's walk, and a process changes namespaces almost only
   * at an exec (new comm) or as a new pid; unshare(2) or setns(2) without an exec shows within
   * that age.
   */
  private nsByPid = new Map<number, { key: string; ns: number[]; at: number }>();

  private readonly layerCollector: LayerCollector;
  private readonly netCollector: NetCollector;

  constructor(private readonly sys: Syscalls) {
    this.layerCollector = new LayerCollector(sys, (p) => this.read(p));
    this.netCollector = new NetCollector(sys, (p) => this.read(p));
  }

  snapshot(parts: Parts = DEFAULT_PARTS): Snapshot {
    const clock = () => this.sys.monotonicMs();
    const ms = (x: number) => Math.round(x * 10) / 10;
    const phasesMs: Record<string, number> = {};
    const t = clock();
    let last = t;
    const phase = (name: string): void => {
      const now = clock();
      phasesMs[name] = ms(now - last);
      last = now;
    };
    const cgroups: SnapshotCgroup[] = [];
    let procs: SnapshotProc[] = [];
    if (parts.procs || parts.cgroups) {
      // each group's cgroup.procs says which processes are in it: that spares reading
      // /proc/PID/cgroup for every process; without the cgroups view only that is read
      const groupOf = new Map<number, string>();
      this.cgroups(CGROUP_ROOT, '/', 0, cgroups, groupOf, parts.cgroups);
      phase('cgroups');
      if (parts.procs) {
        procs = this.procs(groupOf);
        phase('procs');
      }
      if (!parts.cgroups) cgroups.length = 0;
    }
    const containers = this.containers();
    phase('containers');
    const snap: Snapshot = { v: SNAPSHOT_VERSION, t, costMs: 0, phasesMs, parts: partNames(parts), nsKinds: NS_KINDS, procs, cgroups, containers };
    if (parts.layers) {
      snap.layers = this.layerCollector.stacks(parts.layersFocus);
      phase('layers');
    }
    if (parts.net) {
      const recs: ContainerNetRecord[] = [];
      for (const c of this.records.values()) if (c.net) recs.push(c.net);
      snap.net = this.netCollector.collect(recs);
      phase('net');
    }
    snap.costMs = ms(last - t);
    return snap;
  }

  /** A small file's text, or null when it is gone (a process that exited mid-walk) or unreadable. */
  private read(path: string): string | null {
    let fd: number;
    try {
      fd = this.sys.open(path, O_RDONLY | O_CLOEXEC);
    } catch {
      return null;
    }
    try {
      let len = 0;
      for (;;) {
        const want = this.buf.length - len;
        const n = this.sys.read(fd, len === 0 ? this.buf : this.buf.subarray(len));
        if (n <= 0) break;
        len += n;
        // a short read is the end: /proc and /sys files (seq_file, sysfs) fill the buffer until
        // they run out, and so do local files; it spares a read() that would return 0 (a fifth
        // of the calls of a process's walk)
        if (n < want || len >= this.buf.length) break;
      }
      return utf8Decode(this.buf, 0, len);
    } catch {
      return null;
    } finally {
      this.sys.close(fd);
    }
  }

  private procs(groupOf: Map<number, string>): SnapshotProc[] {
    const out: SnapshotProc[] = [];
    let entries;
    try {
      entries = this.sys.readdir('/proc');
    } catch {
      return out;
    }
    const kthreads = new Set<number>();
    const cmdlines = new Map<number, { key: string; cmd: string }>();
    const nsByPid = new Map<number, { key: string; ns: number[]; at: number }>();
    const now = this.sys.monotonicMs();
    for (const e of entries) {
      if (out.length >= MAX_PROCS) break;
      const c = e.name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(e.name);
      // pids count up and wrap only after 32768 more: a pid seen as a kernel thread a second ago still is one
      if (this.kthreads.has(pid)) {
        kthreads.add(pid);
        continue;
      }
      const statText = this.read(`/proc/${pid}/stat`);
      const st = statText === null ? null : parseStat(statText);
      if (!st) continue;
      // kernel threads (kthreadd, pid 2, and its children) have no cmdline and no place in the tree a learner looks at
      if (pid === 2 || st.ppid === 2) {
        kthreads.add(pid);
        continue;
      }
      const key = `${st.start} ${st.comm}`;
      let known = this.nsByPid.get(pid);
      if (!known || known.key !== key || now - known.at >= NS_MAX_AGE_MS || known.ns.includes(0)) {
        const ns: number[] = [];
        for (const kind of NS_KINDS) {
          let link = '';
          try {
            link = this.sys.readlink(`/proc/${pid}/ns/${kind}`);
          } catch {
            // a zombie has no namespaces left
          }
          ns.push(parseNsLink(link));
        }
        known = { key, ns, at: now };
      }
      nsByPid.set(pid, known);
      const ns = known.ns;
      let cmd = this.cmdlines.get(pid);
      if (!cmd || cmd.key !== key || cmd.cmd === '') {
        const cmdText = this.read(`/proc/${pid}/cmdline`);
        cmd = { key, cmd: cmdText ? parseCmdline(cmdText) : '' };
      }
      cmdlines.set(pid, cmd);
      let cg = groupOf.get(pid) ?? null;
      if (cg === null && groupOf.size === 0) {
        // no cgroup v2 hierarchy at /sys/fs/cgroup (a host on v1): ask the process
        const cgText = this.read(`/proc/${pid}/cgroup`);
        cg = cgText === null ? null : parseProcCgroup(cgText);
      }
      out.push({
        pid,
        ppid: st.ppid,
        comm: st.comm,
        state: st.state,
        cmd: cmd.cmd,
        ns,
        cg,
        cpu: st.cpuTicks,
      });
    }
    this.kthreads = kthreads;
    this.cmdlines = cmdlines;
    this.nsByPid = nsByPid;
    return out;
  }

  /** Walks the cgroup tree; with `counters` false only cgroup.procs (for the process view's container column). */
  private cgroups(dir: string, path: string, depth: number, out: SnapshotCgroup[], groupOf: Map<number, string>, counters: boolean): void {
    if (out.length >= MAX_CGROUPS) return;
    const procsText = this.read(`${dir}/cgroup.procs`);
    if (procsText === null) return;
    let procs = 0;
    for (const line of procsText.split('\n')) {
      if (line === '') continue;
      groupOf.set(Number(line), path);
      procs++;
    }
    let entries;
    try {
      entries = this.sys.readdir(dir);
    } catch {
      return;
    }
    // only the files the group has (the root group has no memory.* or pids.* files): a failed
    // open costs a thrown error, which is slow to build in QuickJS on the emulated CPU
    const has = new Set<string>();
    if (counters) for (const e of entries) if (e.type !== 'dir') has.add(e.name);
    const file = (name: string): string | null => (has.has(name) ? this.read(`${dir}/${name}`) : null);
    const limit = (name: string): number | null => {
      const t = file(name);
      return t === null ? null : parseLimit(t);
    };
    const events = file('memory.events');
    const cpu = file('cpu.stat');
    out.push({
      path,
      memCur: limit('memory.current'),
      memMax: limit('memory.max'),
      pidsCur: limit('pids.current'),
      pidsMax: limit('pids.max'),
      cpuUsec: cpu === null ? null : (parseKeyed(cpu).usage_usec ?? null),
      oomKill: events === null ? null : (parseKeyed(events).oom_kill ?? 0),
      procs,
    });
    if (depth >= MAX_CGROUP_DEPTH) return;
    for (const e of entries) {
      if (e.type !== 'dir' || e.name === '.' || e.name === '..') continue;
      this.cgroups(`${dir}/${e.name}`, path === '/' ? `/${e.name}` : `${path}/${e.name}`, depth + 1, out, groupOf, counters);
    }
  }

  private containers(): SnapshotContainer[] {
    let entries;
    try {
      entries = this.sys.readdir(CONTAINERS_DIR);
    } catch {
      this.records.clear();
      return [];
    }
    const seen = new Set<string>();
    const out: SnapshotContainer[] = [];
    for (const e of entries) {
      if (e.type !== 'dir' || !/^[0-9a-f]{64}$/.test(e.name)) continue;
      const file = `${CONTAINERS_DIR}/${e.name}/config.v2.json`;
      const st = this.sys.statOrNull(file);
      if (!st) continue;
      seen.add(e.name);
      let cached = this.records.get(e.name);
      if (!cached || cached.mtimeMs !== st.mtimeMs) {
        // records are rewritten atomically (rename), so a changed mtime means a whole new file
        cached = { mtimeMs: st.mtimeMs, ...this.record(e.name, file) };
        this.records.set(e.name, cached);
      }
      if (cached.info) out.push(cached.info);
    }
    for (const id of [...this.records.keys()]) if (!seen.has(id)) this.records.delete(id);
    return out;
  }

  private record(id: string, file: string): { info: SnapshotContainer | null; net: ContainerNetRecord | null } {
    let rec: unknown;
    try {
      rec = JSON.parse(utf8Decode(this.sys.readFile(file)));
    } catch {
      return { info: null, net: null };
    }
    const info = containerFields(id, rec);
    return { info, net: info ? containerNetRecord(id, rec) : null };
  }
}

/** The fields the inspector shows from a config.v2.json record, or null when it is not one. */
export function containerInfo(id: string, json: string): SnapshotContainer | null {
  let rec: unknown;
  try {
    rec = JSON.parse(json);
  } catch {
    return null;
  }
  return containerFields(id, rec);
}

function containerFields(id: string, rec: unknown): SnapshotContainer | null {
  if (typeof rec !== 'object' || rec === null) return null;
  const r = rec as {
    Name?: unknown;
    ImageName?: unknown;
    Config?: { Image?: unknown };
    State?: { Status?: unknown; Pid?: unknown; OOMKilled?: unknown };
    HostConfig?: { Memory?: unknown };
  };
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const name = str(r.Name);
  return {
    id,
    name: name.startsWith('/') ? name.slice(1) : name,
    image: str(r.ImageName) || str(r.Config?.Image),
    status: str(r.State?.Status),
    pid: typeof r.State?.Pid === 'number' ? r.State.Pid : 0,
    oomKilled: r.State?.OOMKilled === true,
    memLimit: typeof r.HostConfig?.Memory === 'number' ? r.HostConfig.Memory : 0,
  };
}
