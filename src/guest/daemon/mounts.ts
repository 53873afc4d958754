// A container's mounts: the request's -v, --mount, --tmpfs and the image's VOLUMEs as the mount
// points its record keeps (create), those as the OCI spec's mounts (start), and the copy-up that
// fills an empty named volume from the image's content (start, as Docker does).

import type { Syscalls } from '../sys/syscalls.ts';
import type { OciMount } from '../runc/spec.ts';
import type { Volume } from '../api/engine-api.ts';
import { copyTree } from '../util/copytree.ts';
import { mkdirp } from '../util/fsutil.ts';
import { InvalidParameter } from './errdefs.ts';
import type { ContainerRecord, HostConfig, MountPoint } from './model.ts';

/** The mount points of a new container; named and anonymous volumes are created on the way. */
export function resolveMounts(c: ContainerRecord, hc: HostConfig, createVolume: (name: string | undefined) => Volume): MountPoint[] {
  const out: MountPoint[] = [];
  for (const b of hc.Binds ?? []) {
    // `-v /data`: one absolute path is an anonymous volume mounted there, as in Docker.
    if (!b.includes(':') && b.startsWith('/')) {
      const v = createVolume(undefined);
      out.push({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: b, Driver: 'local', Mode: '', RW: true, Propagation: '' });
      continue;
    }
    const [src, dst, mode = ''] = b.split(':');
    if (!src || !dst || !dst.startsWith('/')) throw new InvalidParameter(`invalid volume specification: '${b}'`);
    const rw = !mode.split(',').includes('ro');
    if (src.startsWith('/')) {
      out.push({ Type: 'bind', Source: src, Destination: dst, Mode: mode, RW: rw, Propagation: 'rprivate' });
    } else {
      const v = createVolume(src);
      out.push({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: dst, Driver: 'local', Mode: mode || 'z', RW: rw, Propagation: '' });
    }
  }
  for (const m of hc.Mounts ?? []) {
    if (m.Type === 'volume') {
      const v = createVolume(m.Source);
      out.push({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: m.Target, Driver: 'local', Mode: 'z', RW: !m.ReadOnly, Propagation: '' });
    } else if (m.Type === 'bind') {
      out.push({ Type: 'bind', Source: m.Source ?? '', Destination: m.Target, Mode: '', RW: !m.ReadOnly, Propagation: 'rprivate' });
    } else if (m.Type === 'tmpfs') {
      out.push({ Type: 'tmpfs', Source: '', Destination: m.Target, Mode: '', RW: !m.ReadOnly, Propagation: '' });
    }
  }
  for (const [dst, opts] of Object.entries(hc.Tmpfs ?? {})) out.push({ Type: 'tmpfs', Source: opts, Destination: dst, Mode: opts, RW: true, Propagation: '' });
  // anonymous volumes for the image's VOLUME entries not otherwise mounted
  for (const dst of Object.keys(c.Config.Volumes ?? {})) {
    if (out.some((m) => m.Destination === dst)) continue;
    const v = createVolume(undefined);
    out.push({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: dst, Driver: 'local', Mode: '', RW: true, Propagation: '' });
  }
  return out;
}

/** The OCI mounts runc makes (a bind mount's missing source directory is created first). */
export function ociMounts(sys: Syscalls, c: ContainerRecord): OciMount[] {
  return c.Mounts.map((m) => {
    if (m.Type === 'tmpfs') return { destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...(m.Source ? m.Source.split(',') : []), ...tmpfsOptions(c.HostConfig, m)] };
    if (m.Type === 'bind') mkdirp(sys, m.Source);
    return { destination: m.Destination, type: 'bind', source: m.Source, options: ['rbind', m.RW ? 'rw' : 'ro'] };
  });
}

/** Fills an empty named volume from the image's content at its mount point (Docker's copy-up). */
export function fillVolumes(sys: Syscalls, c: ContainerRecord, rootfs: string): void {
  for (const m of c.Mounts) {
    if (m.Type !== 'volume') continue;
    let entries: string[];
    try {
      entries = sys.readdir(m.Source).map((e) => e.name).filter((n) => n !== '.' && n !== '..');
    } catch {
      continue;
    }
    if (entries.length > 0) continue;
    copyTree(sys, `${rootfs}${m.Destination}`, m.Source);
  }
}

/** --mount type=tmpfs's tmpfs-size and tmpfs-mode (and readonly), as mount options for runc. */
function tmpfsOptions(hc: HostConfig, m: MountPoint): string[] {
  const spec = (hc.Mounts ?? []).find((x) => x.Type === 'tmpfs' && x.Target === m.Destination);
  if (!spec) return [];
  const out: string[] = [];
  if (spec.TmpfsOptions?.SizeBytes) out.push(`size=${spec.TmpfsOptions.SizeBytes}`);
  if (spec.TmpfsOptions?.Mode) out.push(`mode=${spec.TmpfsOptions.Mode.toString(8)}`);
  if (spec.ReadOnly) out.push('ro');
  return out;
}
