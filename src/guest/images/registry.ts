// The offline registry: OCI image layouts per repository under one folder (in the guest,
// /mnt/host/registry over 9p). See vm-images/images/README.md for the folder contract.

import type { Syscalls } from '../sys/syscalls.ts';
import { exists, readJson } from '../util/fsutil.ts';
import { sha256Hex } from '../util/sha256.ts';
import { utf8Decode } from '../util/text.ts';
import { checkConfig, checkManifest, type Descriptor, type ImageConfig, type OciIndex, type OciManifest } from './oci.ts';
import type { ImageRef } from './reference.ts';
import { missingRepositoryMessage } from './substitutes.ts';

export const DEFAULT_REGISTRY = '/mnt/host/registry';

export class NotInRegistryError extends Error {
  override name = 'NotInRegistryError';
}

export interface ResolvedImage {
  manifestDigest: string;
  manifest: OciManifest;
  configDigest: string;
  configBytes: Uint8Array;
  config: ImageConfig;
}

export class OfflineRegistry {
  constructor(
    private sys: Syscalls,
    readonly root = DEFAULT_REGISTRY,
  ) {}

  repositories(): string[] {
    let names: string[];
    try {
      names = this.sys.readdir(this.root).map((e) => e.name);
    } catch {
      return [];
    }
    return names.filter((n) => n !== 'layers' && !n.startsWith('.') && exists(this.sys, `${this.root}/${n}/index.json`)).sort();
  }

  blobPath(repo: string, digest: string): string {
    const [alg, hex] = digest.split(':');
    if (alg !== 'sha256' || !hex || !/^[0-9a-f]{64}$/.test(hex)) throw new NotInRegistryError(`unsupported digest ${digest}`);
    return `${this.root}/${repo}/blobs/sha256/${hex}`;
  }

  /** Reads a small blob (manifest, config) and checks its digest and size. */
  readBlob(repo: string, d: Pick<Descriptor, 'digest' | 'size'>): Uint8Array {
    const bytes = this.sys.readFile(this.blobPath(repo, d.digest));
    const got = `sha256:${sha256Hex(bytes)}`;
    if (got !== d.digest) throw new NotInRegistryError(`blob ${d.digest} in the offline registry has digest ${got}`);
    if (d.size !== undefined && bytes.length !== d.size) throw new NotInRegistryError(`blob ${d.digest} has size ${bytes.length}, expected ${d.size}`);
    return bytes;
  }

  tags(repo: string): string[] {
    const index = readJson<OciIndex>(this.sys, `${this.root}/${repo}/index.json`);
    return index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'] ?? '').filter((t) => t !== '');
  }

  resolve(ref: ImageRef): ResolvedImage {
    if (!exists(this.sys, `${this.root}/${ref.repo}/index.json`)) {
      throw new NotInRegistryError(missingRepositoryMessage(ref.repo, this.repositories(), this.root));
    }
    const index = readJson<OciIndex>(this.sys, `${this.root}/${ref.repo}/index.json`);
    const desc = index.manifests.find((m) =>
      ref.digest ? m.digest === ref.digest : m.annotations?.['org.opencontainers.image.ref.name'] === ref.tag,
    );
    if (!desc) {
      const what = ref.digest ? `${ref.repo}@${ref.digest}` : `${ref.repo}:${ref.tag}`;
      throw new NotInRegistryError(`manifest for ${what} not found: manifest unknown: the offline registry has tags ${this.tags(ref.repo).join(', ')}`);
    }
    const mtext = this.readBlob(ref.repo, desc);
    const manifest = checkManifest(JSON.parse(bytesToString(mtext)) as OciManifest, `manifest ${desc.digest}`);
    const configBytes = this.readBlob(ref.repo, manifest.config);
    const config = checkConfig(JSON.parse(bytesToString(configBytes)) as ImageConfig, `config ${manifest.config.digest}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) {
      throw new NotInRegistryError(`image ${ref.repo}: ${manifest.layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids`);
    }
    return { manifestDigest: desc.digest, manifest, configDigest: manifest.config.digest, configBytes, config };
  }

  /** The layer already unpacked on the share, usable in place when it has no whiteouts. */
  unpackedLayer(diffId: string): string | null {
    const hex = diffId.replace(/^sha256:/, '');
    try {
      const meta = readJson<{ whiteouts?: string[] }>(this.sys, `${this.root}/layers/${hex}.json`);
      if (meta.whiteouts && meta.whiteouts.length > 0) return null;
      return exists(this.sys, `${this.root}/layers/${hex}`) ? `${this.root}/layers/${hex}` : null;
    } catch {
      return null;
    }
  }
}

function bytesToString(b: Uint8Array): string {
  return utf8Decode(b);
}
