// dockerd's engine: the facade the API routes call, and the container lifecycle (create, start,
// stop, kill, wait, exit handling, restart policies, remove, logs). Records live in containers.ts,
// images in images.ts, volumes in volumes.ts, shims are run by shim-launcher.ts. Each running
// container has its own containerd-shim process.

import type { Syscalls } from '../sys/syscalls.ts';
import { MNT_DETACH, SIGKILL, SIGNALS } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { ImageStore, type ImageRecord, type PullEvent, type PullMode } from '../images/store.ts';
import { OfflineRegistry } from '../images/registry.ts';
import type { OciMount } from '../runc/spec.ts';
import { diskUsage, mkdirp, readJson, readText, removeAll, writeFileAtomic } from '../util/fsutil.ts';
import { newId } from '../util/ids.ts';
import { randomName, VALID_NAME } from '../util/names.ts';
import { readLog, readLogFrom, type LogEntry } from './logs.ts';
import { newState, ZERO_TIME, type ContainerConfig, type ContainerRecord, type HostConfig, type MountPoint } from './model.ts';
import { containerSpec, hostsFile, resolveUser } from './ocispec.ts';
import { Networks, type EndpointRequest } from './network/networks.ts';
import { Events } from './events.ts';
import { LayerViews } from '../images/views.ts';
import type { ExitRecord } from '../shim/proto.ts';
import { ImageService } from './images.ts';
import { Volumes } from './volumes.ts';
import { ContainerStore } from './containers.ts';
import { Layout } from './layout.ts';
import { Rootfs } from './rootfs.ts';
import { fillVolumes, ociMounts, resolveMounts } from './mounts.ts';
import { copyTree } from '../util/copytree.ts';
import { Attachments } from './attach.ts';
import { Execs } from './exec.ts';
import { ForkExecShimLauncher, type ShimLauncher } from './shim-launcher.ts';
import type { Volume } from '../api/engine-api.ts';
import { Conflict, InvalidParameter, SystemError } from './errdefs.ts';
import { policyError, Restarts } from './restart.ts';
import { ExitMonitor } from './monitor.ts';
import { HealthMonitor, healthcheckError, mergeHealthcheck, type HealthConfig, type ProbeRunner } from './health.ts';

export interface EngineOptions {
  root: string;
  execRoot: string;
  registry: string;
  pullMode: PullMode;
  /** Path of our own binary, run as containerd-shim. */
  selfExe: string;
  /** The default bridge's name, or "none" (dockerd --bridge). */
  bridge?: string;
}

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
    this.launcher = deps.launcher ?? new ForkExecShimLauncher(sys, opts.selfExe);
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
    this.load();
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  // ---- state on disk ----

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

  /** Records held back by a full disk are written again; an earlier daemon's containers polled. */
  poll(): void {
    this.containers.retryHeld();
    this.exits.poll();
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

  /** docker rename: the name changes everywhere it is read (ps, DNS on user networks, inspect). */
  rename(ref: string, name: string): void {
    const c = this.get(ref);
    if (!name) throw new InvalidParameter('Neither old nor new names may be empty');
    if (!VALID_NAME.test(name)) throw new InvalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const clean = `/${name.replace(/^\//, '')}`;
    if (clean === c.Name) throw new InvalidParameter('Renaming a container with the same name as its current name');
    const other = this.containers.byName(clean);
    if (other) throw new Conflict(`Conflict. The container name "${clean}" is already in use by container "${other.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
    const old = c.Name;
    c.Name = clean;
    // the name a user network's DNS answers for is the container's own name
    for (const ep of Object.values(c.NetworkSettings.Networks)) {
      if (ep.DNSNames) ep.DNSNames = ep.DNSNames.map((n) => (n === old.slice(1) ? clean.slice(1) : n));
    }
    this.containers.persist(c);
    this.events.emit('container', 'rename', c.Id, { name: clean.slice(1), oldName: old });
  }

  create(name: string | null, body: Partial<ContainerConfig> & { HostConfig?: Partial<HostConfig>; NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointRequest> | null } | null }): ContainerRecord {
    if (!body.Image) throw new InvalidParameter('No image specified');
    const policyErr = policyError(body.HostConfig?.RestartPolicy);
    if (policyErr) throw new InvalidParameter(policyErr);
    if (body.HostConfig?.AutoRemove && body.HostConfig.RestartPolicy && !['', 'no'].includes(body.HostConfig.RestartPolicy.Name)) throw new InvalidParameter("can't create 'AutoRemove' container with restart policy");
    const hcErr = healthcheckError(body.Healthcheck);
    if (hcErr) throw new InvalidParameter(hcErr);
    const img = this.findImage(body.Image);
    if (name !== null && name !== '') {
      if (!VALID_NAME.test(name)) throw new InvalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const clean = `/${name.replace(/^\//, '')}`;
      const other = this.containers.byName(clean);
      if (other) throw new Conflict(`Conflict. The container name "${clean}" is already in use by container "${other.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    let finalName = name ? `/${name.replace(/^\//, '')}` : '';
    const pick = (n: number): number => (this.sys.randomBytes(2).reduce((a, b) => a * 256 + b, 0)) % n;
    for (let retry = 0; !finalName; retry++) {
      const cand = `/${randomName(pick, retry > 5 ? retry : 0)}`;
      if (!this.containers.values().some((c) => c.Name === cand)) finalName = cand;
    }
    const ic = img.config.config ?? {};
    const entrypoint = body.Entrypoint !== undefined && body.Entrypoint !== null ? body.Entrypoint : (ic.Entrypoint ?? null);
    const cmd = body.Cmd && body.Cmd.length > 0 ? body.Cmd : body.Entrypoint && body.Entrypoint.length > 0 ? [] : (ic.Cmd ?? []);
    const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
    if (argv.length === 0) throw new InvalidParameter('no command specified');
    const id = newId((k) => this.sys.randomBytes(k));
    const dir = this.layout.containerDir(id);
    const hc: HostConfig = {
      Binds: null, NetworkMode: 'bridge', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, Memory: 0, MemorySwap: 0,
      NanoCpus: 0, CpuShares: 0, PidsLimit: null, Init: null, ...(body.HostConfig ?? {}),
    };
    const env = [...(ic.Env ?? [])];
    for (const e of body.Env ?? []) {
      const k = e.split('=')[0];
      const i = env.findIndex((x) => x.split('=')[0] === k);
      if (i >= 0) env[i] = e;
      else env.push(e);
    }
    const c: ContainerRecord = {
      Id: id,
      Created: this.nowIso(),
      Path: argv[0]!,
      Args: argv.slice(1),
      State: newState(),
      Image: img.id,
      ResolvConfPath: `${dir}/resolv.conf`,
      HostnamePath: `${dir}/hostname`,
      HostsPath: `${dir}/hosts`,
      LogPath: `${dir}/${id}-json.log`,
      Name: finalName,
      RestartCount: 0,
      Driver: 'overlay2',
      Platform: 'linux',
      MountLabel: '',
      ProcessLabel: '',
      AppArmorProfile: '',
      HostConfig: hc,
      Mounts: [],
      Config: {
        Hostname: body.Hostname || id.slice(0, 12),
        Domainname: '',
        User: body.User ?? ic.User ?? '',
        AttachStdin: body.AttachStdin ?? false,
        AttachStdout: body.AttachStdout ?? true,
        AttachStderr: body.AttachStderr ?? true,
        ExposedPorts: { ...(ic.ExposedPorts ?? {}), ...(body.ExposedPorts ?? {}) },
        Tty: body.Tty ?? false,
        OpenStdin: body.OpenStdin ?? false,
        StdinOnce: body.StdinOnce ?? false,
        Env: env,
        Cmd: cmd,
        Image: body.Image,
        Volumes: body.Volumes ?? ic.Volumes ?? null,
        WorkingDir: body.WorkingDir || ic.WorkingDir || '',
        Entrypoint: entrypoint,
        Labels: { ...(ic.Labels ?? {}), ...(body.Labels ?? {}) },
        StopSignal: body.StopSignal ?? ic.StopSignal,
        StopTimeout: body.StopTimeout,
        Healthcheck: mergeHealthcheck(body.Healthcheck, ic.Healthcheck as HealthConfig | undefined),
        Shell: body.Shell && body.Shell.length ? body.Shell : ic.Shell,
      },
      NetworkSettings: this.net.initialSettings(hc.NetworkMode, body.NetworkingConfig?.EndpointsConfig ?? {}, hc, body.Hostname ?? ''),
      ShimPid: 0,
      ImageName: body.Image,
    };
    c.Mounts = resolveMounts(c, hc, (name) => this.createVolume(name));
    const tmp = `${dir}.tmp`;
    removeAll(this.sys, tmp);
    mkdirp(this.sys, tmp, 0o710);
    try {
      writeFileAtomic(this.sys, `${tmp}/hostname`, `${c.Config.Hostname}\n`);
      writeFileAtomic(this.sys, `${tmp}/hosts`, hostsFile(c.Config.Hostname, null));
      writeFileAtomic(this.sys, `${tmp}/resolv.conf`, hostResolvConf(this.sys));
      writeFileAtomic(this.sys, `${tmp}/config.v2.json`, JSON.stringify(c));
      this.rootfs.prepare(id);
      this.sys.rename(tmp, dir);
    } catch (e) {
      removeAll(this.sys, tmp);
      this.rootfs.remove(id);
      throw e;
    }
    this.containers.add(c);
    this.events.container(c, 'create');
    return c;
  }

  /**
   * Runs fn with the container's root filesystem mounted (docker cp works on stopped containers
   * too), see rootfs.ts.
   */
  withRootfs<T>(c: ContainerRecord, fn: (rootfs: string) => T): T {
    return this.rootfs.with(c, fn);
  }

  start(ref: string): 'started' | 'already' {
    const c = this.get(ref);
    if (c.State.Running) return 'already';
    const rootfs = this.rootfs.mount(c);
    fillVolumes(this.sys, c, rootfs);
    let passwd = '';
    let group = '';
    try {
      // root ('') needs neither file: two reads through the overlay saved on every start
      if (c.Config.User !== '') {
        passwd = readText(this.sys, `${rootfs}/etc/passwd`);
        group = readText(this.sys, `${rootfs}/etc/group`);
      }
    } catch {
      // images without passwd: numeric users only
    }
    let user;
    try {
      user = resolveUser(c.Config.User, passwd, group);
    } catch (e) {
      this.rootfs.unmount(c);
      throw new SystemError((e as Error).message);
    }
    const mounts = ociMounts(this.sys, c);
    let netnsPath;
    try {
      netnsPath = this.net.attach(c);
    } catch (e) {
      this.rootfs.unmount(c);
      throw e;
    }
    const spec = containerSpec(c, { rootfs, user, mounts, initPath: this.opts.selfExe, netnsPath });
    const bundle = this.layout.bundle(c.Id);
    mkdirp(this.sys, bundle, 0o711);
    writeFileAtomic(this.sys, `${bundle}/config.json`, JSON.stringify(spec));
    const oldExit = this.layout.exitFile(c.Id);
    if (this.sys.lstatOrNull(oldExit)) {
      try {
        this.sys.unlink(oldExit);
      } catch {
        // gone meanwhile
      }
    }
    const launched = this.launcher.launch({
      id: c.Id, bundle, runtimeRoot: this.layout.runtimeRoot, logPath: c.LogPath, exitFile: this.layout.exitFile(c.Id),
      shimLog: `${this.layout.containerDir(c.Id)}/shim.log`, socket: this.shimSocket(c.Id), stdin: c.Config.OpenStdin, stdinOnce: c.Config.StdinOnce,
    }, () => this.attachments.connectPending(c.Id, this.shimSocket(c.Id)));
    if (!launched.ok) {
      this.rootfs.unmount(c);
      this.net.detach(c);
      const msg = launched.message;
      const code = launched.exitCode;
      try {
        this.sys.unlink(this.layout.exitFile(c.Id));
      } catch {
        // none
      }
      c.State = { ...c.State, Status: 'created', ExitCode: code > 1 ? code : 128, Error: msg };
      this.containers.persist(c);
      // --rm containers go away even when they never ran (the client waits for "removed")
      this.attachments.dropPending(c.Id);
      if (c.HostConfig.AutoRemove) this.remove(c.Id, true, true);
      const Kind = code === 127 || code === 126 ? InvalidParameter : SystemError;
      throw new Kind(`failed to create task for container: failed to create shim task: OCI runtime create failed: ${msg}: unknown`);
    }
    c.State = { ...c.State, Status: 'running', Running: true, Pid: launched.containerPid, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: this.nowIso(), FinishedAt: ZERO_TIME };
    c.ShimPid = launched.shimPid;
    this.health.started(c);
    this.containers.persist(c);
    this.exits.track(c.Id, launched);
    launched.watch((code) => this.exits.refresh(c, code));
    this.events.container(c, 'start');
    return 'started';
  }

  /** The shims are our children while this daemon lives: reap them. */
  reapShims(): void {
    this.launcher.reap();
  }

  kill(ref: string, signal: string | null): void {
    const c = this.get(ref);
    if (!c.State.Running) throw new Conflict(`Cannot kill container: ${ref}: Container ${c.Id} is not running`);
    const sig = signal ? parseSignal(signal) : SIGKILL;
    try {
      this.sys.kill(c.State.Pid, sig);
    } catch (e) {
      if (!isErrno(e, 'ESRCH')) throw e;
    }
    this.events.container(c, 'kill', { signal: String(sig) });
  }

  /** Stop: the stop signal, then SIGKILL after the timeout. Resolves once exited. */
  stop(ref: string, timeoutS: number | null, signal: string | null): Promise<'stopped' | 'already'> {
    // lookups throw here, synchronously, never as a rejected promise
    const c = this.get(ref);
    c.HasBeenManuallyStopped = true;
    this.containers.persist(c);
    if (!c.State.Running) return Promise.resolve('already');
    const sig = parseSignal(signal ?? c.Config.StopSignal ?? 'SIGTERM');
    const t = timeoutS ?? c.Config.StopTimeout ?? 10;
    return new Promise((resolve) => {
      let timer: unknown = null;
      this.onExit(c.Id, () => {
        if (timer !== null) this.sys.clearTimer(timer);
        this.events.container(c, 'stop');
        resolve('stopped');
      });
      try {
        this.sys.kill(c.State.Pid, sig);
      } catch {
        // gone already
      }
      const killNow = (): void => {
        try {
          this.sys.kill(c.State.Pid, SIGKILL);
        } catch {
          // gone
        }
      };
      if (t < 0) return;
      if (t === 0) killNow();
      else timer = this.sys.setTimer(t * 1000, killNow);
    });
  }

  waitExit(ref: string, condition: string): Promise<ContainerRecord> {
    return this.exits.waitExit(this.get(ref), condition);
  }

  remove(ref: string, force: boolean, volumes: boolean): void {
    const c = this.get(ref);
    if (c.State.Running) {
      if (!force) throw new Conflict(`cannot remove container "${c.Name}": container is running: stop the container before removing or force remove`);
      this.sys.kill(c.State.Pid, SIGKILL);
      // wait briefly for the shim to record the exit
      for (let i = 0; i < 100 && c.State.Running; i++) {
        this.sys.poll([], 20);
        this.exits.refresh(c);
      }
    }
    this.health.stopped(c);
    this.rootfs.unmount(c);
    this.net.detach(c);
    this.attachments.dropPending(c.Id);
    this.execs.forget(c.Id);
    this.containers.delete(c.Id);
    removeAll(this.sys, this.layout.bundle(c.Id));
    this.rootfs.remove(c.Id);
    removeAll(this.sys, this.layout.containerDir(c.Id));
    if (volumes) this.vols.removeAnonymous(c);
    this.events.container(c, 'destroy');
    this.exits.wake(c.Id);
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

export function parseSignal(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const up = s.toUpperCase();
  const n = SIGNALS[up.startsWith('SIG') ? up : `SIG${up}`];
  if (n === undefined) throw new InvalidParameter(`Invalid signal: ${s}`);
  return n;
}

function hostResolvConf(sys: Syscalls): string {
  try {
    const text = readText(sys, '/etc/resolv.conf');
    // a loopback resolver on the host cannot be reached from the container's network
    if (!/nameserver\s+127\./.test(text)) return text;
  } catch {
    // none on the host
  }
  return 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';
}
