// Shared read-only views of lazily pulled images. A lazy layer's files stay on the 9p share,
// which the guest mounts with cache=none: there every lookup makes a fresh inode, so a file's
// pages are read from the host again each time it is opened or executed (busybox's `true` in a
// new container cost ~350 ms of 9p reads; 20 ms once cached). A dentry still in use keeps its
// inode and page cache, though, and overlayfs holds the lower dentries of every dentry it has
// cached. So dockerd mounts one read-only overlay of the image's layers per image ("view",
// under <exec-root>/views, kept while the guest runs) and gives containers that view as their
// lower dir: what one container read, the next one finds cached. The view is also what
// containerd's snapshotter calls a view: the image's layers, read-only, in one mount.

import type { Syscalls } from '../sys/syscalls.ts';
import { MNT_DETACH, S_IFDIR, S_IFMT } from '../sys/constants.ts';
import { mkdirp } from '../util/fsutil.ts';

export class LayerViews {
  constructor(
    private sys: Syscalls,
    /** Folder of the mount points, e.g. /var/run/docker/views. */
    readonly dir: string,
  ) {}

  private pathOf(topChain: string): string {
    return `${this.dir}/${topChain.replace(/^sha256:/, '')}`;
  }

  private mounted(path: string): boolean {
    try {
      return this.sys.stat(path).dev !== this.sys.stat(this.dir).dev;
    } catch {
      return false;
    }
  }

  /**
   * The lower dirs a container of this image should use: the image's view when one of its layers
   * is lazy (top layer first in `lowers`, as overlayfs takes them), else `lowers` as they are. A
   * view that cannot be mounted is no error: the container then reads the layers directly.
   */
  lowerFor(topChain: string, lowers: readonly string[], isLocal: (dir: string) => boolean): string[] {
    if (lowers.every(isLocal)) return [...lowers];
    const view = this.pathOf(topChain);
    if (this.mounted(view)) return [view];
    try {
      mkdirp(this.sys, view, 0o700);
      // overlayfs wants two lower dirs when it has no upper one: an empty one fills in
      const dirs = lowers.length > 1 ? lowers : [...lowers, this.empty()];
      this.sys.mount('overlay', view, 'overlay', 0, `lowerdir=${dirs.join(':')}`);
      return [view];
    } catch {
      return [...lowers];
    }
  }

  private empty(): string {
    const e = `${this.dir}/.empty`;
    try {
      if ((this.sys.stat(e).mode & S_IFMT) === S_IFDIR) return e;
    } catch {
      // make it
    }
    mkdirp(this.sys, e, 0o700);
    return e;
  }

  /** Drops an image's view (containers still using it keep their mounts: a lazy unmount). */
  release(topChain: string): void {
    const view = this.pathOf(topChain);
    if (!this.mounted(view)) return;
    try {
      this.sys.umount2(view, MNT_DETACH);
      this.sys.rmdir(view);
    } catch {
      // busy or gone: the next lowerFor() mounts a fresh one
    }
  }
}
