// Converge, second half: carries out a plan against the engine with Compose's progress lines.
// Networks and volumes first, then containers created in dependency order, then started in
// that order, each waiting for its dependencies' conditions (service_started, service_healthy,
// service_completed_successfully). What this run made is removed again if a step fails, so an
// error leaves nothing half-created.

import { ComposeError } from '../errors.ts';
import { LABEL, type EngineApi } from '../engine.ts';
import type { Project, Service } from '../model.ts';
import type { Progress } from '../progress.ts';
import { nameOf, type ContainerAction, type Plan } from './plan.ts';
import { containerLabels, createBody, imageOf, projectLabels } from './spec.ts';

export interface ApplyOptions {
  /** Blocks for ms (tests advance a clock instead). */
  pause: (ms: number) => void;
  /** Makes a bind mount's missing host folder (short syntax binds ask for it). */
  mkdirp: (path: string) => void;
  networks: boolean;
  /** false: create only (`create`, `up --no-start`). */
  start: boolean;
  /** --wait: after starting, wait for every container to be running or healthy. */
  wait: boolean;
  /** --timeout for stopping containers that are recreated. */
  timeout?: number;
}

export const containerId = (name: string): string => `Container ${name}`;
export const networkId = (name: string): string => `Network ${name}`;

interface Made {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export function applyPlan(engine: EngineApi, p: Project, plan: Plan, progress: Progress, opts: ApplyOptions): void {
  const made: Made = { containers: [], networks: [], volumes: [] };
  try {
    run(engine, p, plan, progress, opts, made);
  } catch (e) {
    rollback(engine, made);
    throw e;
  }
}

function rollback(engine: EngineApi, made: Made): void {
  const quietly = (f: () => void): void => {
    try {
      f();
    } catch {
      // best effort: the original error is what the user needs to see
    }
  };
  for (const id of made.containers.reverse()) quietly(() => engine.removeContainer(id, true, false));
  for (const id of made.networks) quietly(() => engine.removeNetwork(id));
  for (const name of made.volumes) quietly(() => engine.removeVolume(name));
}

function run(engine: EngineApi, p: Project, plan: Plan, progress: Progress, opts: ApplyOptions, made: Made): void {
  for (const key of plan.networks) {
    const n = p.networks[key]!;
    const id = networkId(n.name);
    progress.working(id, 'Creating');
    const netId = engine.createNetwork({
      Name: n.name,
      Driver: n.driver ?? 'bridge',
      Internal: n.internal ?? false,
      Attachable: n.attachable ?? false,
      EnableIPv6: n.enable_ipv6 ?? false,
      Options: n.driver_opts ?? {},
      Labels: { ...(n.labels ?? {}), ...projectLabels(p), [LABEL.network]: key },
      ...(n.ipam ? { IPAM: ipam(n.ipam) } : {}),
    });
    made.networks.push(netId);
    progress.done(id, 'Created');
  }
  for (const key of plan.volumes) {
    const v = p.volumes[key]!;
    const id = `Volume "${v.name}"`;
    progress.working(id, 'Creating');
    engine.createVolume(v.name, { ...(v.labels ?? {}), ...projectLabels(p), [LABEL.volume]: key });
    made.volumes.push(v.name);
    progress.done(id, 'Created');
  }
  const imageIds = new Map<string, string>();
  const imageIdOf = (s: Service): string => {
    const ref = imageOf(p, s);
    if (!imageIds.has(ref)) imageIds.set(ref, engine.inspectImage(ref)?.Id ?? '');
    return imageIds.get(ref)!;
  };
  const started = new Map<string, string[]>();
  for (const svc of plan.services) {
    const s = p.services[svc.name]!;
    const ids: string[] = [];
    for (const a of svc.actions) {
      const id = containerId(a.name);
      if (a.kind === 'remove') {
        progress.working(id, 'Stopping');
        engine.stopContainer(a.id, opts.timeout);
        progress.working(id, 'Removing');
        engine.removeContainer(a.id, true, false);
        progress.done(id, 'Removed');
        continue;
      }
      if (a.kind === 'create' || a.kind === 'recreate') {
        if (a.kind === 'recreate') {
          progress.working(id, 'Recreate');
          engine.stopContainer(a.id, opts.timeout);
          engine.removeContainer(a.id, true, false);
        } else progress.working(id, 'Creating');
        for (const v of s.volumes ?? []) if (v.type === 'bind' && v.source && v.bind?.create_host_path) opts.mkdirp(v.source);
        const labels = containerLabels(p, s, a.number, svc.hash, imageIdOf(s));
        const newId = engine.createContainer(a.name, createBody(p, s, a.number, labels, opts.networks));
        made.containers.push(newId);
        progress.done(id, a.kind === 'recreate' ? 'Recreated' : 'Created');
        ids.push(newId);
      } else ids.push(a.id);
    }
    started.set(svc.name, ids);
  }
  if (!opts.start) return;
  for (const svc of plan.services) {
    const s = p.services[svc.name]!;
    waitForDependencies(engine, p, s, plan, progress, opts);
    for (const a of svc.actions) startOne(engine, a, progress);
  }
  if (opts.wait) {
    for (const svc of plan.services) {
      for (const a of svc.actions) {
        if (a.kind === 'remove') continue;
        const id = containerId(a.name);
        progress.working(id, 'Waiting');
        const state = waitUntil(engine, idOf(engine, p, a), opts, 'healthy-or-running');
        if (state !== 'ok') {
          progress.error(id, 'Error');
          throw new ComposeError(`container ${a.name} ${state}`);
        }
        progress.done(id, 'Healthy');
      }
    }
  }
}

function ipam(raw: Record<string, unknown>): Record<string, unknown> {
  const config = Array.isArray(raw['config']) ? (raw['config'] as Record<string, unknown>[]) : [];
  return { Driver: raw['driver'] ?? 'default', Config: config.map((c) => ({ ...(c['subnet'] ? { Subnet: c['subnet'] } : {}), ...(c['gateway'] ? { Gateway: c['gateway'] } : {}), ...(c['ip_range'] ? { IPRange: c['ip_range'] } : {}) })) };
}

/** The container an action ends with (after a create, found again by name). */
function idOf(engine: EngineApi, p: Project, a: ContainerAction): string {
  if (a.kind === 'keep' || a.kind === 'start') return a.id;
  const c = engine.listContainers({ label: [`${LABEL.project}=${p.name}`, `${LABEL.service}=${a.service}`] }, true).find((x) => nameOf(x) === a.name);
  return c?.Id ?? a.name;
}

function startOne(engine: EngineApi, a: ContainerAction, progress: Progress): void {
  if (a.kind === 'remove') return;
  const id = containerId(a.name);
  if (a.kind === 'keep') {
    progress.done(id, 'Running');
    return;
  }
  progress.working(id, 'Starting');
  engine.startContainer(a.kind === 'start' ? a.id : a.name);
  progress.done(id, 'Started');
}

type WaitGoal = 'healthy' | 'exited' | 'healthy-or-running';

/**
 * 'ok', or what went wrong, in Compose's words ("is unhealthy", "has no healthcheck configured",
 * "exited (1)"). A container still starting its health checks is waited for.
 */
function waitUntil(engine: EngineApi, id: string, opts: ApplyOptions, goal: WaitGoal): string {
  for (;;) {
    const c = engine.inspectContainer(id);
    const health = c.State.Health?.Status;
    if (goal === 'exited') {
      if (!c.State.Running && c.State.Status !== 'created') return c.State.ExitCode === 0 ? 'ok' : `exited (${c.State.ExitCode})`;
    } else if (c.State.Status === 'exited') return `exited (${c.State.ExitCode})`;
    else if (health === undefined) {
      if (goal === 'healthy') return 'has no healthcheck configured';
      return c.State.Running ? 'ok' : `exited (${c.State.ExitCode})`;
    } else if (health === 'healthy') return 'ok';
    else if (health === 'unhealthy') return 'is unhealthy';
    opts.pause(500);
  }
}

function waitForDependencies(engine: EngineApi, p: Project, s: Service, plan: Plan, progress: Progress, opts: ApplyOptions): void {
  for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
    if (d.condition === 'service_started') continue;
    const containers = engine.listContainers({ label: [`${LABEL.project}=${p.name}`, `${LABEL.service}=${dep}`, `${LABEL.oneoff}=False`] }, true);
    if (containers.length === 0) {
      if (!d.required) continue;
      throw new ComposeError(`dependency failed to start: service "${dep}" has no container`);
    }
    for (const c of containers) {
      const id = containerId(nameOf(c));
      progress.working(id, 'Waiting');
      if (d.condition === 'service_healthy') {
        const r = waitUntil(engine, c.Id, opts, 'healthy');
        if (r !== 'ok') {
          progress.error(id, 'Error');
          throw new ComposeError(`dependency failed to start: container ${nameOf(c)} ${r}`);
        }
        progress.done(id, 'Healthy');
      } else {
        const r = waitUntil(engine, c.Id, opts, 'exited');
        if (r !== 'ok') {
          progress.error(id, 'Error');
          throw new ComposeError(`service "${dep}" didn't complete successfully: exit ${engine.inspectContainer(c.Id).State.ExitCode}`);
        }
        progress.done(id, 'Exited');
      }
    }
  }
  void plan;
}
