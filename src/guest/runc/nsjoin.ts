// Namespaces given by path in the config: each is opened and entered with setns(2).

import type { Syscalls } from '../sys/syscalls.ts';
import {
  CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, O_CLOEXEC, O_RDONLY,
} from '../sys/constants.ts';
import type { OciNamespace } from './spec.ts';

export const NS_FLAG: Record<OciNamespace['type'], number> = {
  pid: CLONE_NEWPID, network: CLONE_NEWNET, mount: CLONE_NEWNS, ipc: CLONE_NEWIPC, uts: CLONE_NEWUTS,
  user: CLONE_NEWUSER, cgroup: CLONE_NEWCGROUP, time: 0,
};
export const NS_PROC_NAME: Record<OciNamespace['type'], string> = {
  pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time',
};

/**
 * Enters each namespace that has a path: a user namespace first (the others belong to it, and
 * entering them takes its capabilities), the rest in the order given. The error names the one.
 */
export function joinByPath(sys: Syscalls, namespaces: readonly OciNamespace[]): void {
  const ordered = [...namespaces.filter((n) => n.type === 'user'), ...namespaces.filter((n) => n.type !== 'user')];
  for (const ns of ordered) {
    if (!ns.path) continue;
    const fd = sys.open(ns.path, O_RDONLY | O_CLOEXEC);
    try {
      sys.setns(fd, NS_FLAG[ns.type]);
    } catch (e) {
      throw new Error(`joining ${NS_PROC_NAME[ns.type]} namespace ${ns.path}: ${(e as Error).message}`);
    } finally {
      sys.close(fd);
    }
  }
}
