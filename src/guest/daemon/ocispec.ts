// Turns a container record (image config + run options) into the OCI spec runc gets, as Docker
// does: default mounts, caps, masked paths, cgroup /docker/<id>, limits, hosts/hostname/resolv
// binds and volume mounts.

import { DEFAULT_MASKED_PATHS, DEFAULT_NAMESPACES, DEFAULT_READONLY_PATHS, DOCKER_DEFAULT_CAPS, defaultMounts, OCI_VERSION, type OciMount, type OciSpec } from '../runc/spec.ts';
import type { ContainerRecord } from './model.ts';

export interface UserIds {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/** Parses "uid[:gid]" numerically, or resolves names through the image's passwd/group text. */
export function resolveUser(user: string, passwd: string, group: string): UserIds {
  if (user === '') return { uid: 0, gid: 0, additionalGids: [] };
  const [u, g] = user.split(':') as [string, string | undefined];
  let uid: number;
  let gid = 0;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    const line = passwd.split('\n').find((l) => l.split(':')[2] === u);
    if (line) gid = Number(line.split(':')[3]);
  } else {
    const line = passwd.split('\n').find((l) => l.split(':')[0] === u);
    if (!line) throw new Error(`unable to find user ${u}: no matching entries in passwd file`);
    uid = Number(line.split(':')[2]);
    gid = Number(line.split(':')[3]);
  }
  if (g !== undefined) {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const line = group.split('\n').find((l) => l.split(':')[0] === g);
      if (!line) throw new Error(`unable to find group ${g}: no matching entries in group file`);
      gid = Number(line.split(':')[2]);
    }
  }
  return { uid, gid, additionalGids: [] };
}

export interface SpecInputs {
  rootfs: string;
  user: UserIds;
  /** docker-init path on the host, bind-mounted when --init. */
  initPath?: string;
  /** Resolved volume and bind mounts. */
  mounts: OciMount[];
  netnsPath?: string;
}

export function containerSpec(c: ContainerRecord, inp: SpecInputs): OciSpec {
  const hc = c.HostConfig;
  const args = [c.Path, ...c.Args];
  const useInit = hc.Init === true && inp.initPath;
  const mounts: OciMount[] = [
    ...defaultMounts(),
    { destination: '/etc/resolv.conf', type: 'bind', source: c.ResolvConfPath, options: ['rbind', 'rprivate'] },
    { destination: '/etc/hostname', type: 'bind', source: c.HostnamePath, options: ['rbind', 'rprivate'] },
    { destination: '/etc/hosts', type: 'bind', source: c.HostsPath, options: ['rbind', 'rprivate'] },
    ...inp.mounts,
  ];
  if (useInit) mounts.push({ destination: '/sbin/docker-init', type: 'bind', source: inp.initPath!, options: ['rbind', 'ro'] });
  const env = [...c.Config.Env];
  if (c.Config.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.unshift(`HOSTNAME=${c.Config.Hostname}`);
  const memory = hc.Memory > 0 ? { limit: hc.Memory, swap: hc.MemorySwap > 0 ? hc.MemorySwap : hc.MemorySwap < 0 ? -1 : hc.Memory * 2 } : undefined;
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: c.Config.Tty,
      user: { uid: inp.user.uid, gid: inp.user.gid, additionalGids: inp.user.additionalGids },
      args: useInit ? ['/sbin/docker-init', '--', ...args] : args,
      env,
      cwd: c.Config.WorkingDir || '/',
      capabilities: {
        bounding: [...DOCKER_DEFAULT_CAPS],
        effective: [...DOCKER_DEFAULT_CAPS],
        permitted: [...DOCKER_DEFAULT_CAPS],
        inheritable: [],
      },
      oomScoreAdj: 0,
    },
    root: { path: inp.rootfs, readonly: false },
    hostname: c.Config.Hostname,
    mounts,
    linux: {
      resources: {
        memory,
        cpu: hc.NanoCpus > 0 ? { quota: Math.round(hc.NanoCpus / 1e4), period: 100000 } : hc.CpuShares > 0 ? { shares: hc.CpuShares } : undefined,
        pids: hc.PidsLimit !== null && hc.PidsLimit > 0 ? { limit: hc.PidsLimit } : undefined,
      },
      cgroupsPath: `/docker/${c.Id}`,
      namespaces: DEFAULT_NAMESPACES.map((type) => (type === 'network' && inp.netnsPath ? { type, path: inp.netnsPath } : { type })),
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
      rootfsPropagation: 'rprivate',
    },
  };
}

/** /etc/hosts as Docker writes it for a container. */
export function hostsFile(hostname: string, ip: string | null): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  if (ip) lines.push(`${ip}\t${hostname}`);
  return lines.join('\n') + '\n';
}
