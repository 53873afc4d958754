// The image store under /var/lib/docker, laid out like Docker's overlay2 store so learners can
// look around: image/overlay2/{repositories.json, imagedb/content/sha256/<id>,
// layerdb/sha256/<chainid>/{diff,size,cache-id,parent}} and overlay2/<cache-id>/diff.
// Every file is written to a temp name and renamed; a layer is unpacked into a temp dir first.
// Images made here (commit, build, load) keep their compressed layer blobs in
// image/overlay2/blobs/sha256 (Docker regenerates tars instead; we have no tar-split data), and
// distribution/v2metadata-by-diffid maps each layer to its blob, local or in the offline
// registry, for `docker save`.

import type { Syscalls } from '../sys/syscalls.ts';
import { exists, mkdirp, readJson, readText, removeAll, writeFileAtomic, diskUsage } from '../util/fsutil.ts';
import { hex } from '../util/ids.ts';
import { sha256Hex } from '../util/sha256.ts';
import { utf8Decode } from '../util/text.ts';
import { checkConfig, type HistoryEntry, type ImageConfig, type ImageConfigBody } from './oci.ts';
import { commitLayer, type CommittedLayer } from './commit.ts';
import { utf8Encode } from '../util/text.ts';
import { familiar, type ImageRef } from './reference.ts';
import { NotInRegistryError, OfflineRegistry } from './registry.ts';
import { LayerError, unpackLayer } from './unpack.ts';

export interface ImageRecord {
  /** "sha256:<config digest hex>" */
  id: string;
  config: ImageConfig;
  repoTags: string[];
  repoDigests: string[];
  /** Chain IDs bottom first. */
  chain: string[];
  size: number;
}

/** A progress message as the Engine API streams it for a pull. */
export interface PullEvent {
  status: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

export type PullMode = 'copy' | 'lazy';

interface Repositories {
  Repositories: Record<string, Record<string, string>>;
}

export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : `sha256:${sha256Hex(`${prev} ${d}`)}`);
  }
  return out;
}

export class ImageNotFoundError extends Error {
  override name = 'ImageNotFoundError';
}

/** What `docker commit`, `docker build` and `docker load` register. */
export interface NewImage {
  /** The image the new layers go on; null for FROM scratch. */
  parent: ImageRecord | null;
  /** New layers, bottom first (their blobs in the store's blobsDir). */
  layers: LayerSource[];
  /** The new image's whole runtime config (Env, Cmd, Labels...), not a change to the parent's. */
  config: ImageConfigBody;
  /** History entries after the parent's (one per instruction; empty_layer for config-only ones). */
  history: HistoryEntry[];
  tags?: ImageRef[];
  author?: string;
  /** RFC 3339; now when not given. */
  created?: string;
  /** Extra top-level config fields (Docker's commit keeps container, docker_version...). */
  extra?: Record<string, unknown>;
}

/** A layer to register: a commit's result, or a blob alone (then it is unpacked from the blob). */
export type LayerSource = Pick<CommittedLayer, 'digest' | 'diffId'> & Partial<CommittedLayer>;

/** One known blob of a layer (Docker's v2metadata-by-diffid entries). */
export interface LayerBlob {
  Digest: string;
  /** Offline registry repository holding it; "" for a blob in the store's blobsDir. */
  SourceRepository: string;
}

export class ImageStore {
  readonly base: string;
  constructor(
    private sys: Syscalls,
    readonly root: string,
  ) {
    this.base = `${root}/image/overlay2`;
    mkdirp(sys, `${this.base}/imagedb/content/sha256`, 0o700);
    mkdirp(sys, `${this.base}/layerdb/sha256`, 0o700);
    mkdirp(sys, `${root}/overlay2`, 0o710);
  }

  /**
   * repositories.json as dockerd last read or wrote it (it is the only writer), image configs by
   * id and layer facts by chain id (content-addressed: they never change). Every create and start
   * looked the image up again from files; on the guest's emulated CPU the reads and JSON parses
   * add up.
   */
  private reposCache: Repositories | null = null;
  private configCache = new Map<string, ImageConfig>();
  private layerSizes = new Map<string, number>();
  private layerPaths = new Map<string, string>();

  /** For reading only: the cached object. */
  private repos(): Repositories {
    if (this.reposCache) return this.reposCache;
    const r = this.reposFromDisk();
    this.reposCache = r;
    return r;
  }

  /** A fresh copy to change and then save. */
  private reposFromDisk(): Repositories {
    try {
      return readJson<Repositories>(this.sys, `${this.base}/repositories.json`);
    } catch {
      return { Repositories: {} };
    }
  }

  private saveRepos(r: Repositories): void {
    this.reposCache = null;
    writeFileAtomic(this.sys, `${this.base}/repositories.json`, JSON.stringify(r));
    this.reposCache = r;
  }

  ids(): string[] {
    try {
      return this.sys.readdir(`${this.base}/imagedb/content/sha256`).map((e) => e.name).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((h) => `sha256:${h}`);
    } catch {
      return [];
    }
  }

  get(id: string): ImageRecord {
    const h = id.replace(/^sha256:/, '');
    let config = this.configCache.get(h);
    if (!config) {
      const raw = this.sys.readFile(`${this.base}/imagedb/content/sha256/${h}`);
      config = checkConfig(JSON.parse(utf8Decode(raw)) as ImageConfig, id);
      this.configCache.set(h, config);
    }
    const repos = this.repos().Repositories;
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const entries of Object.values(repos)) {
      for (const [name, target] of Object.entries(entries)) {
        if (target !== `sha256:${h}`) continue;
        (name.includes('@') ? repoDigests : repoTags).push(name);
      }
    }
    const chain = chainIds(config.rootfs.diff_ids);
    let size = 0;
    for (const c of chain) size += this.layerSize(c);
    return { id: `sha256:${h}`, config, repoTags, repoDigests, chain, size };
  }

  list(): ImageRecord[] {
    return this.ids().map((id) => this.get(id));
  }

  /** Finds an image by name:tag, full or short ID, or digest reference. */
  find(text: string, ref: ImageRef | null): ImageRecord {
    const repos = this.repos().Repositories;
    if (ref) {
      const key = ref.digest && !ref.tag ? `${ref.repo}@${ref.digest}` : familiar(ref);
      const id = repos[ref.repo]?.[key];
      if (id) return this.get(id);
    }
    const bare = text.replace(/^sha256:/, '');
    if (/^[0-9a-f]{1,64}$/.test(bare)) {
      const hits = this.ids().filter((i) => i.slice(7).startsWith(bare));
      if (hits.length === 1) return this.get(hits[0]!);
    }
    throw new ImageNotFoundError(`No such image: ${text}`);
  }

  private layerDir(chain: string): string {
    return `${this.base}/layerdb/sha256/${chain.replace(/^sha256:/, '')}`;
  }

  hasLayer(chain: string): boolean {
    return exists(this.sys, `${this.layerDir(chain)}/diff`);
  }

  layerSize(chain: string): number {
    const known = this.layerSizes.get(chain);
    if (known !== undefined) return known;
    try {
      const size = Number(readText(this.sys, `${this.layerDir(chain)}/size`));
      this.layerSizes.set(chain, size);
      return size;
    } catch {
      return 0;
    }
  }

  /** The directory holding the layer's files (overlay lower dir). */
  layerPath(chain: string): string {
    const known = this.layerPaths.get(chain);
    if (known !== undefined) return known;
    const d = this.layerDir(chain);
    let path: string;
    try {
      path = readText(this.sys, `${d}/lazy-path`).trim();
    } catch {
      path = `${this.root}/overlay2/${readText(this.sys, `${d}/cache-id`).trim()}/diff`;
    }
    this.layerPaths.set(chain, path);
    return path;
  }

  /** Lower dirs for an image, top layer first, as overlayfs wants them. */
  lowerDirs(img: ImageRecord): string[] {
    return img.chain.map((c) => this.layerPath(c)).reverse();
  }

  tag(id: string, ref: ImageRef): void {
    const r = this.reposFromDisk();
    const entries = (r.Repositories[ref.repo] ??= {});
    entries[ref.digest && !ref.tag ? `${ref.repo}@${ref.digest}` : familiar(ref)] = id;
    this.saveRepos(r);
  }

  /** Removes a tag; returns true when no tag or digest name is left for the image. */
  untag(name: string): boolean {
    const r = this.reposFromDisk();
    let id: string | undefined;
    for (const entries of Object.values(r.Repositories)) {
      if (entries[name] !== undefined) {
        id = entries[name];
        delete entries[name];
      }
    }
    for (const [repo, entries] of Object.entries(r.Repositories)) {
      if (id && Object.keys(entries).every((k) => !k.includes('@') || entries[k] !== id)) {
        // drop digest names once the last tag of that image in the repo is gone
        if (!Object.entries(entries).some(([k, v]) => !k.includes('@') && v === id)) {
          for (const k of Object.keys(entries)) if (entries[k] === id) delete entries[k];
        }
      }
      if (Object.keys(entries).length === 0) delete r.Repositories[repo];
    }
    this.saveRepos(r);
    if (!id) return false;
    return !Object.values(r.Repositories).some((e) => Object.values(e).includes(id!));
  }

  /** Deletes an image's config and the layers no other image uses. */
  deleteImage(id: string): string[] {
    const img = this.get(id);
    const deleted = [id];
    const r = this.reposFromDisk();
    for (const entries of Object.values(r.Repositories)) for (const [k, v] of Object.entries(entries)) if (v === id) delete entries[k];
    for (const [repo, entries] of Object.entries(r.Repositories)) if (Object.keys(entries).length === 0) delete r.Repositories[repo];
    this.saveRepos(r);
    this.sys.unlink(`${this.base}/imagedb/content/sha256/${id.slice(7)}`);
    removeAll(this.sys, `${this.base}/imagedb/metadata/sha256/${id.slice(7)}`);
    this.configCache.delete(id.slice(7));
    const rest = this.list();
    const used = new Set(rest.flatMap((i) => i.chain));
    const usedDiffs = new Set(rest.flatMap((i) => i.config.rootfs.diff_ids));
    for (const d of img.config.rootfs.diff_ids) {
      if (usedDiffs.has(d)) continue;
      // blobs made here for layers no image has any more (registry blobs are not ours to delete)
      for (const b of this.layerBlobs(d)) if (b.SourceRepository === '') removeAll(this.sys, `${this.blobsDir}/${b.Digest.slice(7)}`);
    }
    for (const c of [...img.chain].reverse()) {
      if (used.has(c)) continue;
      const d = this.layerDir(c);
      try {
        const cache = readText(this.sys, `${d}/cache-id`).trim();
        removeAll(this.sys, `${this.root}/overlay2/${cache}`);
      } catch {
        // lazy layer: nothing local
      }
      removeAll(this.sys, d);
      this.layerSizes.delete(c);
      this.layerPaths.delete(c);
      deleted.push(c);
    }
    return deleted;
  }

  /** Compressed layer blobs made or loaded here, by digest hex. */
  get blobsDir(): string {
    return `${this.base}/blobs/sha256`;
  }

  /** A new folder for a layer's files on the store's filesystem (overlay2/<id>.tmp/diff), not yet created. */
  stagingLayerDir(): string {
    const cacheId = hex(this.sys.randomBytes(32));
    mkdirp(this.sys, `${this.root}/overlay2/${cacheId}.tmp`, 0o710);
    return `${this.root}/overlay2/${cacheId}.tmp/diff`;
  }

  /**
   * Commits a container's upper dir as a layer: the blob into blobsDir and, in the same pass, its
   * files into a staging folder that registerImage moves into place (no unpacking of the blob).
   */
  commitLayer(upperDir: string): CommittedLayer {
    const staging = this.stagingLayerDir();
    try {
      return commitLayer(this.sys, upperDir, this.blobsDir, { unpackTo: staging });
    } catch (e) {
      removeAll(this.sys, staging.slice(0, -'/diff'.length));
      throw e;
    }
  }

  /** Drops a committed layer's staging folder that will not be registered (a build cache hit...). */
  discardLayer(layer: LayerSource): void {
    if (layer.dir && this.isStaging(layer.dir)) removeAll(this.sys, layer.dir.slice(0, -'/diff'.length));
  }

  private isStaging(dir: string): boolean {
    return dir.startsWith(`${this.root}/overlay2/`) && /\/[0-9a-f]{64}\.tmp\/diff$/.test(dir);
  }

  private v2metaPath(diffId: string): string {
    return `${this.base}/distribution/v2metadata-by-diffid/sha256/${diffId.replace(/^sha256:/, '')}`;
  }

  /** Blobs known for a layer, local ones first. */
  layerBlobs(diffId: string): LayerBlob[] {
    try {
      const all = readJson<LayerBlob[]>(this.sys, this.v2metaPath(diffId));
      return [...all.filter((b) => b.SourceRepository === ''), ...all.filter((b) => b.SourceRepository !== '')];
    } catch {
      return [];
    }
  }

  /** Records where a layer's blob is (Docker's distribution metadata: diffid-by-digest, v2metadata-by-diffid). */
  recordBlob(diffId: string, blob: LayerBlob): void {
    const known = this.layerBlobs(diffId);
    if (known.some((b) => b.Digest === blob.Digest && b.SourceRepository === blob.SourceRepository)) return;
    mkdirp(this.sys, `${this.base}/distribution/v2metadata-by-diffid/sha256`, 0o700);
    mkdirp(this.sys, `${this.base}/distribution/diffid-by-digest/sha256`, 0o700);
    writeFileAtomic(this.sys, this.v2metaPath(diffId), JSON.stringify([...known, blob]));
    writeFileAtomic(this.sys, `${this.base}/distribution/diffid-by-digest/sha256/${blob.Digest.slice(7)}`, diffId);
  }

  /** The parent image an image was committed or built on (imagedb/metadata), or null. */
  parentOf(id: string): string | null {
    try {
      return readText(this.sys, `${this.base}/imagedb/metadata/sha256/${id.replace(/^sha256:/, '')}/parent`).trim() || null;
    } catch {
      return null;
    }
  }

  /** Images whose recorded parent is id (Docker refuses to delete a parent of those). */
  childrenOf(id: string): string[] {
    return this.ids().filter((i) => this.parentOf(i) === id);
  }

  /**
   * Stores an image made here: layers moved in (or unpacked from their blobs), the config written
   * with rootfs and history completed from the parent, tags set. The ID is the sha256 of the config
   * JSON as written, as Docker computes it; registering the same config twice gives the same image.
   */
  registerImage(n: NewImage): ImageRecord {
    const parentCfg = n.parent?.config;
    const below = parentCfg?.rootfs.diff_ids ?? [];
    const diffIds = [...below, ...n.layers.map((l) => l.diffId)];
    const chain = chainIds(diffIds);
    n.layers.forEach((l, i) => {
      const at = below.length + i;
      this.addLayer(chain[at]!, at > 0 ? chain[at - 1]! : null, l);
    });
    const config: ImageConfig & Record<string, unknown> = {
      architecture: parentCfg?.architecture ?? '386',
      ...(n.author ? { author: n.author } : {}),
      config: n.config,
      created: n.created ?? new Date().toISOString(),
      history: [...(parentCfg?.history ?? []), ...n.history],
      os: parentCfg?.os ?? 'linux',
      rootfs: { type: 'layers', diff_ids: diffIds },
      ...(n.extra ?? {}),
    };
    const bytes = utf8Encode(JSON.stringify(config));
    const id = this.addConfig(bytes);
    if (n.parent) {
      mkdirp(this.sys, `${this.base}/imagedb/metadata/sha256/${id.slice(7)}`, 0o700);
      writeFileAtomic(this.sys, `${this.base}/imagedb/metadata/sha256/${id.slice(7)}/parent`, n.parent.id);
    }
    for (const t of n.tags ?? []) this.tag(id, t);
    return this.get(id);
  }

  /** Writes an image config (bytes as given: they define the ID); returns the ID. */
  addConfig(bytes: Uint8Array): string {
    const config = checkConfig(JSON.parse(utf8Decode(bytes)) as ImageConfig, 'image config');
    for (const c of chainIds(config.rootfs.diff_ids)) {
      if (!this.hasLayer(c)) throw new LayerError(`image config names layer ${c} that the store does not have`);
    }
    const id = `sha256:${sha256Hex(bytes)}`;
    const path = `${this.base}/imagedb/content/sha256/${id.slice(7)}`;
    if (!exists(this.sys, path)) writeFileAtomic(this.sys, path, bytes);
    return id;
  }

  /**
   * Adds one layer under its chain ID. Its files come from the commit's staging folder (renamed
   * into overlay2/) or, without one, from unpacking its blob, which must give the diff_id.
   */
  addLayer(chain: string, parent: string | null, l: LayerSource): void {
    if (this.hasLayer(chain)) {
      this.recordBlob(l.diffId, { Digest: l.digest, SourceRepository: '' });
      this.discardLayer(l);
      return;
    }
    const dir = this.layerDir(chain);
    const tmp = `${dir}.tmp-${this.sys.getpid()}`;
    removeAll(this.sys, tmp);
    mkdirp(this.sys, tmp, 0o700);
    let cacheId = '';
    let cacheTmp: string | null = null;
    try {
      let size: number;
      if (l.dir && this.isStaging(l.dir)) {
        cacheTmp = l.dir.slice(0, -'/diff'.length);
        cacheId = cacheTmp.slice(cacheTmp.lastIndexOf('/') + 1, -'.tmp'.length);
        size = l.contentSize ?? diskUsage(this.sys, l.dir);
      } else {
        cacheId = hex(this.sys.randomBytes(32));
        cacheTmp = `${this.root}/overlay2/${cacheId}.tmp`;
        mkdirp(this.sys, `${cacheTmp}/diff`, 0o755);
        const stats = unpackLayer(this.sys, this.sys.readFile(`${this.blobsDir}/${l.digest.slice(7)}`), `${cacheTmp}/diff`);
        if (stats.diffId !== l.diffId) throw new LayerError(`layer ${l.digest}: its content has diff_id ${stats.diffId}, expected ${l.diffId}`);
        size = diskUsage(this.sys, `${cacheTmp}/diff`);
      }
      this.sys.rename(cacheTmp, `${this.root}/overlay2/${cacheId}`);
      cacheTmp = null;
      writeFileAtomic(this.sys, `${tmp}/cache-id`, cacheId);
      writeFileAtomic(this.sys, `${tmp}/size`, String(size));
      if (parent) writeFileAtomic(this.sys, `${tmp}/parent`, parent);
      // written last: its presence marks the layer complete
      writeFileAtomic(this.sys, `${tmp}/diff`, l.diffId);
      this.sys.rename(tmp, dir);
    } catch (e) {
      removeAll(this.sys, tmp);
      if (cacheTmp) removeAll(this.sys, cacheTmp);
      else if (cacheId && !exists(this.sys, `${dir}/diff`)) removeAll(this.sys, `${this.root}/overlay2/${cacheId}`);
      throw e;
    }
    this.recordBlob(l.diffId, { Digest: l.digest, SourceRepository: '' });
  }

  /**
   * Pulls ref from the offline registry, emitting Docker's progress messages. Returns the image
   * and whether anything new was stored.
   */
  pull(registry: OfflineRegistry, ref: ImageRef, mode: PullMode, emit: (e: PullEvent) => void): { image: ImageRecord; fresh: boolean } {
    const resolved = registry.resolve(ref);
    const diffIds = resolved.config.rootfs.diff_ids;
    const chain = chainIds(diffIds);
    emit({ status: `Pulling from ${ref.repo.includes('/') ? ref.repo : `library/${ref.repo}`}`, id: ref.tag ?? ref.digest ?? 'latest' });
    const short = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);
    const todo: number[] = [];
    for (let i = 0; i < chain.length; i++) {
      const id = short(resolved.manifest.layers[i]!.digest);
      if (this.hasLayer(chain[i]!)) emit({ status: 'Already exists', id });
      else {
        emit({ status: 'Pulling fs layer', id, progressDetail: {} });
        todo.push(i);
      }
    }
    for (let i = 0; i < chain.length; i++) this.recordBlob(diffIds[i]!, { Digest: resolved.manifest.layers[i]!.digest, SourceRepository: ref.repo });
    for (const i of todo) {
      const desc = resolved.manifest.layers[i]!;
      const id = short(desc.digest);
      const c = chain[i]!;
      const dir = this.layerDir(c);
      const tmp = `${dir}.tmp-${this.sys.getpid()}`;
      removeAll(this.sys, tmp);
      mkdirp(this.sys, tmp, 0o700);
      const lazy = mode === 'lazy' ? registry.unpackedLayer(diffIds[i]!) : null;
      let cacheTmp: string | null = null;
      let cacheId = '';
      try {
        let size: number;
        if (lazy) {
          emit({ status: 'Download complete', id });
          size = desc.size;
          writeFileAtomic(this.sys, `${tmp}/lazy-path`, lazy);
          size = Number(readJson<{ tarSize?: number }>(this.sys, `${registry.root}/layers/${diffIds[i]!.slice(7)}.json`).tarSize ?? desc.size);
        } else {
          emit({ status: 'Downloading', id, progressDetail: { current: 0, total: desc.size } });
          const blob = this.sys.readFile(registry.blobPath(ref.repo, desc.digest));
          const got = `sha256:${sha256Hex(blob)}`;
          if (got !== desc.digest) throw new LayerError(`filesystem layer verification failed for digest ${desc.digest}`);
          emit({ status: 'Verifying Checksum', id, progressDetail: {} });
          emit({ status: 'Download complete', id });
          cacheId = hex(this.sys.randomBytes(32));
          cacheTmp = `${this.root}/overlay2/${cacheId}.tmp`;
          mkdirp(this.sys, `${cacheTmp}/diff`, 0o755);
          emit({ status: 'Extracting', id, progressDetail: { current: 0, total: desc.size } });
          const stats = unpackLayer(this.sys, blob, `${cacheTmp}/diff`);
          if (stats.diffId !== diffIds[i]) throw new LayerError(`layer ${desc.digest}: diff_id is ${stats.diffId}, the config says ${diffIds[i]}`);
          size = diskUsage(this.sys, `${cacheTmp}/diff`);
          this.sys.rename(cacheTmp, `${this.root}/overlay2/${cacheId}`);
          cacheTmp = null;
          writeFileAtomic(this.sys, `${tmp}/cache-id`, cacheId);
        }
        writeFileAtomic(this.sys, `${tmp}/size`, String(size));
        if (i > 0) writeFileAtomic(this.sys, `${tmp}/parent`, chain[i - 1]!);
        // written last: its presence marks the layer complete
        writeFileAtomic(this.sys, `${tmp}/diff`, diffIds[i]!);
        this.sys.rename(tmp, dir);
      } catch (e) {
        removeAll(this.sys, tmp);
        if (cacheTmp) removeAll(this.sys, cacheTmp);
        else if (cacheId && !exists(this.sys, `${dir}/diff`)) removeAll(this.sys, `${this.root}/overlay2/${cacheId}`);
        throw e;
      }
      emit({ status: 'Pull complete', id });
    }
    const hexId = resolved.configDigest.slice(7);
    const contentPath = `${this.base}/imagedb/content/sha256/${hexId}`;
    const had = exists(this.sys, contentPath);
    const repos = this.repos();
    const tagged = ref.tag ? repos.Repositories[ref.repo]?.[familiar(ref)] === resolved.configDigest : true;
    if (!had) writeFileAtomic(this.sys, contentPath, resolved.configBytes);
    if (ref.tag) this.tag(resolved.configDigest, ref);
    this.tag(resolved.configDigest, { repo: ref.repo, tag: null, digest: resolved.manifestDigest });
    emit({ status: `Digest: ${resolved.manifestDigest}` });
    const fresh = todo.length > 0 || !had || !tagged;
    emit({ status: fresh ? `Status: Downloaded newer image for ${familiar(ref)}` : `Status: Image is up to date for ${familiar(ref)}` });
    return { image: this.get(resolved.configDigest), fresh };
  }
}

export { NotInRegistryError };
