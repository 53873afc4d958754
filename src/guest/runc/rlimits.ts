// process.rlimits: resource limits set in the container's process before it execs, as runc does
// (with the privileges it still has, so a hard limit may be raised above the runtime's own).

import type { Syscalls } from '../sys/syscalls.ts';
import type { OciProcess } from './spec.ts';

/** Linux resource numbers (the same on i386 and x86_64). */
export const RLIMITS: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

export type Rlimit = NonNullable<OciProcess['rlimits']>[number];

/** The resource number of an rlimit type; throws runc's error for a type Linux has no limit for. */
export function rlimitResource(type: string): number {
  const n = RLIMITS[type];
  if (n === undefined) throw new Error(`wrong rlimit value: ${type}`);
  return n;
}

/** Checks every entry (for create, before anything starts) and returns them resolved. */
export function resolveRlimits(limits: readonly Rlimit[] | undefined): { resource: number; soft: number; hard: number; type: string }[] {
  const seen = new Set<string>();
  return (limits ?? []).map((l) => {
    if (seen.has(l.type)) throw new Error(`duplicate rlimit type: ${l.type}`);
    seen.add(l.type);
    return { resource: rlimitResource(l.type), soft: l.soft, hard: l.hard, type: l.type };
  });
}

export function applyRlimits(sys: Syscalls, limits: readonly Rlimit[] | undefined): void {
  for (const l of resolveRlimits(limits)) {
    try {
      sys.setrlimit(l.resource, l.soft, l.hard);
    } catch (e) {
      throw new Error(`error setting rlimit type ${l.type}: ${(e as Error).message}`);
    }
  }
}
