// Taking a project down and the other lifecycle verbs (stop, start, restart, kill, rm), found by
// the com.docker.compose.project label and handled in reverse dependency order (dependents
// before what they depend on), as Compose does.

import { LABEL, type ContainerInfo, type EngineApi } from '../engine.ts';
import type { Project } from '../model.ts';
import type { Progress } from '../progress.ts';
import { containerId, networkId } from './apply.ts';
import { dependencyOrder } from './order.ts';
import { imageOf } from './spec.ts';
import { nameOf } from './plan.ts';

export function projectContainers(engine: EngineApi, project: string, all = true, oneoff: boolean | null = false): ContainerInfo[] {
  const label = [`${LABEL.project}=${project}`];
  if (oneoff !== null) label.push(`${LABEL.oneoff}=${oneoff ? 'True' : 'False'}`);
  return engine.listContainers({ label }, all).sort((a, b) => {
    const sa = a.Labels[LABEL.service] ?? '';
    const sb = b.Labels[LABEL.service] ?? '';
    return sa === sb ? Number(a.Labels[LABEL.number]) - Number(b.Labels[LABEL.number]) : sa < sb ? -1 : 1;
  });
}

/** Containers grouped in reverse dependency order; services the project does not know go first. */
export function reverseOrder(p: Project | null, list: ContainerInfo[]): ContainerInfo[] {
  const order = p ? dependencyOrder(p) : [];
  const rank = (c: ContainerInfo): number => {
    const i = order.indexOf(c.Labels[LABEL.service] ?? '');
    return i < 0 ? order.length : i;
  };
  return [...list].sort((a, b) => rank(b) - rank(a));
}

export interface DownOptions {
  volumes: boolean;
  removeOrphans: boolean;
  rmi: '' | 'all' | 'local';
  timeout?: number;
  /** Where orphan warnings go. */
  warn: (s: string) => void;
}

export function down(engine: EngineApi, projectName: string, p: Project | null, progress: Progress, opts: DownOptions): void {
  const all = projectContainers(engine, projectName, true, null);
  const known = (c: ContainerInfo): boolean => !p || !!p.services[c.Labels[LABEL.service] ?? ''] || !!p.disabled[c.Labels[LABEL.service] ?? ''] || c.Labels[LABEL.oneoff] === 'True';
  const orphans = all.filter((c) => !known(c));
  if (orphans.length && !opts.removeOrphans) {
    opts.warn(`Found orphan containers ([${orphans.map(nameOf).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  const targets = reverseOrder(p, all.filter((c) => known(c) || opts.removeOrphans));
  for (const c of targets) {
    const id = containerId(nameOf(c));
    if (c.State === 'running' || c.State === 'restarting' || c.State === 'paused') {
      progress.working(id, 'Stopping');
      engine.stopContainer(c.Id, opts.timeout);
      progress.working(id, 'Stopped');
    }
    progress.working(id, 'Removing');
    engine.removeContainer(c.Id, true, opts.volumes);
    progress.done(id, 'Removed');
  }
  // networks: the project's own (by label), and those the file names that are not external
  const nets = engine.listNetworks({ label: [`${LABEL.project}=${projectName}`] });
  for (const n of nets.sort((a, b) => (a.Name < b.Name ? -1 : 1))) {
    if (p && Object.values(p.networks).some((x) => x.name === n.Name && x.external)) continue;
    const id = networkId(n.Name);
    progress.working(id, 'Removing');
    engine.removeNetwork(n.Id);
    progress.done(id, 'Removed');
  }
  if (opts.volumes) {
    const vols = engine.listVolumes({ label: [`${LABEL.project}=${projectName}`] });
    for (const v of vols.sort((a, b) => (a.Name < b.Name ? -1 : 1))) {
      if (p && Object.values(p.volumes).some((x) => x.name === v.Name && x.external)) continue;
      const id = `Volume ${v.Name}`;
      progress.working(id, 'Removing');
      engine.removeVolume(v.Name);
      progress.done(id, 'Removed');
    }
  }
  if (opts.rmi && p) {
    const images = new Set<string>();
    for (const s of Object.values(p.services)) if (opts.rmi === 'all' || !s.image) images.add(imageOf(p, s));
    for (const ref of [...images].sort()) {
      if (!engine.inspectImage(ref)) continue;
      const id = `Image ${ref}`;
      progress.working(id, 'Removing');
      engine.removeImage(ref);
      progress.done(id, 'Removed');
    }
  }
}

export type Verb = 'stop' | 'start' | 'restart' | 'kill';

/** stop/kill go dependents first; start/restart dependencies first. */
export function lifecycle(engine: EngineApi, projectName: string, p: Project | null, verb: Verb, services: string[], progress: Progress, opts: { timeout?: number; signal?: string }): number {
  let list = projectContainers(engine, projectName, true);
  if (services.length) list = list.filter((c) => services.includes(c.Labels[LABEL.service] ?? ''));
  const ordered = verb === 'stop' || verb === 'kill' ? reverseOrder(p, list) : reverseOrder(p, list).reverse();
  let n = 0;
  for (const c of ordered) {
    const id = containerId(nameOf(c));
    const running = c.State === 'running';
    if (verb === 'stop') {
      if (!running) continue;
      progress.working(id, 'Stopping');
      engine.stopContainer(c.Id, opts.timeout);
      progress.done(id, 'Stopped');
    } else if (verb === 'kill') {
      if (!running) continue;
      progress.working(id, 'Killing');
      engine.killContainer(c.Id, opts.signal);
      progress.done(id, 'Killed');
    } else if (verb === 'start') {
      if (running) continue;
      progress.working(id, 'Starting');
      engine.startContainer(c.Id);
      progress.done(id, 'Started');
    } else {
      progress.working(id, 'Restarting');
      engine.restartContainer(c.Id, opts.timeout);
      progress.done(id, 'Started');
    }
    n++;
  }
  return n;
}
