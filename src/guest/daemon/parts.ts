// The engine's parts as the container verbs (create.ts, start.ts, stop.ts, delete.ts) use them:
// one object engine.ts composes, as moby's verbs are methods on its Daemon. Below the verbs and
// the facade, so neither imports the other back.

import type { Syscalls } from '../sys/syscalls.ts';
import type { PullMode } from '../images/store.ts';
import type { Attachments } from './attach.ts';
import type { ContainerStore } from './containers.ts';
import type { Events } from './events.ts';
import type { Execs } from './exec.ts';
import type { HealthMonitor } from './health.ts';
import type { ImageService } from './images.ts';
import type { Layout } from './layout.ts';
import type { ExitMonitor } from './monitor.ts';
import type { Networks } from './network/networks.ts';
import type { Rootfs } from './rootfs.ts';
import type { ShimLauncher } from './shim-launcher.ts';
import type { Volumes } from './volumes.ts';

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

export interface EngineParts {
  sys: Syscalls;
  opts: EngineOptions;
  layout: Layout;
  /** The container records (and their writes, held back on a full disk). */
  store: ContainerStore;
  events: Events;
  images: ImageService;
  volumes: Volumes;
  net: Networks;
  rootfs: Rootfs;
  launcher: ShimLauncher;
  exits: ExitMonitor;
  health: HealthMonitor;
  attachments: Attachments;
  execs: Execs;
  /** Milliseconds since the epoch. */
  now(): number;
  /** docker rm by id (delete.ts through the facade): a --rm container whose start failed. */
  remove(id: string, force: boolean, volumes: boolean): void;
}

/** The engine clock's time as the API writes it. */
export function nowIso(p: Pick<EngineParts, 'now'>): string {
  return new Date(p.now()).toISOString();
}
