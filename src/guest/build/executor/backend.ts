// What the executor needs from the daemon: images, containers, layers and the cache. The daemon
// implements it over its engine and image store (daemon/build-backend.ts); unit tests implement it
// over the Syscalls fake. Keeping this seam narrow is what lets the build rules be tested in Node.

import type { ImageConfig } from '../../images/oci.ts';

export interface ImageInfo {
  id: string;
  config: ImageConfig;
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
  /** Stores an image config (its layers already stored); parent is the previous step's image. */
  createImage(config: ImageConfig, parent: string | null): string;
  /** Runs a RUN step's container to its end, streaming its output. */
  run(req: RunRequest, onStart: (containerId: string) => void, onOutput: (text: string) => void): Promise<RunResult>;
  /** Commits the container's changes as a layer above its image's layers; returns the layer's diff_id. */
  commitContainer(containerId: string): string;
  removeContainer(containerId: string): void;
  /** Commits a prepared tree (COPY, ADD, WORKDIR) as a layer above `parent`'s layers; returns the diff_id. */
  commitTree(dir: string, parent: ImageInfo): string;
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
