// `docker save` and `docker load`: images as a tar in the format current Docker (25+) writes, an
// OCI image layout plus Docker's own manifest.json and repositories:
//
//   blobs/sha256/<hex>   configs, layers and OCI manifests, content-addressed
//   index.json           OCI index: one manifest per saved name (io.containerd.image.name)
//   manifest.json        [{ Config, RepoTags, Layers }] with paths into blobs/
//   oci-layout           {"imageLayoutVersion": "1.0.0"}
//   repositories         { repo: { tag: <top layer hex> } } (the legacy format's)
//
// Docker writes layers as uncompressed tars; we write the compressed blobs we have (the layer's
// manifest digest, media type ...tar+gzip), which OCI allows and `docker load` (ours and Docker's)
// reads: no layer is decompressed or recompressed on the way out. Load accepts both forms and
// checks every new layer against the config's diff_ids while unpacking it.

import type { Syscalls } from '../sys/syscalls.ts';
import { O_CLOEXEC, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../sys/constants.ts';
import { writeAll } from '../sys/io.ts';
import { exists, mkdirp, readJson, removeAll } from '../util/fsutil.ts';
import { hex } from '../util/ids.ts';
import { tarHeader, tarPadding } from '../util/layertar.ts';
import { sha256Hex } from '../util/sha256.ts';
import { TarReader, type EntrySink } from '../util/tar.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';
import { checkConfig, MEDIA_MANIFEST, type Descriptor, type ImageConfig } from './oci.ts';
import { familiar, parseRef } from './reference.ts';
import type { OfflineRegistry } from './registry.ts';
import { chainIds, type ImageRecord, type ImageStore } from './store.ts';
import { cleanEntryPath, LayerError } from './unpack.ts';

export const MEDIA_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** One image to save, with the names it was asked for by (those become RepoTags). */
export interface SaveItem {
  image: ImageRecord;
  tags: string[];
}

/** Docker's manifest.json entry. */
interface ManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

interface BlobFile {
  path: string;
  digest: string;
  size: number;
  mediaType: string;
}

/** Where a layer's compressed blob is: made here, or in the offline registry it was pulled from. */
export function findLayerBlob(sys: Syscalls, store: ImageStore, registry: OfflineRegistry | null, diffId: string): BlobFile {
  const found = (path: string, digest: string): BlobFile | null => {
    const st = sys.statOrNull(path);
    return st ? { path, digest, size: st.size, mediaType: digest === diffId ? MEDIA_LAYER_TAR : MEDIA_LAYER_GZIP } : null;
  };
  for (const b of store.layerBlobs(diffId)) {
    const path = b.SourceRepository === '' ? `${store.blobsDir}/${b.Digest.slice(7)}` : registry?.blobPath(b.SourceRepository, b.Digest);
    const f = path ? found(path, b.Digest) : null;
    if (f) return f;
  }
  // images pulled before blob locations were recorded: their manifest in the registry says
  if (registry) {
    for (const img of store.list()) {
      const at = img.config.rootfs.diff_ids.indexOf(diffId);
      if (at < 0) continue;
      for (const name of img.repoDigests) {
        try {
          const r = registry.resolve(parseRef(name));
          const d = r.manifest.layers[at]?.digest;
          const f = d ? found(registry.blobPath(parseRef(name).repo, d), d) : null;
          if (f) return f;
        } catch {
          // not in this registry: try the next name
        }
      }
    }
  }
  throw new ArchiveError(`cannot export layer ${diffId}: its blob is neither in the image store nor in the offline registry`);
}

/** Writes the save archive of `items` to out (each chunk is only valid during the call). */
export function saveImages(sys: Syscalls, store: ImageStore, registry: OfflineRegistry | null, items: SaveItem[], out: (chunk: Uint8Array) => void): void {
  const blobs = new Map<string, { bytes?: Uint8Array; file?: BlobFile }>();
  const manifestJson: ManifestEntry[] = [];
  const index: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { image, tags } of items) {
    const configBytes = sys.readFile(`${store.base}/imagedb/content/sha256/${image.id.slice(7)}`);
    blobs.set(image.id, { bytes: configBytes });
    const layers = image.config.rootfs.diff_ids.map((d) => findLayerBlob(sys, store, registry, d));
    for (const l of layers) blobs.set(l.digest, { file: l });
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_MANIFEST,
      config: { mediaType: MEDIA_CONFIG, digest: image.id, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    };
    const mBytes = utf8Encode(JSON.stringify(manifest));
    const mDigest = `sha256:${sha256Hex(mBytes)}`;
    blobs.set(mDigest, { bytes: mBytes });
    const desc = (name?: string): Descriptor => ({
      mediaType: MEDIA_MANIFEST, digest: mDigest, size: mBytes.length,
      ...(name ? { annotations: { 'io.containerd.image.name': canonicalName(name), 'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1) } } : {}),
    });
    if (tags.length === 0) index.push(desc());
    for (const t of tags) {
      index.push(desc(t));
      const ref = parseRef(t);
      const top = layers[layers.length - 1];
      if (top) (repositories[ref.repo] ??= {})[ref.tag ?? 'latest'] = top.digest.slice(7);
    }
    manifestJson.push({ Config: `blobs/sha256/${image.id.slice(7)}`, RepoTags: tags.length ? tags : null, Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) });
  }
  out(tarHeader('blobs/', 0, { dir: true }));
  out(tarHeader('blobs/sha256/', 0, { dir: true }));
  for (const [digest, b] of blobs) {
    const name = `blobs/sha256/${digest.slice(7)}`;
    if (b.bytes) putBytes(out, name, b.bytes);
    else if (b.file) putFile(sys, out, name, b.file);
  }
  putBytes(out, 'index.json', utf8Encode(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_INDEX, manifests: index })));
  putBytes(out, 'manifest.json', utf8Encode(JSON.stringify(manifestJson)));
  putBytes(out, 'oci-layout', utf8Encode(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length) putBytes(out, 'repositories', utf8Encode(JSON.stringify(repositories)));
  out(new Uint8Array(1024));
}

function canonicalName(name: string): string {
  const r = parseRef(name);
  return `docker.io/${r.repo.includes('/') ? r.repo : `library/${r.repo}`}:${r.tag ?? 'latest'}`;
}

function putBytes(out: (c: Uint8Array) => void, name: string, bytes: Uint8Array): void {
  out(tarHeader(name, bytes.length));
  out(bytes);
  out(tarPadding(bytes.length));
}

function putFile(sys: Syscalls, out: (c: Uint8Array) => void, name: string, f: BlobFile): void {
  out(tarHeader(name, f.size));
  const fd = sys.open(f.path, O_RDONLY | O_CLOEXEC);
  let left = f.size;
  try {
    while (left > 0) {
      const buf = new Uint8Array(Math.min(left, 262144));
      const n = sys.read(fd, buf);
      if (n === 0) throw new ArchiveError(`${f.path} is shorter than its ${f.size} bytes`);
      out(buf.subarray(0, n));
      left -= n;
    }
  } finally {
    sys.close(fd);
  }
  out(tarPadding(f.size));
}

/** What a load did, as `docker load` prints it. */
export interface LoadResult {
  /** "Loaded image: name:tag" / "Loaded image ID: sha256:..." and renaming notices, in order. */
  lines: string[];
  ids: string[];
}

/**
 * Reads a save archive as it streams in (members go to a temp folder in the store), then
 * registers its images: new layers are unpacked from their files and checked against the
 * config's diff_ids, configs stored under their sha256, tags set.
 */
export class ImageLoader {
  private readonly reader: TarReader;
  private readonly dir: string;

  constructor(
    private sys: Syscalls,
    private store: ImageStore,
  ) {
    this.dir = `${store.root}/tmp/docker-import-${hex(sys.randomBytes(8))}`;
    mkdirp(sys, this.dir, 0o700);
    this.reader = new TarReader((e): EntrySink | null => {
      const rel = cleanEntryPath(e.path);
      if (rel === null) throw new ArchiveError(`archive entry escapes the archive: ${e.path}`);
      if (rel === '' || e.type !== 'file') {
        if (rel !== '' && e.type === 'dir') mkdirp(sys, `${this.dir}/${rel}`, 0o700);
        return null;
      }
      const slash = rel.lastIndexOf('/');
      if (slash > 0) mkdirp(sys, `${this.dir}/${rel.slice(0, slash)}`, 0o700);
      const fd = sys.open(`${this.dir}/${rel}`, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600);
      return { data: (c) => writeAll(sys, fd, c), end: () => sys.close(fd) };
    });
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /** Registers what arrived; the temp folder is removed whatever happens. */
  finish(): LoadResult {
    try {
      this.reader.end();
      if (!this.reader.finished && !exists(this.sys, `${this.dir}/manifest.json`)) throw new ArchiveError('unexpected EOF');
      if (!exists(this.sys, `${this.dir}/manifest.json`)) {
        throw new ArchiveError('invalid archive: no manifest.json (docker load reads the tar that docker save writes)');
      }
      const entries = readJson<ManifestEntry[]>(this.sys, `${this.dir}/manifest.json`);
      const lines: string[] = [];
      const ids: string[] = [];
      for (const m of entries) {
        const id = this.loadOne(m);
        ids.push(id);
        if (!m.RepoTags || m.RepoTags.length === 0) {
          lines.push(`Loaded image ID: ${id}`);
          continue;
        }
        for (const t of m.RepoTags) {
          const ref = parseRef(t);
          let old: string | null = null;
          try {
            old = this.store.find(familiar(ref), ref).id;
          } catch {
            // a new name
          }
          if (old && old !== id) lines.push(`The image ${familiar(ref)} already exists, renaming the old one with ID ${old} to empty string`);
          this.store.tag(id, ref);
          lines.push(`Loaded image: ${familiar(ref)}`);
        }
      }
      return { lines, ids };
    } finally {
      removeAll(this.sys, this.dir);
    }
  }

  private file(rel: string, what: string): string {
    const clean = cleanEntryPath(rel);
    const path = clean ? `${this.dir}/${clean}` : '';
    if (!clean || !exists(this.sys, path)) throw new ArchiveError(`invalid archive: ${what} ${rel} is not in it`);
    return path;
  }

  private loadOne(m: ManifestEntry): string {
    const configPath = this.file(m.Config, 'config');
    const configBytes = this.sys.readFile(configPath);
    const config = checkConfig(JSON.parse(utf8Decode(configBytes)) as ImageConfig, m.Config);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== m.Layers.length) throw new ArchiveError(`invalid archive: ${m.Config} has ${diffIds.length} diff_ids but ${m.Layers.length} layers`);
    const chain = chainIds(diffIds);
    for (let i = 0; i < chain.length; i++) {
      if (this.store.hasLayer(chain[i]!)) continue;
      const path = this.file(m.Layers[i]!, 'layer');
      const digest = `sha256:${this.sys.sha256File(path)}`;
      mkdirp(this.sys, this.store.blobsDir, 0o700);
      const blob = `${this.store.blobsDir}/${digest.slice(7)}`;
      if (exists(this.sys, blob)) this.sys.unlink(path);
      else this.sys.rename(path, blob);
      try {
        this.store.addLayer(chain[i]!, i > 0 ? chain[i - 1]! : null, { digest, diffId: diffIds[i]! });
      } catch (e) {
        if (this.store.layerBlobs(diffIds[i]!).every((b) => b.Digest !== digest)) removeAll(this.sys, blob);
        if (e instanceof LayerError) throw new ArchiveError(`invalid diffID for layer ${i}: ${e.message}`);
        throw e;
      }
    }
    return this.store.addConfig(configBytes);
  }
}
