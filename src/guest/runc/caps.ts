// Capability names <-> bit masks, and dropping a process to a set (bounding, then capset, then
// ambient), the order runc uses so an exec'd root process ends with exactly the bounding set.

import type { CapSets, Syscalls } from '../sys/syscalls.ts';
import { CAPABILITIES, CAP_LAST_CAP, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import type { OciCapabilities } from './spec.ts';

const PR_CAP_AMBIENT_RAISE = 2;

export class CapabilityError extends Error {
  override name = 'CapabilityError';
}

export function capBit(name: string): number {
  const full = name.toUpperCase().startsWith('CAP_') ? name.toUpperCase() : `CAP_${name.toUpperCase()}`;
  const bit = CAPABILITIES[full];
  if (bit === undefined) throw new CapabilityError(`unknown capability ${JSON.stringify(name)}`);
  return bit;
}

export function capMask(names: readonly string[] = []): bigint {
  let m = 0n;
  for (const n of names) m |= 1n << BigInt(capBit(n));
  return m;
}

export function capNames(mask: bigint): string[] {
  return Object.entries(CAPABILITIES)
    .filter(([, bit]) => (mask >> BigInt(bit)) & 1n)
    .map(([name]) => name);
}

/** The capability sets a spec asks for, as masks. */
export function capSetsOf(c: OciCapabilities | undefined): { bounding: bigint; sets: CapSets; ambient: bigint } {
  return {
    bounding: capMask(c?.bounding),
    sets: { effective: capMask(c?.effective), permitted: capMask(c?.permitted), inheritable: capMask(c?.inheritable) },
    ambient: capMask(c?.ambient),
  };
}

/** Drops every capability outside `bounding` from the bounding set (needs CAP_SETPCAP). */
export function dropBounding(sys: Syscalls, bounding: bigint, lastCap = CAP_LAST_CAP): void {
  for (let cap = 0; cap <= lastCap; cap++) {
    if ((bounding >> BigInt(cap)) & 1n) continue;
    try {
      sys.prctl(PR_CAPBSET_DROP, cap);
    } catch (e) {
      // the running kernel may know fewer capabilities than we do
      if (!isErrno(e, 'EINVAL')) throw e;
    }
  }
}

/** Sets effective/permitted/inheritable, then the ambient set. */
export function applyCapSets(sys: Syscalls, sets: CapSets, ambient: bigint, lastCap = CAP_LAST_CAP): void {
  sys.capset(sets);
  try {
    sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
  } catch (e) {
    if (!isErrno(e, 'EINVAL')) throw e;
  }
  for (let cap = 0; cap <= lastCap; cap++) {
    if (!((ambient >> BigInt(cap)) & 1n)) continue;
    try {
      sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap);
    } catch (e) {
      // the kernel allows ambient only for caps also permitted and inheritable; runc skips the rest
      if (!isErrno(e, 'EPERM') && !isErrno(e, 'EINVAL')) throw e;
    }
  }
}
