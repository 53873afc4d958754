// cgroup v2 groups for containers: /sys/fs/cgroup/<cgroupsPath> (Docker: /docker/<id>), with the
// memory, pids and cpu limits of the spec written as the kernel's interface files expect.

import type { Syscalls } from '../sys/syscalls.ts';
import { isErrno } from '../sys/errors.ts';
import { utf8Decode } from '../util/text.ts';
import { exists } from '../util/fsutil.ts';
import type { OciResources } from './spec.ts';
import { mkdirAll } from './securejoin.ts';

export const CGROUP_ROOT = '/sys/fs/cgroup';
const CONTROLLERS = ['cpu', 'memory', 'pids'];

/** The interface files and values a resources block turns into. */
export function resourceFiles(r: OciResources | undefined): [file: string, value: string][] {
  const out: [string, string][] = [];
  const mem = r?.memory;
  if (mem?.limit !== undefined && mem.limit > 0) {
    out.push(['memory.max', String(mem.limit)]);
    // OCI swap is memory + swap; v2 counts swap alone
    if (mem.swap !== undefined) out.push(['memory.swap.max', mem.swap < 0 ? 'max' : String(Math.max(mem.swap - mem.limit, 0))]);
  }
  if (mem?.reservation !== undefined && mem.reservation > 0) out.push(['memory.low', String(mem.reservation)]);
  const cpu = r?.cpu;
  if (cpu?.quota !== undefined && cpu.quota > 0) out.push(['cpu.max', `${cpu.quota} ${cpu.period ?? 100000}`]);
  else if (cpu?.period !== undefined && cpu.period > 0) out.push(['cpu.max', `max ${cpu.period}`]);
  if (cpu?.shares !== undefined && cpu.shares > 0) {
    // the conversion runc and crun use from v1 shares (2..262144) to v2 weight (1..10000)
    out.push(['cpu.weight', String(1 + Math.trunc(((cpu.shares - 2) * 9999) / 262142))]);
  }
  const pids = r?.pids?.limit;
  if (pids !== undefined && pids !== 0) out.push(['pids.max', pids < 0 ? 'max' : String(pids)]);
  return out;
}

export function needsLimits(r: OciResources | undefined): boolean {
  return resourceFiles(r).length > 0;
}

export class Cgroups {
  constructor(
    private sys: Syscalls,
    readonly root = CGROUP_ROOT,
  ) {}

  /** True when a cgroup v2 (unified) hierarchy is mounted at root. */
  available(): boolean {
    try {
      return this.sys.statOrNull(`${this.root}/cgroup.controllers`) !== null;
    } catch {
      return false;
    }
  }

  dir(cgroupsPath: string): string {
    const rel = cgroupsPath.split('/').filter((p) => p !== '' && p !== '..' && p !== '.');
    if (rel.length === 0) throw new Error(`invalid cgroupsPath ${JSON.stringify(cgroupsPath)}`);
    return `${this.root}/${rel.join('/')}`;
  }

  /** Creates the group, enabling cpu/memory/pids down the tree, and writes the limits. */
  create(cgroupsPath: string, r: OciResources | undefined): string {
    const dir = this.dir(cgroupsPath);
    const rel = dir.slice(this.root.length + 1).split('/');
    let cur = this.root;
    for (const part of rel) {
      this.enableControllers(cur);
      cur = `${cur}/${part}`;
      mkdirAll(this.sys, cur);
    }
    for (const [file, value] of resourceFiles(r)) {
      try {
        this.sys.writeFile(`${dir}/${file}`, value);
      } catch (e) {
        // memory.swap.max is absent without swap support (cgroupfs then answers EACCES, as it
        // cannot create files); the rest must work
        if (file === 'memory.swap.max' && (isErrno(e, 'ENOENT') || isErrno(e, 'EACCES')) && !exists(this.sys, `${dir}/${file}`)) continue;
        throw new Error(`cannot set ${file}=${value} in ${dir}: ${(e as Error).message}`);
      }
    }
    return dir;
  }

  private enableControllers(dir: string): void {
    let available: string[];
    try {
      available = utf8Decode(this.sys.readFile(`${dir}/cgroup.controllers`)).trim().split(/\s+/);
    } catch {
      return;
    }
    let enabled: string[] = [];
    try {
      enabled = utf8Decode(this.sys.readFile(`${dir}/cgroup.subtree_control`)).trim().split(/\s+/);
    } catch {
      // unreadable: write them all
    }
    for (const c of CONTROLLERS) {
      // enabled once per boot at each level: later containers skip the writes
      if (!available.includes(c) || enabled.includes(c)) continue;
      try {
        this.sys.writeFile(`${dir}/cgroup.subtree_control`, `+${c}`);
      } catch {
        // a controller busy in a parent with processes: limits for it will fail loudly later
      }
    }
  }

  addProcess(dir: string, pid: number): void {
    this.sys.writeFile(`${dir}/cgroup.procs`, String(pid));
  }

  pids(dir: string): number[] {
    try {
      return utf8Decode(this.sys.readFile(`${dir}/cgroup.procs`)).split('\n').filter((l) => l !== '').map(Number);
    } catch {
      return [];
    }
  }

  /** Reads a flat-keyed file such as memory.events or cpu.stat. */
  keyed(dir: string, file: string): Record<string, number> {
    const out: Record<string, number> = {};
    try {
      for (const line of utf8Decode(this.sys.readFile(`${dir}/${file}`)).split('\n')) {
        const [k, v] = line.split(' ');
        if (k && v !== undefined) out[k] = Number(v);
      }
    } catch {
      // group gone
    }
    return out;
  }

  oomKilled(dir: string): boolean {
    return (this.keyed(dir, 'memory.events')['oom_kill'] ?? 0) > 0;
  }

  /** Removes the group; processes must be gone. Missing is fine. */
  destroy(dir: string): void {
    try {
      this.sys.rmdir(dir);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
  }
}
