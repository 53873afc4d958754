// `up` as one converge pass: images (pulled when missing), then observe what exists, plan, and
// apply. Networks are a step of their own: on a daemon without user networks the services join
// the default bridge, with a warning, and the same code creates `<project>_default` once it has them.

import { ComposeError } from '../errors.ts';
import { LABEL, type EngineApi } from '../engine.ts';
import type { Project } from '../model.ts';
import type { Progress } from '../progress.ts';
import { applyPlan, containerId } from './apply.ts';
import { withDependencies } from './order.ts';
import { nameOf, plan, type Plan } from './plan.ts';
import { buildServices } from './build.ts';
import { imageOf } from './spec.ts';

export interface UpOptions {
  services: string[];
  noDeps: boolean;
  forceRecreate: boolean;
  noRecreate: boolean;
  removeOrphans: boolean;
  scale: Record<string, number>;
  start: boolean;
  wait: boolean;
  /** --pull always|missing|never */
  pull: 'always' | 'missing' | 'never';
  timeout?: number;
}

export interface UpEnv {
  engine: EngineApi;
  /** Progress for pulls (`[+] Pulling`) and for the converge itself (`[+] Running`). */
  pulls: () => Progress;
  progress: () => Progress;
  warn: (s: string) => void;
  pause: (ms: number) => void;
  mkdirp: (path: string) => void;
}

export const NO_NETWORKS_WARNING = 'this engine has no user-defined networks yet: the services join the default bridge network and cannot reach each other by service name';

/** Pulls what is missing (or everything, with --pull always). */
export function ensureImages(env: UpEnv, p: Project, services: string[], policy: UpOptions['pull']): void {
  let progress: Progress | null = null;
  for (const name of [...services].sort()) {
    const s = p.services[name]!;
    const ref = imageOf(p, s);
    const present = env.engine.inspectImage(ref) !== null;
    const want = s.pull_policy === 'always' || policy === 'always' ? 'always' : s.pull_policy === 'never' || policy === 'never' ? 'never' : 'missing';
    if (present && want !== 'always') continue;
    if (s.build && (!s.image || want !== 'always')) {
      // missing and buildable: Compose builds it rather than pulling
      if (!present) buildServices(env.engine, p, [name], { noCache: false, pull: false, quiet: false });
      continue;
    }
    if (want === 'never') throw new ComposeError(`Error response from daemon: No such image: ${ref}`);
    progress ??= env.pulls();
    progress.working(name, 'Pulling');
    try {
      env.engine.pullImage(ref, () => {});
    } catch (e) {
      progress.error(name, 'Error');
      throw new ComposeError(`Error response from daemon: ${(e as Error).message}`);
    }
    progress.done(name, 'Pulled');
  }
}

export function up(env: UpEnv, p: Project, opts: UpOptions): Plan {
  const services = withDependencies(p, opts.services, opts.noDeps);
  for (const s of services) if (!p.services[s]) throw new ComposeError(`no such service: ${s}`);
  ensureImages(env, p, services, opts.pull);
  const networks = env.engine.supportsNetworks();
  if (!networks) env.warn(NO_NETWORKS_WARNING);
  const seen = {
    containers: env.engine.listContainers({ label: [`${LABEL.project}=${p.name}`] }, true),
    networks: networks ? env.engine.listNetworks({}) : [],
    volumes: env.engine.listVolumes({}),
  };
  const pl = plan(p, seen, { services, forceRecreate: opts.forceRecreate, noRecreate: opts.noRecreate, scale: opts.scale, networks });
  const progress = env.progress();
  if (pl.orphans.length) {
    if (opts.removeOrphans) {
      for (const c of pl.orphans) {
        const id = containerId(nameOf(c));
        progress.working(id, 'Removing');
        env.engine.removeContainer(c.Id, true, false);
        progress.done(id, 'Removed');
      }
    } else {
      env.warn(`Found orphan containers ([${pl.orphans.map(nameOf).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
    }
  }
  applyPlan(env.engine, p, pl, progress, { pause: env.pause, mkdirp: env.mkdirp, networks, start: opts.start, wait: opts.wait, ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}) });
  return pl;
}

/** Networks and volumes the services need, and their images, without touching containers (`run`). */
export function prepare(env: UpEnv, p: Project, services: string[]): boolean {
  ensureImages(env, p, services, 'missing');
  const networks = env.engine.supportsNetworks();
  if (!networks) env.warn(NO_NETWORKS_WARNING);
  const seen = { containers: [], networks: networks ? env.engine.listNetworks({}) : [], volumes: env.engine.listVolumes({}) };
  const pl = plan(p, seen, { services, networks });
  if (pl.networks.length || pl.volumes.length) applyPlan(env.engine, p, { ...pl, services: [], orphans: [] }, env.progress(), { pause: env.pause, mkdirp: env.mkdirp, networks, start: false, wait: false });
  return networks;
}
