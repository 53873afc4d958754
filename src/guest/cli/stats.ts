// Rows of `docker stats`, `docker system df` and `docker history`, computed as Docker's CLI does
// from the Engine API's JSON.

import { bytesSize, formatG, humanSize } from '../util/humanize.ts';
import { ellipsis } from './format.ts';

export interface StatsJson {
  id: string;
  name: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number };
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats: { io_service_bytes_recursive: { op: string; value: number }[] | null };
  pids_stats: { current?: number };
}

export const STATS_HEADER = 'CONTAINER ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tNET I/O\tBLOCK I/O\tPIDS';

/** One line of docker stats (tab-separated, for the table writer). */
export function statsRow(s: StatsJson, noTrunc = false): string {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const sysDelta = s.cpu_stats.system_cpu_usage - s.precpu_stats.system_cpu_usage;
  const cpus = s.cpu_stats.online_cpus || 1;
  const cpu = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0;
  const usage = s.memory_stats.usage ?? 0;
  // cgroup v2: the page cache that can be dropped is not counted, as Docker does
  const inactive = s.memory_stats.stats?.['inactive_file'] ?? 0;
  const mem = inactive < usage ? usage - inactive : usage;
  const limit = s.memory_stats.limit ?? 0;
  const memPerc = limit > 0 ? (mem / limit) * 100 : 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  let rd = 0;
  let wr = 0;
  for (const b of s.blkio_stats.io_service_bytes_recursive ?? []) {
    if (b.op.toLowerCase() === 'read') rd += b.value;
    if (b.op.toLowerCase() === 'write') wr += b.value;
  }
  const id = noTrunc ? s.id : s.id.slice(0, 12);
  return [id, s.name.replace(/^\//, ''), `${cpu.toFixed(2)}%`, `${bytesSize(mem)} / ${bytesSize(limit)}`, `${memPerc.toFixed(2)}%`, `${humanSize(rx)} / ${humanSize(tx)}`, `${humanSize(rd)} / ${humanSize(wr)}`, String(s.pids_stats.current ?? 0)].join('\t');
}

export interface DiskUsage {
  LayersSize: number;
  Images: { Containers: number; Size: number }[];
  Containers: { State: string; SizeRw?: number }[];
  Volumes: { UsageData: { Size: number; RefCount: number } }[];
  BuildCache?: { Size: number; InUse: boolean; Shared: boolean }[];
}

/** go-units' HumanSize: decimal units, 4 significant digits ("2.212MB"), as system df prints. */
export function humanSize4(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return formatG(v, 4) + units[i]!;
}

function reclaimable(amount: number, total: number): string {
  return total > 0 ? `${humanSize4(amount)} (${Math.trunc((amount / total) * 100)}%)` : humanSize4(amount);
}

/** The Build Cache row: shared records count once, reclaimable is what no build is using. */
function buildCacheRow(bc: { Size: number; InUse: boolean; Shared: boolean }[]): string {
  const size = bc.filter((b) => !b.Shared).reduce((n, b) => n + b.Size, 0);
  const free = bc.filter((b) => !b.InUse && !b.Shared).reduce((n, b) => n + b.Size, 0);
  return `Build Cache\t${bc.length}\t${bc.filter((b) => b.InUse).length}\t${humanSize4(size)}\t${humanSize4(free)}`;
}

/** docker system df's table (tab-separated). */
export function dfRows(d: DiskUsage): string {
  const activeImages = d.Images.filter((i) => i.Containers > 0);
  const used = activeImages.reduce((n, i) => n + i.Size, 0);
  const cSize = d.Containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const cFree = d.Containers.filter((c) => c.State !== 'running').reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const vSize = d.Volumes.reduce((n, v) => n + Math.max(0, v.UsageData.Size), 0);
  const vFree = d.Volumes.filter((v) => v.UsageData.RefCount === 0).reduce((n, v) => n + Math.max(0, v.UsageData.Size), 0);
  return [
    'TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE',
    `Images\t${d.Images.length}\t${activeImages.length}\t${humanSize4(d.LayersSize)}\t${reclaimable(d.LayersSize - used, d.LayersSize)}`,
    `Containers\t${d.Containers.length}\t${d.Containers.filter((c) => c.State === 'running').length}\t${humanSize4(cSize)}\t${reclaimable(cFree, cSize)}`,
    `Local Volumes\t${d.Volumes.length}\t${d.Volumes.filter((v) => v.UsageData.RefCount > 0).length}\t${humanSize4(vSize)}\t${reclaimable(vFree, vSize)}`,
    buildCacheRow(d.BuildCache ?? []),
  ].join('\n') + '\n';
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Size: number;
  Comment: string;
}

/** docker history's fields for one layer, as its table and --format see them. */
export function historyRow(h: HistoryItem, ago: string, trunc: boolean, human: boolean): Record<string, string> {
  const createdBy = h.CreatedBy.replace(/\t/g, ' ');
  return {
    ID: h.Id.startsWith('sha256:') && trunc ? h.Id.slice(7, 19) : h.Id,
    CreatedSince: human ? ago : new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
    Size: human ? humanSize(h.Size) : String(h.Size),
    Comment: h.Comment,
  };
}
