// Keeps every file of a folder on the 9p share open, so that the guest's page cache keeps what was
// read of them. The share is mounted cache=none, where v9fs drops an inode, and its cached pages,
// as soon as nothing uses it: each run of a tool on the share (ip, unshare, with their glibc) then
// read its pages over 9p again, 0.25 s an `ip` against 0.07 s with the files held open. Held by
// the agent, which lives as long as the guest, the files cost no process a learner would see.
import type { Syscalls } from '../sys/syscalls.ts';
import { O_CLOEXEC, O_RDONLY } from '../sys/constants.ts';

export class FolderHolder {
  private held: number[] | null = null;

  constructor(
    private readonly sys: Syscalls,
    private readonly dir: string,
  ) {}

  /**
   * Opens the folder's regular files, once: until the folder exists (the driver attaches it after
   * the boot) each call only looks for it. Returns how many files are held.
   */
  hold(): number {
    if (this.held) return this.held.length;
    if (!this.sys.statOrNull(this.dir)) return 0;
    const fds: number[] = [];
    const walk = (path: string): void => {
      for (const e of this.sys.readdir(path)) {
        const p = `${path}/${e.name}`;
        if (e.type === 'dir') walk(p);
        else if (e.type === 'file') fds.push(this.sys.open(p, O_RDONLY | O_CLOEXEC));
      }
    };
    try {
      walk(this.dir);
    } catch {
      // a folder that cannot be read whole is held in part: the rest reads as before
    }
    this.held = fds;
    return fds.length;
  }
}
