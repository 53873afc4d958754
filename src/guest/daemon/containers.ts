// The container records dockerd keeps: one config.v2.json per container under
// /var/lib/docker/containers/<id>, loaded at start and rewritten on every state change (held in
// memory and written again later when the disk is full), and the name/ID-prefix lookup every
// endpoint goes through. No process handling here (start.ts, stop.ts, monitor.ts).

import type { Syscalls } from '../sys/syscalls.ts';
import { errorText } from '../sys/errors.ts';
import { readJson, removeAll, writeFileAtomic } from '../util/fsutil.ts';
import { humanDuration } from '../util/humanize.ts';
import { lookup, NotFoundError, AmbiguousError } from '../util/ids.ts';
import { ZERO_TIME, type ContainerRecord } from './model.ts';
import { InvalidParameter, NotFound } from './errdefs.ts';
import { healthText } from './health.ts';

/** "Up 5 seconds (healthy)", "Exited (0) 3 minutes ago", "Created", as docker ps shows. */
export function statusText(s: ContainerRecord['State'], now: number): string {
  if (s.Running) return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${s.Health ? ` (${healthText(s.Health)})` : ''}`;
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Status === 'dead') return 'Dead';
  if (s.StartedAt === ZERO_TIME) return 'Created';
  return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
}

export class ContainerStore {
  private records = new Map<string, ContainerRecord>();
  /** Ids whose last write failed (persist). */
  private held = new Set<string>();

  constructor(
    private sys: Syscalls,
    /** /var/lib/docker/containers */
    readonly dir: string,
    /** dockerd's log, for a record it could not write. */
    private log: (msg: string) => void = () => undefined,
  ) {}

  /** The container's own directory (record, log, hosts, exit file). */
  dirOf(id: string): string {
    return `${this.dir}/${id}`;
  }

  save(c: ContainerRecord): void {
    writeFileAtomic(this.sys, `${this.dirOf(c.Id)}/config.v2.json`, JSON.stringify(c));
  }

  /**
   * Writes the record. A write that fails (the guest's tmpfs is full) keeps the old record on disk
   * (atomic rename) and the new state in memory, which stays what the API answers with; the
   * record is written again on each poll (retryHeld) until it goes through, once the learner
   * frees space. State changes never fail half-way for it: an exit still wakes its waiters, a
   * stop returns.
   */
  persist(c: ContainerRecord): void {
    try {
      this.save(c);
      this.held.delete(c.Id);
    } catch (e) {
      if (!this.held.has(c.Id)) this.log(`failed to save container ${c.Id}: ${errorText(e)}`);
      this.held.add(c.Id);
    }
  }

  /** Writes the records a full disk held back. */
  retryHeld(): void {
    for (const id of [...this.held]) {
      const c = this.records.get(id);
      if (!c) this.held.delete(id);
      else {
        try {
          this.save(c);
          this.held.delete(id);
        } catch {
          // still full: next poll
        }
      }
    }
  }

  /** Records held in memory only, for now (a full disk). */
  heldIds(): string[] {
    return [...this.held];
  }

  /** Reads every complete record on disk (the daemon's start). */
  load(): void {
    let ids: string[] = [];
    try {
      ids = this.sys.readdir(this.dir).map((e) => e.name).filter((n) => /^[0-9a-f]{64}$/.test(n));
    } catch {
      // first start
    }
    for (const id of ids) {
      try {
        this.records.set(id, readJson<ContainerRecord>(this.sys, `${this.dirOf(id)}/config.v2.json`));
      } catch {
        // a container dir without a complete record was never created: drop it
        removeAll(this.sys, this.dirOf(id));
      }
    }
  }

  values(): ContainerRecord[] {
    return [...this.records.values()];
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  add(c: ContainerRecord): void {
    this.records.set(c.Id, c);
  }

  delete(id: string): void {
    this.records.delete(id);
  }

  byName(name: string): ContainerRecord | undefined {
    return this.values().find((c) => c.Name === name);
  }

  /** By full or unique prefix ID, or name: Docker's lookup and its messages. */
  lookup(ref: string): ContainerRecord {
    try {
      return lookup(this.values().map((c) => ({ id: c.Id, name: c.Name, c })), ref, 'container').c;
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFound(e.message);
      if (e instanceof AmbiguousError) throw new InvalidParameter(e.message);
      throw e;
    }
  }
}
