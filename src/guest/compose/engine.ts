// What Compose asks of the Engine: the calls the real compose makes over the Engine API, as an
// interface, so converge is tested against a fake and runs against dockerd through the CLI's
// HTTP client (HttpEngine, engine-http.ts).

export interface ContainerInfo {
  Id: string;
  /** "/wordpress-db-1" */
  Names: string[];
  Image: string;
  ImageID?: string;
  Command: string;
  Created: number;
  State: string;
  Status: string;
  Labels: Record<string, string>;
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
}

export interface ContainerDetails {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; ExitCode: number; Health?: { Status: string } };
  Config: { Labels: Record<string, string>; Tty: boolean; Image: string };
  NetworkSettings?: { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
}

export interface NetworkInfo {
  Id: string;
  Name: string;
  Labels?: Record<string, string> | null;
}

export interface VolumeInfo {
  Name: string;
  Labels?: Record<string, string> | null;
}

export interface ImageInfo {
  Id: string;
  RepoTags?: string[] | null;
  Size?: number;
  Created?: number | string;
}

export interface LogOptions {
  follow: boolean;
  tail: string;
  timestamps: boolean;
}

/** A network create the daemon does not know yet: converge then leaves networks out. */
export class NotSupportedError extends Error {
  override name = 'NotSupportedError';
}

/** One service's `build:` section, as the engine's build takes it. */
export interface BuildRequest {
  /** The build context, an absolute folder. */
  context: string;
  /** Relative to the context, or absolute. */
  dockerfile: string;
  tags: string[];
  args: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  network?: string;
  noCache: boolean;
  pull: boolean;
  quiet: boolean;
}

export interface EngineApi {
  listContainers(filters: Record<string, string[]>, all: boolean): ContainerInfo[];
  inspectContainer(id: string): ContainerDetails;
  createContainer(name: string, body: Record<string, unknown>): string;
  startContainer(id: string): void;
  stopContainer(id: string, timeoutSeconds?: number): void;
  restartContainer(id: string, timeoutSeconds?: number): void;
  killContainer(id: string, signal?: string): void;
  removeContainer(id: string, force: boolean, volumes: boolean): void;
  listNetworks(filters: Record<string, string[]>): NetworkInfo[];
  createNetwork(body: Record<string, unknown>): string;
  removeNetwork(id: string): void;
  listVolumes(filters: Record<string, string[]>): VolumeInfo[];
  createVolume(name: string, labels: Record<string, string>): void;
  removeVolume(name: string): void;
  inspectImage(ref: string): ImageInfo | null;
  /** Pulls, calling back with the daemon's progress events. */
  pullImage(ref: string, onEvent: (ev: { status?: string; id?: string; error?: string }) => void): void;
  /** Builds an image as `docker build` does (POST /build); throws with the reason when the build fails. */
  buildImage(req: BuildRequest): void;
  removeImage(ref: string): void;
  top(id: string): { Titles: string[]; Processes: string[][] };
  /** Whether the daemon has user-defined networks (POST /networks/create exists). */
  supportsNetworks(): boolean;
}

/** Labels the real compose puts on what it makes (com.docker.compose.*). */
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  hash: 'com.docker.compose.config-hash',
  oneoff: 'com.docker.compose.oneoff',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** Whether an object carries all the given labels (filters the daemon may not apply itself). */
export function hasLabels(labels: Record<string, string> | null | undefined, want: string[]): boolean {
  return want.every((w) => {
    const i = w.indexOf('=');
    const k = i < 0 ? w : w.slice(0, i);
    if (!labels || !(k in labels)) return false;
    return i < 0 || labels[k] === w.slice(i + 1);
  });
}
