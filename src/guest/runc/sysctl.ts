// linux.sysctl: kernel parameters written under /proc/sys inside the container, allowed only
// when the container has its own namespace for them (as runc checks: a setting that would
// change the host's kernel is refused).

import type { Syscalls } from '../sys/syscalls.ts';
import type { OciSpec } from './spec.ts';

const IPC_KEYS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** The namespace type a sysctl needs, or null when no namespace makes it safe. */
export function sysctlNamespace(key: string): 'ipc' | 'network' | 'uts' | null {
  if (IPC_KEYS.has(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (key.startsWith('net.')) return 'network';
  if (key === 'kernel.hostname' || key === 'kernel.domainname') return 'uts';
  return null;
}

/** Checks every sysctl against the spec's namespaces; throws runc's wording for the first bad one. */
export function checkSysctls(spec: OciSpec): void {
  const have = new Set((spec.linux?.namespaces ?? []).map((n) => n.type));
  for (const key of Object.keys(spec.linux?.sysctl ?? {})) {
    const ns = sysctlNamespace(key);
    if (ns === null) throw new Error(`sysctl "${key}" is not in a separate kernel namespace`);
    if (!have.has(ns)) throw new Error(`sysctl "${key}" is not allowed in the hosts ${ns === 'network' ? 'network' : ns} namespace`);
  }
}

/** Writes the settings through the container's /proc (call after pivot_root, before /proc/sys turns read-only). */
export function applySysctls(sys: Syscalls, sysctl: Readonly<Record<string, string>> | undefined): void {
  for (const [key, value] of Object.entries(sysctl ?? {})) {
    const path = `/proc/sys/${key.replace(/\./g, '/')}`;
    try {
      sys.writeFile(path, value);
    } catch (e) {
      throw new Error(`write sysctl key ${key}: ${(e as Error).message}`);
    }
  }
}
