// dockerd's engine: the one object the API routes, the builder and dockerd's main call. It composes
// the parts and answers in Docker's terms; the work is done by one module per object or verb:
// records containers.ts, names names.ts, create.ts, start.ts, stop.ts (and kill), delete.ts, exits
// monitor.ts, restart policies restart.ts, root filesystems rootfs.ts, mounts mounts.ts, logs
// logs.ts, images images.ts, volumes volumes.ts, networks network/, shims shim-launcher.ts.

import type { Syscalls } from '../sys/syscalls.ts';
import { ImageStore, type ImageRecord, type PullEvent } from '../images/store.ts';
import { OfflineRegistry } from '../images/registry.ts';
import { LayerViews } from '../images/views.ts';
import { mkdirp } from '../util/fsutil.ts';
import type { Volume } from '../api/engine-api.ts';
import { Attachments } from './attach.ts';
import { ContainerStore } from './containers.ts';
import { createContainer, type CreateBody } from './create.ts';
import { removeContainer } from './delete.ts';
import { Events } from './events.ts';
import { Execs } from './exec.ts';
import { HealthMonitor, type ProbeRunner } from './health.ts';
import { ImageService } from './images.ts';
import { Layout } from './layout.ts';
import { readLog, readLogFrom, type LogEntry } from './logs.ts';
import type { ContainerRecord } from './model.ts';
import { ExitMonitor } from './monitor.ts';
import { renameContainer } from './names.ts';
import { Networks } from './network/networks.ts';
import type { EngineOptions, EngineParts } from './parts.ts';
import { Restarts } from './restart.ts';
import { Rootfs } from './rootfs.ts';
import { SpawnShimLauncher, type ShimLauncher } from './shim-launcher.ts';
import { startContainer } from './start.ts';
import { killContainer, stopContainer } from './stop.ts';
import { Volumes } from './volumes.ts';

export type { EngineOptions } from './parts.ts';
export type { CreateBody } from './create.ts';

/** What the engine takes from outside, so its logic runs on the Syscalls fake in unit tests. */
export interface EngineDeps {
  launcher: ShimLauncher;
  /** Milliseconds since the epoch. */
  now(): number;
  /** The network service's kernel parts (tests on the fake give no nf_tables socket). */
  network: ConstructorParameters<typeof Networks>[3];
  /** Runs health check probes (default: an exec through the container's shim). */
  probe: ProbeRunner;
  /** Where the engine reports what it carried on after (a record it could not write). */
  log(msg: string): void;
}

export class Engine {
  readonly images: ImageStore;
  /** Shared read-only overlays of lazily pulled images (images/views.ts). */
  readonly views: LayerViews;
  readonly registry: OfflineRegistry;
  private containers: ContainerStore;
  /** Where a container's files are. */
  readonly layout: Layout;
  private rootfs: Rootfs;
  /** Exits of running containers (monitor.ts) and restarts after them (restart.ts). */
  private exits: ExitMonitor;
  private restarts: Restarts;
  /** What the verbs (create.ts, start.ts, stop.ts, delete.ts) work with. */
  private parts: EngineParts;
  readonly net: Networks;
  /** The event stream (GET /events). */
  readonly events: Events;
  /** Attach streams (attach.ts) and exec instances (exec.ts). */
  readonly attachments: Attachments;
  readonly execs: Execs;
  /** Health check monitors of running containers (health.ts). */
  readonly health: HealthMonitor;

  private vols: Volumes;
  private imageService: ImageService;
  private launcher: ShimLauncher;
  private now: () => number;
  /** dockerd's log (its stderr); a test's list. Never throws. */
  log: (msg: string) => void;

  constructor(
    private sys: Syscalls,
    readonly opts: EngineOptions,
    deps: Partial<EngineDeps> = {},
  ) {
    this.launcher = deps.launcher ?? new SpawnShimLauncher(sys, opts.selfExe);
    this.now = deps.now ?? (() => Date.now());
    this.log = deps.log ?? (() => undefined);
    this.layout = new Layout(opts.root, opts.execRoot);
    this.containers = new ContainerStore(sys, this.layout.containersDir, (m) => this.log(m));
    for (const d of ['containers', 'volumes', 'overlay2', 'tmp']) mkdirp(sys, `${opts.root}/${d}`, 0o710);
    mkdirp(sys, `${opts.execRoot}/containerd`, 0o711);
    mkdirp(sys, `${opts.execRoot}/s`, 0o711);
    this.events = new Events(this.now);
    this.vols = new Volumes(sys, `${opts.root}/volumes`, this.now, () => this.containers.values(), this.events);
    this.images = new ImageStore(sys, opts.root);
    this.views = new LayerViews(sys, `${opts.execRoot}/views`);
    this.rootfs = new Rootfs(sys, this.layout, this.images, this.views);
    this.registry = new OfflineRegistry(sys, opts.registry);
    this.imageService = new ImageService(this.images, this.views, this.registry, opts.pullMode, () => this.containers.values(), this.events);
    this.net = new Networks(sys, { bridge: opts.bridge ?? 'none', root: opts.root, execRoot: opts.execRoot }, () => this.containers.values(), deps.network ?? {});
    this.net.events = this.events;
    this.net.save = (c) => this.containers.persist(c);
    this.attachments = new Attachments(sys);
    this.execs = new Execs(sys);
    const probe: ProbeRunner = deps.probe ?? {
      start: (id, cmd, on) => this.execs.probe(this.containers.lookup(id), this.bundleOf(id), this.shimSocket(id), cmd, on),
    };
    this.health = new HealthMonitor({
      now: this.now,
      setTimer: (ms, fn) => sys.setTimer(ms, fn),
      clearTimer: (h) => sys.clearTimer(h),
      runner: probe,
      changed: (c, status) => {
        const rec = c as ContainerRecord;
        if (!this.containers.has(rec.Id)) return;
        this.containers.persist(rec);
        this.events.container(rec, `health_status: ${status}`);
      },
    });
    this.restarts = new Restarts({
      setTimer: (ms, fn) => sys.setTimer(ms, fn),
      exists: (id) => this.containers.has(id),
      persist: (c) => this.containers.persist(c),
      start: (id) => void this.start(id),
    });
    this.exits = new ExitMonitor({
      sys, store: this.containers, layout: this.layout, launcher: this.launcher, health: this.health, net: this.net, rootfs: this.rootfs,
      events: this.events, now: this.now,
      exited: (c) => {
        if (!c.HostConfig.AutoRemove) this.restarts.afterExit(c);
        else {
          try {
            this.remove(c.Id, true, true);
          } catch {
            // best effort, as Docker
          }
        }
      },
    });
    this.parts = {
      sys, opts, layout: this.layout, store: this.containers, events: this.events, images: this.imageService, volumes: this.vols, net: this.net,
      rootfs: this.rootfs, launcher: this.launcher, exits: this.exits, health: this.health, attachments: this.attachments, execs: this.execs,
      now: this.now, remove: (id, force, volumes) => this.remove(id, force, volumes),
    };
    this.load();
  }

  /** The OCI bundle the shim runs the container from (its control socket is there too). */
  bundleOf(id: string): string {
    return this.layout.bundle(id);
  }

  shimSocket(id: string): string {
    return this.layout.shimSocket(id);
  }

  /** Records held in memory only, for now (a full disk). */
  unsavedRecords(): string[] {
    return this.containers.heldIds();
  }

  private load(): void {
    this.containers.load();
    for (const c of this.containers.values()) this.exits.refresh(c);
    // live containers of an earlier daemon keep their health state and are watched again
    for (const c of this.containers.values()) if (c.State.Running) this.health.resume(c);
    for (const c of this.containers.values()) this.restarts.atDaemonStart(c);
  }

  /** A user's start or restart: restart policies apply again. */
  clearManualStop(ref: string): void {
    this.restarts.clearManualStop(this.get(ref));
  }

  /**
   * Every half second: records held back by a full disk are written again, an earlier daemon's
   * containers polled, and a standby shim started once container starts have paused.
   */
  poll(): void {
    this.containers.retryHeld();
    this.exits.poll();
    this.launcher.tick?.();
  }

  onExit(id: string, fn: () => void): void {
    this.exits.onExit(id, fn);
  }

  all(): ContainerRecord[] {
    for (const c of this.containers.values()) this.exits.refresh(c);
    return this.containers.values().sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
  }

  get(ref: string): ContainerRecord {
    const c = this.containers.lookup(ref);
    this.exits.refresh(c);
    return c;
  }

  // ---- images (images.ts) ----

  findImage(name: string): ImageRecord {
    return this.imageService.find(name);
  }

  pull(fromImage: string, tag: string, emit: (e: PullEvent) => void): ImageRecord {
    return this.imageService.pull(fromImage, tag, emit);
  }

  imageContainers(id: string): ContainerRecord[] {
    return this.imageService.usersOf(id);
  }

  removeImage(name: string, force: boolean): { Untagged?: string; Deleted?: string }[] {
    return this.imageService.remove(name, force);
  }

  // ---- volumes (volumes.ts) ----

  volumes(): Volume[] {
    return this.vols.list();
  }

  volume(name: string): Volume {
    return this.vols.get(name);
  }

  createVolume(name: string | undefined, labels: Record<string, string> = {}): Volume {
    return this.vols.create(name, labels);
  }

  volumeUsers(name: string): ContainerRecord[] {
    return this.vols.usersOf(name);
  }

  removeVolume(name: string, force = false): void {
    this.vols.remove(name, force);
  }

  // ---- containers ----

  /** docker rename (names.ts). */
  rename(ref: string, name: string): void {
    renameContainer(this.containers, this.events, this.get(ref), name);
  }

  create(name: string | null, body: CreateBody): ContainerRecord {
    return createContainer(this.parts, name, body);
  }

  /**
   * Runs fn with the container's root filesystem mounted (docker cp works on stopped containers
   * too), see rootfs.ts.
   */
  withRootfs<T>(c: ContainerRecord, fn: (rootfs: string) => T): T {
    return this.rootfs.with(c, fn);
  }

  start(ref: string): 'started' | 'already' {
    return startContainer(this.parts, this.get(ref));
  }

  /** The shims are our children while this daemon lives: reap them. */
  reapShims(): void {
    this.launcher.reap();
  }

  kill(ref: string, signal: string | null): void {
    killContainer(this.parts, this.get(ref), ref, signal);
  }

  /** Stop: the stop signal, then SIGKILL after the timeout. Resolves once exited. */
  stop(ref: string, timeoutS: number | null, signal: string | null): Promise<'stopped' | 'already'> {
    // lookups throw here, synchronously, never as a rejected promise
    return stopContainer(this.parts, this.get(ref), timeoutS, signal);
  }

  waitExit(ref: string, condition: string): Promise<ContainerRecord> {
    return this.exits.waitExit(this.get(ref), condition);
  }

  remove(ref: string, force: boolean, volumes: boolean): void {
    removeContainer(this.parts, this.get(ref), force, volumes);
  }

  containerSize(c: ContainerRecord): number {
    return this.rootfs.size(c);
  }

  /** The json-file log entries. */
  logs(c: ContainerRecord): LogEntry[] {
    return readLog(this.sys, c.LogPath);
  }

  readLogFrom(c: ContainerRecord, offset: number): { entries: LogEntry[]; next: number } {
    return readLogFrom(this.sys, c.LogPath, offset);
  }

  imageChainsInUse(): Set<string> {
    return new Set(this.containers.values().map((c) => c.Image));
  }
}
