// OCI image-spec documents (index, manifest, config) as read from the offline registry and kept
// in the image store, with checks that name what is wrong.

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: number;
  manifests: Descriptor[];
}

export interface OciManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageConfigBody {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  /** Set by HEALTHCHECK (durations in nanoseconds). */
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  /** ONBUILD triggers, run when another build starts FROM this image. */
  OnBuild?: string[] | null;
  /** Set by SHELL: what shell-form RUN, CMD and ENTRYPOINT run under. */
  Shell?: string[];
  ArgsEscaped?: boolean;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  empty_layer?: boolean;
  comment?: string;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  config?: ImageConfigBody;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

export const MEDIA_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export class ImageFormatError extends Error {
  override name = 'ImageFormatError';
}

export function checkManifest(m: OciManifest, where: string): OciManifest {
  if (m.schemaVersion !== 2 || !m.config || !Array.isArray(m.layers)) throw new ImageFormatError(`${where}: not an image manifest`);
  return m;
}

export function checkConfig(c: ImageConfig, where: string): ImageConfig {
  if (!c.rootfs || !Array.isArray(c.rootfs.diff_ids)) throw new ImageFormatError(`${where}: image config has no rootfs.diff_ids`);
  return c;
}
