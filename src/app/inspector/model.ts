// The inspector's pure logic: the snapshot from the guest (src/vm/inspect.ts) turned into what
// the views draw: the process tree with a colour per namespace, the container a process belongs
// to, the cgroup tree with CPU history and OOM events across snapshots. No DOM, no Svelte:
// tested in Node (test/app/inspector/model.test.ts).
import { NAMESPACE_KINDS, type InspectCgroup, type InspectContainer, type InspectProcess, type InspectSnapshot, type NamespaceKind } from '../../vm/inspect.ts';

export { NAMESPACE_KINDS, type NamespaceKind };

/** A colour slot: 0 is the host's own namespace (pid 1's), 1.. are the others in order of appearance. */
export type ColourSlot = number;
export const PALETTE_SIZE = 8;

export interface ProcessRow {
  proc: InspectProcess;
  depth: number;
  /** Colour slot per namespace kind. */
  colours: Record<NamespaceKind, ColourSlot>;
  /** The container this process runs in (its cgroup), or null. */
  container: InspectContainer | null;
  /** Whether each of its namespaces differs from pid 1's (a namespace of its own). */
  own: Record<NamespaceKind, boolean>;
}

/** The container a cgroup path belongs to: /docker/<id> and anything below it. */
export function containerIdOfCgroup(path: string | null): string | null {
  if (!path) return null;
  const m = /^\/docker\/([0-9a-f]{64})(?:\/|$)/.exec(path);
  return m ? m[1]! : null;
}

/**
 * A stable colour slot per namespace inode and kind: the host's namespace (pid 1's) is slot 0,
 * every other inode gets the next slot of its kind in pid order, cycling through the palette, so
 * processes that share a namespace share a colour and a new container gets new colours.
 */
export function namespaceSlots(processes: InspectProcess[]): Record<NamespaceKind, Map<number, ColourSlot>> {
  const init = processes.find((p) => p.pid === 1);
  const slots = {} as Record<NamespaceKind, Map<number, ColourSlot>>;
  for (const kind of NAMESPACE_KINDS) {
    const m = new Map<number, ColourSlot>();
    if (init && init.ns[kind]) m.set(init.ns[kind], 0);
    let next = 1;
    for (const p of [...processes].sort((a, b) => a.pid - b.pid)) {
      const ino = p.ns[kind];
      if (!ino || m.has(ino)) continue;
      m.set(ino, ((next - 1) % (PALETTE_SIZE - 1)) + 1);
      next++;
    }
    slots[kind] = m;
  }
  return slots;
}

/** Processes depth first from pid 1 (children in pid order); orphans of an unseen parent start their own roots. */
export function processRows(snapshot: InspectSnapshot): ProcessRow[] {
  const procs = snapshot.processes;
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const children = new Map<number, InspectProcess[]>();
  const roots: InspectProcess[] = [];
  for (const p of procs) {
    if (p.pid !== p.ppid && byPid.has(p.ppid)) {
      const list = children.get(p.ppid) ?? [];
      list.push(p);
      children.set(p.ppid, list);
    } else roots.push(p);
  }
  const slots = namespaceSlots(procs);
  const init = byPid.get(1);
  const containers = new Map(snapshot.containers.map((c) => [c.id, c]));
  const rows: ProcessRow[] = [];
  const seen = new Set<number>();
  const visit = (p: InspectProcess, depth: number): void => {
    if (seen.has(p.pid)) return;
    seen.add(p.pid);
    const colours = {} as Record<NamespaceKind, ColourSlot>;
    const own = {} as Record<NamespaceKind, boolean>;
    for (const kind of NAMESPACE_KINDS) {
      colours[kind] = slots[kind].get(p.ns[kind]) ?? 0;
      own[kind] = !!init && p.ns[kind] !== 0 && p.ns[kind] !== init.ns[kind];
    }
    const id = containerIdOfCgroup(p.cgroup);
    rows.push({ proc: p, depth, colours, own, container: id ? (containers.get(id) ?? null) : null });
    for (const c of (children.get(p.pid) ?? []).sort((a, b) => a.pid - b.pid)) visit(c, depth + 1);
  };
  for (const r of roots.sort((a, b) => a.pid - b.pid)) visit(r, 0);
  return rows;
}

/**
 * What selecting a container highlights: its processes (those in its cgroup) and the namespace
 * inodes they are in; a process outside the container that shares one of them (a `docker run
 * --pid container:...` neighbour, or the host for a namespace the container did not unshare) is
 * marked per kind by the view.
 */
export function containerSet(snapshot: InspectSnapshot, id: string): { pids: Set<number>; ns: Record<NamespaceKind, Set<number>> } {
  const pids = new Set<number>();
  const ns = {} as Record<NamespaceKind, Set<number>>;
  for (const kind of NAMESPACE_KINDS) ns[kind] = new Set();
  for (const p of snapshot.processes) {
    if (containerIdOfCgroup(p.cgroup) !== id) continue;
    pids.add(p.pid);
    for (const kind of NAMESPACE_KINDS) if (p.ns[kind]) ns[kind].add(p.ns[kind]);
  }
  return { pids, ns };
}

/** Containers that have processes now (running ones first, by name). */
export function runningContainers(snapshot: InspectSnapshot): InspectContainer[] {
  const withProcs = new Set(snapshot.processes.map((p) => containerIdOfCgroup(p.cgroup)).filter((x): x is string => x !== null));
  return snapshot.containers.filter((c) => withProcs.has(c.id)).sort((a, b) => a.name.localeCompare(b.name));
}

/** "4026532201" -> "…2201": enough to tell namespaces apart on screen (the full number is in the title). */
export function shortInode(ino: number): string {
  return ino ? String(ino).slice(-4) : '?';
}

// ---- cgroups over time ----

export interface OomEvent {
  /** Guest clock, ms. */
  at: number;
  /** The group the kill was counted in (the deepest one that still existed when seen), or the container. */
  path: string;
  container: string | null;
  kills: number;
}

export interface CgroupRow {
  group: InspectCgroup;
  depth: number;
  /** The last part of the path, or the container's name for /docker/<id>. */
  label: string;
  container: InspectContainer | null;
  /** CPU use in percent of one CPU between consecutive snapshots, oldest first. */
  cpu: number[];
  /** memory.current / memory.max in 0..1, or null without a limit. */
  memFraction: number | null;
  pidsFraction: number | null;
  /** OOM kills seen on this group while the inspector watched. */
  ooms: number;
}

/** Samples kept per group for the sparkline. */
export const CPU_HISTORY = 30;

/**
 * Folds snapshots into per-group CPU history and OOM events. Counters are cumulative in the
 * kernel: a rate needs two snapshots, and a group that vanished and came back starts again.
 */
export class CgroupHistory {
  private last = new Map<string, { at: number; usec: number; oom: number }>();
  private series = new Map<string, number[]>();
  private oomCount = new Map<string, number>();
  private containerOom = new Set<string>();
  events: OomEvent[] = [];

  update(s: InspectSnapshot): void {
    const seen = new Set<string>();
    const before = new Map(this.last);
    for (const g of s.cgroups) {
      seen.add(g.path);
      const prev = before.get(g.path);
      const usec = g.cpuUsageUsec ?? 0;
      const oom = g.oomKills ?? 0;
      if (prev) {
        const dt = s.guestTimeMs - prev.at;
        if (dt > 0) {
          const pct = Math.max(0, Math.min(100, ((usec - prev.usec) / 1000 / dt) * 100));
          const list = this.series.get(g.path) ?? [];
          list.push(Math.round(pct * 10) / 10);
          if (list.length > CPU_HISTORY) list.splice(0, list.length - CPU_HISTORY);
          this.series.set(g.path, list);
        }
        if (oom > prev.oom) {
          const id = containerIdOfCgroup(g.path);
          // the parent's hierarchical counter moves with its child's: report the deepest group only
          const deeper = s.cgroups.some((o) => o.path.startsWith(g.path === '/' ? '/' : g.path + '/') && o.path !== g.path && (o.oomKills ?? 0) > (before.get(o.path)?.oom ?? Infinity));
          if (!deeper) this.addEvent({ at: s.guestTimeMs, path: g.path, container: id, kills: oom - prev.oom });
          this.oomCount.set(g.path, (this.oomCount.get(g.path) ?? 0) + (oom - prev.oom));
        }
      }
      this.last.set(g.path, { at: s.guestTimeMs, usec, oom });
    }
    for (const p of [...this.last.keys()]) if (!seen.has(p)) (this.last.delete(p), this.series.delete(p));
    // a container's group is gone as soon as the kill ends it: dockerd's record says what happened
    for (const c of s.containers) {
      if (!c.oomKilled || this.containerOom.has(c.id)) continue;
      this.containerOom.add(c.id);
      if (this.events.some((e) => e.container === c.id)) continue;
      // the kill this update saw only on an ancestor group (the container's own group was gone) was this one
      const own = `/docker/${c.id}`;
      const i = this.events.findIndex((e) => e.at === s.guestTimeMs && e.container === null && (e.path === '/' || own.startsWith(e.path + '/')));
      if (i >= 0) this.events = this.events.map((e, k) => (k === i ? { ...e, container: c.id } : e));
      else this.addEvent({ at: s.guestTimeMs, path: own, container: c.id, kills: 1 });
    }
  }

  /** Marks containers already OOM-killed before watching began as known, so they raise no event. */
  prime(s: InspectSnapshot): void {
    for (const c of s.containers) if (c.oomKilled) this.containerOom.add(c.id);
  }

  private addEvent(e: OomEvent): void {
    this.events = [...this.events, e].slice(-20);
  }

  cpu(path: string): number[] {
    return this.series.get(path) ?? [];
  }

  ooms(path: string): number {
    return this.oomCount.get(path) ?? 0;
  }
}

/** The cgroup tree depth first (children by path), with the history's CPU series. */
export function cgroupRows(s: InspectSnapshot, history: CgroupHistory): CgroupRow[] {
  const containers = new Map(s.containers.map((c) => [c.id, c]));
  return [...s.cgroups]
    .sort((a, b) => (a.path === '/' ? -1 : b.path === '/' ? 1 : a.path.localeCompare(b.path)))
    .map((g) => {
      const depth = g.path === '/' ? 0 : g.path.split('/').length - 1;
      const id = containerIdOfCgroup(g.path);
      const container = id && g.path === `/docker/${id}` ? (containers.get(id) ?? null) : null;
      const last = g.path === '/' ? '/' : g.path.slice(g.path.lastIndexOf('/') + 1);
      return {
        group: g,
        depth,
        label: container ? `${container.name} (${id!.slice(0, 12)})` : id && last === id ? id.slice(0, 12) : last,
        container,
        cpu: history.cpu(g.path),
        memFraction: g.memoryMax && g.memoryCurrent !== null ? Math.min(1, g.memoryCurrent / g.memoryMax) : null,
        pidsFraction: g.pidsMax && g.pidsCurrent !== null ? Math.min(1, g.pidsCurrent / g.pidsMax) : null,
        ooms: history.ooms(g.path),
      };
    });
}

/** Bytes as Docker prints memory in `docker stats` (binary units: "12.5MiB"). */
export function formatBytes(n: number | null): string {
  if (n === null) return 'max';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)}${units[u]}`;
}

/** SVG polyline points for a sparkline of values in 0..100 over width x height. */
export function sparkPoints(values: number[], width: number, height: number, slots = CPU_HISTORY): string {
  if (values.length === 0) return '';
  const step = width / Math.max(1, slots - 1);
  const start = width - step * (values.length - 1);
  return values.map((v, i) => `${(start + i * step).toFixed(1)},${(height - (Math.max(0, Math.min(100, v)) / 100) * height).toFixed(1)}`).join(' ');
}
