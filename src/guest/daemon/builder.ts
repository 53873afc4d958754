// dockerd's side of `docker build`: the executor's BuildBackend over the engine (RUN steps are
// ordinary containers created, started and removed through it, so `docker ps -a` shows them while
// they run), the image store (layers committed by the runtime's C through ImageStore.commitLayer,
// images registered with their parent) and the build cache (one file per step key under
// /var/lib/docker/builder/cache naming the image that step made). `docker builder prune` drops the
// cache and the intermediate images only it kept.

import type { Syscalls } from '../sys/syscalls.ts';
import { MNT_DETACH } from '../sys/constants.ts';
import type { ImageConfig } from '../images/oci.ts';
import type { CommittedLayer } from '../images/commit.ts';
import { parseRef } from '../images/reference.ts';
import { exists, mkdirp, readText, removeAll, writeFileAtomic } from '../util/fsutil.ts';
import { hex } from '../util/ids.ts';
import type { BuildBackend, ImageInfo, ImageView, NewLayer, RunRequest, RunResult } from '../build/executor/backend.ts';
import type { Engine } from './engine.ts';

export interface PruneResult {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}

export class Builder implements BuildBackend {
  readonly cacheDir: string;
  private viewSeq = 0;

  constructor(
    private sys: Syscalls,
    private e: Engine,
    private execRoot: string,
  ) {
    this.cacheDir = `${e.opts.root}/builder/cache`;
  }

  private get store() {
    return this.e.images;
  }

  baseImage(name: string, pull: boolean, progress: (line: string) => void): ImageInfo {
    if (!pull) {
      try {
        const img = this.e.findImage(name);
        return { id: img.id, config: img.config };
      } catch {
        // not here: pull it
      }
    }
    const img = this.e.pull(name, '', (ev) => progress(ev.id ? `${ev.id}: ${ev.status}` : ev.status));
    return { id: img.id, config: img.config };
  }

  image(id: string): ImageInfo | null {
    try {
      const img = this.store.get(id);
      return { id: img.id, config: img.config };
    } catch {
      return null;
    }
  }

  createImage(config: ImageConfig, parent: string | null, layers: NewLayer[]): string {
    const parentRec = parent ? this.store.get(parent) : null;
    const from = parentRec?.config.history?.length ?? 0;
    const rec = this.store.registerImage({
      parent: parentRec,
      layers: layers.map((l) => l.handle as CommittedLayer),
      config: config.config ?? {},
      history: (config.history ?? []).slice(from),
      ...(config.author ? { author: config.author } : {}),
      ...(config.created ? { created: config.created } : {}),
    });
    return rec.id;
  }

  async run(req: RunRequest, onStart: (containerId: string) => void, onOutput: (text: string) => void): Promise<RunResult> {
    // a throw before the first await would reject with no handler yet, which ends QuickJS
    await null;
    const c = this.e.create(null, {
      Image: req.image,
      Entrypoint: [],
      Cmd: req.argv,
      Env: req.env,
      User: req.user,
      WorkingDir: req.workdir,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { NetworkMode: req.network === 'default' ? 'bridge' : req.network },
    });
    onStart(c.Id);
    let offset = 0;
    const drain = (): void => {
      const r = this.e.readLogFrom(c, offset);
      offset = r.next;
      for (const ent of r.entries) onOutput(ent.log);
    };
    try {
      this.e.start(c.Id);
    } catch (err) {
      drain();
      onOutput(`${(err as Error).message}\n`);
      return { containerId: c.Id, exitCode: this.e.get(c.Id).State.ExitCode || 127 };
    }
    // the log file is the container's output as the shim writes it: follow it while it runs
    let timer: unknown = null;
    const tick = (): void => {
      drain();
      timer = this.sys.setTimer(200, tick);
    };
    timer = this.sys.setTimer(200, tick);
    try {
      await this.e.waitExit(c.Id, 'not-running');
    } finally {
      this.sys.clearTimer(timer);
    }
    drain();
    return { containerId: c.Id, exitCode: this.e.get(c.Id).State.ExitCode };
  }

  commitContainer(containerId: string): NewLayer {
    const layer = this.store.commitLayer(`${this.e.opts.root}/overlay2/${containerId}/diff`);
    return { diffId: layer.diffId, handle: layer };
  }

  removeContainer(containerId: string): void {
    try {
      this.e.remove(containerId, true, true);
    } catch {
      // already gone
    }
  }

  commitTree(dir: string): NewLayer {
    const layer = this.store.commitLayer(dir);
    return { diffId: layer.diffId, handle: layer };
  }

  discard(layer: NewLayer): void {
    this.store.discardLayer(layer.handle as CommittedLayer);
  }

  view(image: ImageInfo): ImageView {
    const rec = this.store.get(image.id);
    const isLocal = (d: string): boolean => d.startsWith(`${this.e.opts.root}/`);
    let lowers = this.e.views.lowerFor(rec.chain[rec.chain.length - 1] ?? '', this.store.lowerDirs(rec), isLocal);
    const dir = `${this.execRoot}/build/view-${this.sys.getpid()}-${this.viewSeq++}`;
    mkdirp(this.sys, dir, 0o700);
    if (lowers.length === 0) return { root: dir, release: () => removeAll(this.sys, dir) };
    if (lowers.length === 1) {
      const empty = `${this.execRoot}/build/.empty`;
      mkdirp(this.sys, empty, 0o700);
      lowers = [...lowers, empty];
    }
    this.sys.mount('overlay', dir, 'overlay', 0, `lowerdir=${lowers.join(':')}`);
    return {
      root: dir,
      release: () => {
        try {
          this.sys.umount2(dir, MNT_DETACH);
          this.sys.rmdir(dir);
        } catch {
          // busy: left for the next daemon start
        }
      },
    };
  }

  scratch(): string {
    const dir = `${this.e.opts.root}/tmp/build-${hex(this.sys.randomBytes(8))}`;
    mkdirp(this.sys, dir, 0o755);
    return dir;
  }

  cacheGet(key: string): string | null {
    const p = `${this.cacheDir}/${key}`;
    if (!exists(this.sys, p)) return null;
    try {
      return readText(this.sys, p).trim() || null;
    } catch {
      return null;
    }
  }

  cachePut(key: string, imageId: string): void {
    mkdirp(this.sys, this.cacheDir, 0o700);
    writeFileAtomic(this.sys, `${this.cacheDir}/${key}`, imageId);
  }

  tag(imageId: string, name: string): void {
    this.store.tag(imageId, parseRef(name));
  }

  available(): string[] {
    return this.e.registry.repositories();
  }

  now(): string {
    return new Date().toISOString();
  }

  /** The images the cache keeps (by step key). */
  private records(): Map<string, string> {
    const out = new Map<string, string>();
    let names: string[] = [];
    try {
      names = this.sys.readdir(this.cacheDir).map((d) => d.name).filter((n) => /^[0-9a-f]{64}$/.test(n));
    } catch {
      return out;
    }
    for (const n of names) {
      const id = this.cacheGet(n);
      if (id) out.set(n, id);
    }
    return out;
  }

  /** The cache records as the Engine API's BuildCache entries (GET /system/df). */
  diskUsage(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const [key, id] of this.records()) {
      const img = this.image(id);
      if (!img) continue;
      const hist = img.config.history ?? [];
      const last = hist[hist.length - 1];
      const rec = this.store.get(id);
      const size = last && !last.empty_layer ? this.store.layerSize(rec.chain[rec.chain.length - 1] ?? '') : 0;
      const at = img.config.created ?? new Date(0).toISOString();
      out.push({ ID: key.slice(0, 25), Parents: null, Type: 'regular', Description: last?.created_by ?? '', InUse: false, Shared: false, Size: size, CreatedAt: at, LastUsedAt: at, UsageCount: 1 });
    }
    return out;
  }

  /** Bytes of layers only cache records keep alive (what a prune would free). */
  usage(): { records: number; size: number; shared: number } {
    const recs = this.records();
    const doomed = this.prunable(new Set(recs.values()));
    let size = 0;
    const kept = new Set(this.store.ids().filter((i) => !doomed.has(i)).flatMap((i) => this.store.get(i).chain));
    const seen = new Set<string>();
    for (const id of doomed) {
      for (const c of this.store.get(id).chain) {
        if (kept.has(c) || seen.has(c)) continue;
        seen.add(c);
        size += this.store.layerSize(c);
      }
    }
    return { records: recs.size, size, shared: 0 };
  }

  /** Intermediate images that only the cache keeps: untagged, unused, no kept child. */
  private prunable(cacheImages: Set<string>): Set<string> {
    const used = this.e.imageChainsInUse();
    const doomed = new Set<string>();
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of cacheImages) {
        if (doomed.has(id) || !this.image(id)) continue;
        const rec = this.store.get(id);
        if (rec.repoTags.length > 0 || used.has(id)) continue;
        if (this.store.childrenOf(id).every((c) => doomed.has(c))) {
          doomed.add(id);
          changed = true;
        }
      }
    }
    return doomed;
  }

  /** docker builder prune: every cache record, and the images only the cache kept. */
  prune(): PruneResult {
    const recs = this.records();
    const doomed = this.prunable(new Set(recs.values()));
    const deleted: string[] = [];
    let space = 0;
    for (const [key] of recs) {
      removeAll(this.sys, `${this.cacheDir}/${key}`);
      deleted.push(key);
    }
    // children before parents
    const order = [...doomed].sort((a, b) => (this.store.get(b).config.history?.length ?? 0) - (this.store.get(a).config.history?.length ?? 0));
    for (const id of order) {
      const before = new Set(this.store.get(id).chain);
      const sizes = new Map([...before].map((c) => [c, this.store.layerSize(c)]));
      for (const gone of this.store.deleteImage(id)) if (sizes.has(gone)) space += sizes.get(gone)!;
    }
    return { CachesDeleted: deleted.length ? deleted : null, SpaceReclaimed: space };
  }
}
