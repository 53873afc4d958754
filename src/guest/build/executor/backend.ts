// What the executor needs from the daemon: images, containers, layers and the cache. The daemon
// implements it over its engine and image store (daemon/build-backend.ts); unit tests implement it
// over the Syscalls fake. Keeping this seam narrow is what lets the build rules be tested in Node.

import type { ImageConfig } from '../../images/oci.ts';

export interface ImageInfo {
  id: string;
  config: ImageConfig;
}

/** A committed layer, not yet part of an image. */
export interface NewLayer {
  diffId: string;
  /** The backend's own handle (the store's CommittedLayer). */
  handle: unknown;
}

export interface RunRequest {
  /** The image the container starts from. */
  image: string;
  argv: string[];
  env: string[];
  user: string;
  workdir: string;
  /** Docker network mode: "default" (the bridge), "none", "host" or a network name. */
  network: string;
}

export interface RunResult {
  containerId: string;
  exitCode: number;
}

/** A read-only view of an image's files. */
export interface ImageView {
  root: string;
  release(): void;
}

export interface BuildBackend {
  /** A local image by name, pulled from the offline registry when missing (or always, with pull). */
  baseImage(name: string, pull: boolean, progress: (line: string) => void): ImageInfo;
  /** A stored image by id, or null. */
  image(id: string): ImageInfo | null;
  /**
   * Stores an image: the whole config (rootfs and history included, the new layers last), the
   * layers this step committed, and the previous step's image as its parent.
   */
  createImage(config: ImageConfig, parent: string | null, layers: NewLayer[]): string;
  /** Runs a RUN step's container to its end, streaming its output. */
  run(req: RunRequest, onStart: (containerId: string) => void, onOutput: (text: string) => void): Promise<RunResult>;
  /** Commits the container's changes as a layer (registered by createImage). */
  commitContainer(containerId: string): NewLayer;
  removeContainer(containerId: string): void;
  /** Commits a prepared tree (COPY, ADD, WORKDIR) as a layer (registered by createImage). */
  commitTree(dir: string): NewLayer;
  /** A committed layer that will not be used (a failed step). */
  discard(layer: NewLayer): void;
  /** Mounts an image's files read-only. */
  view(image: ImageInfo): ImageView;
  /** A fresh empty directory for preparing a layer (on the store's filesystem). */
  scratch(): string;
  cacheGet(key: string): string | null;
  cachePut(key: string, imageId: string): void;
  tag(imageId: string, name: string): void;
  /** The repositories the offline registry has (for the message of a FROM it cannot satisfy). */
  available(): string[];
  /** ISO time for history entries and the image's created field. */
  now(): string;
}
