// A container's root filesystem: an overlay of its image's layers (lazy ones read through the
// image's shared view, images/views.ts) under its own writable layer, mounted while it runs and,
// for docker cp on a stopped container, for the length of the call (as moby does).

import type { Syscalls } from '../sys/syscalls.ts';
import { MNT_DETACH } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import type { ImageStore } from '../images/store.ts';
import type { LayerViews } from '../images/views.ts';
import { diskUsage, mkdirp, removeAll } from '../util/fsutil.ts';
import { SystemError } from './errdefs.ts';
import type { Layout } from './layout.ts';
import type { ContainerRecord } from './model.ts';

export class Rootfs {
  constructor(
    private sys: Syscalls,
    private layout: Layout,
    private images: ImageStore,
    private views: LayerViews,
  ) {}

  /** The new container's empty writable layer and mount point. */
  prepare(id: string): void {
    for (const d of ['diff', 'work', 'merged']) mkdirp(this.sys, `${this.layout.layerDir(id)}/${d}`, 0o755);
  }

  /** Mounts the overlay (already mounted is fine) and returns its path. */
  mount(c: ContainerRecord): string {
    const base = this.layout.layerDir(c.Id);
    const merged = this.layout.mergedDir(c.Id);
    const img = this.images.get(c.Image);
    // lazy layers are read through the image's shared view, which keeps what was read cached
    const lowers = this.views.lowerFor(img.chain[img.chain.length - 1] ?? '', this.images.lowerDirs(img), (d) => d.startsWith(`${this.layout.root}/`));
    try {
      this.sys.mount('overlay', merged, 'overlay', 0, `lowerdir=${lowers.join(':')},upperdir=${base}/diff,workdir=${base}/work`);
    } catch (e) {
      if (!isErrno(e, 'EBUSY')) throw new SystemError(`error mounting the container's root: ${(e as Error).message}`);
    }
    return merged;
  }

  unmount(c: ContainerRecord): void {
    try {
      this.sys.umount2(this.layout.mergedDir(c.Id), MNT_DETACH);
    } catch {
      // not mounted
    }
  }

  /** Runs fn with the root mounted: a running container's as it is, a stopped one's for the call. */
  with<T>(c: ContainerRecord, fn: (rootfs: string) => T): T {
    if (c.State.Running) return fn(this.layout.mergedDir(c.Id));
    const rootfs = this.mount(c);
    try {
      return fn(rootfs);
    } finally {
      if (!c.State.Running) this.unmount(c);
    }
  }

  /** Bytes in the writable layer (docker ps -s, system df). */
  size(c: ContainerRecord): number {
    return diskUsage(this.sys, `${this.layout.layerDir(c.Id)}/diff`);
  }

  /** The writable layer and mount point go (docker rm, a create that failed). */
  remove(id: string): void {
    removeAll(this.sys, this.layout.layerDir(id));
  }
}
