// A container's exit, as dockerd learns of it (moby's daemon/monitor.go): the shim's status line
// or exit record, or, for an earlier daemon's shims, polling. The exit is recorded, the container's
// network, root and health checks are released, its waiters woken, and the caller's exited hook
// applies the restart policy or --rm.

import type { Syscalls } from '../sys/syscalls.ts';
import type { ExitRecord } from '../shim/proto.ts';
import { readJson } from '../util/fsutil.ts';
import type { ContainerStore } from './containers.ts';
import type { Events } from './events.ts';
import type { HealthMonitor } from './health.ts';
import type { Layout } from './layout.ts';
import type { ContainerRecord } from './model.ts';
import type { Networks } from './network/networks.ts';
import type { Rootfs } from './rootfs.ts';
import type { ShimLauncher } from './shim-launcher.ts';

export interface ExitMonitorDeps {
  sys: Syscalls;
  store: ContainerStore;
  layout: Layout;
  launcher: ShimLauncher;
  health: HealthMonitor;
  net: Networks;
  rootfs: Rootfs;
  events: Events;
  now(): number;
  /** After the exit is recorded and waiters woken: restart policy or --rm. */
  exited(c: ContainerRecord): void;
}

export class ExitMonitor {
  /** Waiters for a container's exit (wait, attach, logs -f, stop). */
  private waiters = new Map<string, (() => void)[]>();
  /** The shims this daemon started (an earlier daemon's are polled instead). */
  private shims = new Map<string, { close(): void }>();

  constructor(private d: ExitMonitorDeps) {}

  /** A shim this daemon started: its pipe tells of the exit, so poll leaves it alone. */
  track(id: string, shim: { close(): void }): void {
    this.shims.set(id, shim);
  }

  /**
   * Picks up an exit recorded by the shim (also after a daemon restart). reported: the exit code
   * the shim's status line gave, for when it could not write exit.json.
   */
  refresh(c: ContainerRecord, reported: number | null = null): void {
    if (!c.State.Running) return;
    const { sys } = this.d;
    const exitFile = this.d.layout.exitFile(c.Id);
    const read = (): ExitRecord | null => {
      try {
        // a running container has none: asked without a failed open (docker ps asks for each)
        return sys.lstatOrNull(exitFile) ? readJson<ExitRecord>(sys, exitFile) : null;
      } catch {
        return null;
      }
    };
    let rec = read();
    // the shim said "exited N" but could not write the file (a full disk): its word is enough,
    // though it may not have ended yet
    if (!rec && reported !== null) rec = { ExitCode: reported, FinishedAt: this.nowIso(), OOMKilled: false, Error: '' };
    // still running, unless the shim died without a word; read again after the liveness check,
    // since the shim may have written the file and exited in between
    if (!rec && c.ShimPid > 0 && !this.d.launcher.alive(c.ShimPid)) {
      rec = read() ?? { ExitCode: 255, FinishedAt: this.nowIso(), OOMKilled: false, Error: 'containerd-shim exited unexpectedly' };
    }
    if (rec) this.markExited(c, rec);
  }

  /** Polls running containers of an earlier daemon (no shim pipe to tell us). */
  poll(): void {
    for (const c of this.d.store.values()) if (c.State.Running && !this.shims.has(c.Id)) this.refresh(c);
  }

  onExit(id: string, fn: () => void): void {
    const list = this.waiters.get(id) ?? [];
    list.push(fn);
    this.waiters.set(id, list);
  }

  /** docker wait's conditions: not-running (default), next-exit, removed. */
  waitExit(c: ContainerRecord, condition: string): Promise<ContainerRecord> {
    if (condition !== 'next-exit' && !c.State.Running && condition !== 'removed') return Promise.resolve(c);
    if (condition === 'removed' && !this.d.store.has(c.Id)) return Promise.resolve(c);
    return new Promise((resolve) => this.onExit(c.Id, () => resolve(c)));
  }

  /** Wakes the container's waiters (its exit, or its removal). */
  wake(id: string): void {
    const ws = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    for (const w of ws) w();
  }

  private markExited(c: ContainerRecord, rec: ExitRecord): void {
    const { sys, store, events } = this.d;
    c.State = { ...c.State, Status: 'exited', Running: false, Pid: 0, ExitCode: rec.ExitCode, OOMKilled: rec.OOMKilled, Error: rec.Error, FinishedAt: rec.FinishedAt };
    c.ShimPid = 0;
    this.d.health.stopped(c);
    this.d.net.detach(c);
    store.persist(c);
    events.container(c, 'die', { exitCode: String(rec.ExitCode), execDuration: String(Math.max(0, Math.round((Date.parse(rec.FinishedAt) - Date.parse(c.State.StartedAt)) / 1000))) });
    try {
      sys.unlink(this.d.layout.exitFile(c.Id));
    } catch {
      // not there
    }
    this.d.rootfs.unmount(c);
    const shim = this.shims.get(c.Id);
    if (shim !== undefined) {
      shim.close();
      this.shims.delete(c.Id);
    }
    this.wake(c.Id);
    this.d.exited(c);
  }

  private nowIso(): string {
    return new Date(this.d.now()).toISOString();
  }
}
