// Local volumes, as dockerd's "local" driver keeps them: /var/lib/docker/volumes/<name>/_data
// plus our meta.json (creation time, labels). A volume is created whole under a temporary name and
// renamed into place, so a crash never leaves half a volume. Creating and removing one are events.

import type { Syscalls } from '../sys/syscalls.ts';
import { exists, mkdirp, readJson, removeAll, writeFileAtomic } from '../util/fsutil.ts';
import { newId } from '../util/ids.ts';
import type { Volume } from '../api/engine-api.ts';
import type { ContainerRecord } from './model.ts';
import { Conflict, InvalidParameter, NotFound } from './errdefs.ts';
import type { Events } from './events.ts';

export class Volumes {
  constructor(
    private sys: Syscalls,
    /** /var/lib/docker/volumes */
    readonly root: string,
    private now: () => number,
    /** The containers to check for users of a volume. */
    private containers: () => ContainerRecord[],
    private events: Events,
  ) {}

  dirOf(name: string): string {
    return `${this.root}/${name}`;
  }

  list(): Volume[] {
    let names: string[] = [];
    try {
      names = this.sys.readdir(this.root).map((e) => e.name).filter((n) => exists(this.sys, `${this.dirOf(n)}/_data`));
    } catch {
      // none
    }
    return names.sort().map((n) => this.get(n));
  }

  get(name: string): Volume {
    let meta: { CreatedAt: string; Labels: Record<string, string> };
    try {
      meta = readJson(this.sys, `${this.dirOf(name)}/meta.json`);
    } catch {
      if (!exists(this.sys, `${this.dirOf(name)}/_data`)) throw new NotFound(`get ${name}: no such volume`);
      meta = { CreatedAt: new Date(this.now()).toISOString(), Labels: {} };
    }
    return { Name: name, Driver: 'local', Mountpoint: `${this.dirOf(name)}/_data`, CreatedAt: meta.CreatedAt, Labels: meta.Labels ?? {}, Scope: 'local', Options: {} };
  }

  create(name: string | undefined, labels: Record<string, string> = {}): Volume {
    const n = name || newId((k) => this.sys.randomBytes(k));
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(n)) throw new InvalidParameter(`create ${n}: "${n}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    if (exists(this.sys, `${this.dirOf(n)}/_data`)) return this.get(n);
    const tmp = `${this.dirOf(n)}.tmp-${this.sys.getpid()}`;
    removeAll(this.sys, tmp);
    mkdirp(this.sys, `${tmp}/_data`, 0o755);
    writeFileAtomic(this.sys, `${tmp}/meta.json`, JSON.stringify({ CreatedAt: new Date(this.now()).toISOString(), Labels: labels }));
    this.sys.rename(tmp, this.dirOf(n));
    this.events.emit('volume', 'create', n, { driver: 'local' });
    return this.get(n);
  }

  usersOf(name: string): ContainerRecord[] {
    return this.containers().filter((c) => c.Mounts.some((m) => m.Type === 'volume' && m.Name === name));
  }

  remove(name: string, force = false): void {
    this.get(name);
    const users = this.usersOf(name);
    if (users.length > 0 && !force) throw new Conflict(`remove ${name}: volume is in use - [${users.map((c) => c.Id).join(', ')}]`);
    removeAll(this.sys, this.dirOf(name));
    this.events.emit('volume', 'destroy', name, { driver: 'local' });
  }

  /** docker rm -v: the container's anonymous volumes (64-hex names) no other container uses. */
  removeAnonymous(c: ContainerRecord): void {
    for (const m of c.Mounts) {
      if (m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name) && this.usersOf(m.Name).length === 0) removeAll(this.sys, this.dirOf(m.Name));
    }
  }
}
