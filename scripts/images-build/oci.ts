// OCI image layout writing: configs, manifests and one index.json per repository.
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerBlob } from './layer.ts';
import type { RecipeConfig } from './recipe.ts';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd's annotation for the full reference; `docker load` of an OCI layout reads it too. */
export const IMAGE_NAME = 'io.containerd.image.name';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

export interface HistoryEntry { created: string; created_by: string; comment?: string; empty_layer?: boolean; }

/** A built image before it is written: its layers (bottom first) and history. */
export interface ImageParts {
  layers: LayerBlob[];
  history: HistoryEntry[];
  created: string;
}

export function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Writes a JSON blob (compact, so the bytes hashed are the bytes stored) and returns its descriptor. */
export function writeJsonBlob(layoutDir: string, mediaType: string, value: unknown): Descriptor {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256(bytes);
  const dir = join(layoutDir, 'blobs', 'sha256');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** Puts a layer blob from the shared pool into a layout (a hard link: same bytes, no copy). */
export function linkBlob(poolBlobs: string, layoutDir: string, digest: string): void {
  const dir = join(layoutDir, 'blobs', 'sha256');
  mkdirSync(dir, { recursive: true });
  const to = join(dir, digest.slice(7));
  if (!existsSync(to)) linkSync(join(poolBlobs, 'sha256', digest.slice(7)), to);
}

/** The config history as Docker shows it: the layer steps, then one empty step per config field. */
export function configHistory(parts: ImageParts, config: RecipeConfig): HistoryEntry[] {
  const h = [...parts.history];
  const nop = (s: string) => h.push({ created: parts.created, created_by: `/bin/sh -c #(nop)  ${s}`, empty_layer: true });
  if (config.Env) for (const e of config.Env) nop(`ENV ${e}`);
  if (config.Volumes) nop(`VOLUME [${Object.keys(config.Volumes).join(' ')}]`);
  if (config.WorkingDir && config.WorkingDir !== '/') nop(`WORKDIR ${config.WorkingDir}`);
  if (config.ExposedPorts) nop(`EXPOSE ${Object.keys(config.ExposedPorts).join(' ')}`);
  if (config.StopSignal) nop(`STOPSIGNAL ${config.StopSignal}`);
  if (config.Entrypoint) nop(`ENTRYPOINT ${JSON.stringify(config.Entrypoint)}`);
  if (config.Cmd) nop(`CMD ${JSON.stringify(config.Cmd)}`);
  return h;
}

/** Writes config and manifest blobs of one image into a layout; returns the manifest descriptor. */
export function writeImage(layoutDir: string, poolBlobs: string, parts: ImageParts, config: RecipeConfig): Descriptor {
  const ociConfig = {
    created: parts.created,
    architecture: '386',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: parts.layers.map((l) => l.diffId) },
    history: configHistory(parts, config),
  };
  const configDesc = writeJsonBlob(layoutDir, MEDIA.config, ociConfig);
  for (const l of parts.layers) linkBlob(poolBlobs, layoutDir, l.digest);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: configDesc,
    layers: parts.layers.map((l) => ({ mediaType: MEDIA.layerGzip, digest: l.digest, size: l.size })),
    annotations: { 'org.opencontainers.image.created': parts.created },
  };
  return writeJsonBlob(layoutDir, MEDIA.manifest, manifest);
}

/** Writes oci-layout and index.json: one manifest descriptor per tag. */
export function writeIndex(layoutDir: string, repo: string, tags: string[], manifest: Descriptor): void {
  writeFileSync(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [...tags].sort().map((tag) => ({
      ...manifest,
      platform: { architecture: '386', os: 'linux' },
      annotations: { [REF_NAME]: tag, [IMAGE_NAME]: `docker.io/library/${repo}:${tag}` },
    })),
  };
  writeFileSync(join(layoutDir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
}
