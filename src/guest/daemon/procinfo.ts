// What dockerd reads about a running container from /proc and its cgroup v2 directory: the
// processes for `docker top` (ps -ef columns) and the samples for `docker stats`.

import type { Syscalls } from '../sys/syscalls.ts';
import { readText } from '../util/fsutil.ts';
import { Cgroups } from '../runc/cgroup.ts';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const HZ = 100;

function tryRead(sys: Syscalls, path: string): string | null {
  try {
    return readText(sys, path);
  } catch {
    return null;
  }
}

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  ttyNr: number;
  /** utime + stime, in ticks. */
  cpuTicks: number;
  /** Start time in ticks after boot. */
  startTicks: number;
}

/** Parses /proc/PID/stat (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]),
    ttyNr: Number(rest[4]), cpuTicks: Number(rest[11]) + Number(rest[12]), startTicks: Number(rest[19]),
  };
}

/** The pids of a container: its cgroup's, else its init and every descendant. */
export function containerPids(sys: Syscalls, id: string, initPid: number): number[] {
  const cg = new Cgroups(sys);
  if (cg.available()) {
    const pids = cg.pids(`${cg.root}/docker/${id}`);
    if (pids.length > 0) return pids.sort((a, b) => a - b);
  }
  const parents = new Map<number, number>();
  for (const e of sys.readdir('/proc')) {
    if (!/^\d+$/.test(e.name)) continue;
    const t = tryRead(sys, `/proc/${e.name}/stat`);
    if (t) parents.set(Number(e.name), parseProcStat(t).ppid);
  }
  const out = new Set<number>([initPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (!out.has(pid) && out.has(ppid)) out.add(pid), (grew = true);
  }
  return [...out].filter((p) => parents.has(p)).sort((a, b) => a - b);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** ps's TIME: cumulative CPU as [DD-]HH:MM:SS. */
export function cpuTime(ticks: number): string {
  const s = Math.floor(ticks / HZ);
  const d = Math.floor(s / 86400);
  const hms = `${two(Math.floor((s % 86400) / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return d > 0 ? `${d}-${hms}` : hms;
}

/** ps's TTY column from tty_nr: pts/N, ttySN, ttyN, or ?. */
export function ttyName(nr: number): string {
  if (nr === 0) return '?';
  const major = (nr >> 8) & 0xfff;
  const minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor >= 64 ? `ttyS${minor - 64}` : `tty${minor}`;
  return '?';
}

/** `ps -ef` for the given pids: UID PID PPID C STIME TTY TIME CMD. */
export function psEf(sys: Syscalls, pids: number[], now: Date = new Date()): { Titles: string[]; Processes: string[][] } {
  const uptime = Number((tryRead(sys, '/proc/uptime') ?? '0').split(' ')[0]);
  const bootMs = now.getTime() - uptime * 1000;
  const users = new Map<string, string>();
  for (const line of (tryRead(sys, '/etc/passwd') ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length > 2) users.set(f[2]!, f[0]!);
  }
  const rows: string[][] = [];
  for (const pid of pids) {
    const statText = tryRead(sys, `/proc/${pid}/stat`);
    if (!statText) continue;
    const st = parseProcStat(statText);
    const uid = /^Uid:\s+(\d+)/m.exec(tryRead(sys, `/proc/${pid}/status`) ?? '')?.[1] ?? '0';
    const cmdline = (tryRead(sys, `/proc/${pid}/cmdline`) ?? '').split('\0').filter((a) => a !== '').join(' ');
    const startMs = bootMs + (st.startTicks / HZ) * 1000;
    const start = new Date(startMs);
    const elapsed = Math.max(1, (now.getTime() - startMs) / 1000);
    const c = Math.floor((st.cpuTicks / HZ / elapsed) * 100);
    const stime = now.getTime() - startMs < 86_400_000 ? `${two(start.getHours())}:${two(start.getMinutes())}` : `${start.toDateString().slice(4, 7)}${two(start.getDate())}`;
    rows.push([users.get(uid) ?? uid, String(pid), String(st.ppid), String(c), stime, ttyName(st.ttyNr), cpuTime(st.cpuTicks), cmdline || `[${st.comm}]`]);
  }
  return { Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: rows };
}

export interface StatsSample {
  read: string;
  cpuUsageNs: number;
  systemNs: number;
  onlineCpus: number;
  memUsage: number;
  memLimit: number;
  memStats: Record<string, number>;
  networks: Record<string, { rx_bytes: number; tx_bytes: number; rx_packets: number; tx_packets: number; rx_errors: number; tx_errors: number; rx_dropped: number; tx_dropped: number }>;
  blkRead: number;
  blkWrite: number;
  pids: number;
}

function keyValues(text: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** One reading of a container's cgroup v2 counters, its network namespace and the host's CPU. */
export function sampleStats(sys: Syscalls, id: string, initPid: number): StatsSample {
  const cg = new Cgroups(sys);
  const dir = `${cg.root}/docker/${id}`;
  const cpuStat = keyValues(tryRead(sys, `${dir}/cpu.stat`));
  const procStat = (tryRead(sys, '/proc/stat') ?? '').split('\n');
  const cpuLine = procStat[0]?.split(/\s+/).slice(1).map(Number) ?? [];
  const onlineCpus = procStat.filter((l) => /^cpu\d+ /.test(l)).length || 1;
  const memTotal = (keyValues((tryRead(sys, '/proc/meminfo') ?? '').replace(/:/g, ''))['MemTotal'] ?? 0) * 1024;
  const maxText = (tryRead(sys, `${dir}/memory.max`) ?? 'max').trim();
  const networks: StatsSample['networks'] = {};
  for (const line of (tryRead(sys, `/proc/${initPid}/net/dev`) ?? '').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!name || rest === undefined || name.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    networks[name.trim()] = { rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!, tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]! };
  }
  let blkRead = 0;
  let blkWrite = 0;
  for (const line of (tryRead(sys, `${dir}/io.stat`) ?? '').split('\n')) {
    blkRead += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
    blkWrite += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
  }
  const pidsCurrent = tryRead(sys, `${dir}/pids.current`);
  return {
    read: new Date().toISOString(),
    cpuUsageNs: (cpuStat['usage_usec'] ?? 0) * 1000,
    systemNs: (cpuLine.slice(0, 8).reduce((a, b) => a + (b || 0), 0) * 1e9) / HZ,
    onlineCpus,
    memUsage: Number((tryRead(sys, `${dir}/memory.current`) ?? '0').trim()),
    memLimit: maxText === 'max' ? memTotal : Number(maxText),
    memStats: keyValues(tryRead(sys, `${dir}/memory.stat`)),
    networks,
    blkRead,
    blkWrite,
    pids: pidsCurrent !== null ? Number(pidsCurrent.trim()) : containerPids(sys, id, initPid).length,
  };
}

/** The Engine API's stats JSON from two samples (the client takes CPU % from their difference). */
export function statsJson(id: string, name: string, pre: StatsSample | null, cur: StatsSample): Record<string, unknown> {
  const cpu = (s: StatsSample | null) => ({
    cpu_usage: { total_usage: s?.cpuUsageNs ?? 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: s?.systemNs ?? 0,
    online_cpus: s?.onlineCpus ?? 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  return {
    name, id, read: cur.read, preread: pre?.read ?? '0001-01-01T00:00:00Z',
    pids_stats: { current: cur.pids },
    blkio_stats: { io_service_bytes_recursive: [{ major: 0, minor: 0, op: 'read', value: cur.blkRead }, { major: 0, minor: 0, op: 'write', value: cur.blkWrite }] },
    num_procs: 0, storage_stats: {},
    cpu_stats: cpu(cur), precpu_stats: cpu(pre),
    memory_stats: { usage: cur.memUsage, stats: cur.memStats, limit: cur.memLimit },
    networks: cur.networks,
  };
}
