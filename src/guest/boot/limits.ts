// The guest-wide budget for containers. Every container's cgroup is /sys/fs/cgroup/docker/<id>
// (daemon/ocispec.ts; build steps and Compose services are containers too), so limits on that
// parent bound all of them together, while each container's own --memory / --pids-limit still
// applies below it (the kernel enforces the smaller of the two).
//
// Docker sets no default pids or memory limit: on a server the host's own cgroups, systemd and
// swap absorb a fork bomb or a memory hog. This guest has none of those, one emulated CPU and
// 256 MiB of RAM shared with its tmpfs root, so one runaway container would take the learner's
// terminal and dockerd down with it. The budget keeps the rest of the guest out of reach:
//
// - memory.max leaves a reserve outside containers for the kernel, the tmpfs root, dockerd, the
//   shims, the control agent and the learner's shell; a memory hog meets the OOM killer inside
//   the containers' group (OOMKilled, exit 137), never the daemon.
// - pids.max stops a fork bomb long before the kernel's own thread limit, so the shell can still
//   fork and `docker stop` can still start; the lessons' biggest stack (WordPress on apache with
//   capped children, MariaDB's threads, a build's RUN) uses well under a tenth of it.

import type { Syscalls } from '../sys/syscalls.ts';
import { readText } from '../sys/io.ts';
import { mkdirp } from '../util/fsutil.ts';

export const CONTAINERS_CGROUP = '/sys/fs/cgroup/docker';
const MIB = 1024 * 1024;
/** Processes and threads all containers together may have. */
export const CONTAINERS_PIDS_MAX = 1024;
/** The least memory kept outside containers. */
export const RESERVE_MIN = 64 * MIB;

export interface ContainerBudget {
  memoryMax: number;
  pidsMax: number;
}

/** The budget for a guest with memTotal bytes of RAM (MemTotal): a quarter, at least 64 MiB, stays outside. */
export function containerBudget(memTotal: number): ContainerBudget {
  const reserve = Math.max(RESERVE_MIN, Math.floor(memTotal / 4));
  // whole pages, and never so small that no container could start
  const memoryMax = Math.max(32 * MIB, Math.floor((memTotal - reserve) / 4096) * 4096);
  return { memoryMax, pidsMax: CONTAINERS_PIDS_MAX };
}

export function memTotalBytes(sys: Syscalls): number | null {
  const m = /^MemTotal:\s+(\d+) kB$/m.exec(readText(sys, '/proc/meminfo'));
  return m ? Number(m[1]) * 1024 : null;
}

/**
 * Creates the containers' parent group with the budget (the root's controllers must be enabled
 * for its children first: boot's enableControllers). Returns what it set, or throws saying why not.
 */
export function limitContainers(sys: Syscalls, root = '/sys/fs/cgroup'): ContainerBudget {
  const total = memTotalBytes(sys);
  if (total === null) throw new Error('no MemTotal in /proc/meminfo');
  const budget = containerBudget(total);
  const dir = `${root}/docker`;
  mkdirp(sys, dir);
  sys.writeFile(`${dir}/memory.max`, String(budget.memoryMax));
  sys.writeFile(`${dir}/pids.max`, String(budget.pidsMax));
  return budget;
}
