// Converge, first half: what must change for the engine to match the project. A pure function of
// the project and what exists (containers, networks, volumes with their compose labels), so the
// decisions (create, recreate on a changed config hash, start, leave alone, scale down) are
// tested without an engine.

import { ComposeError } from '../errors.ts';
import { LABEL, type ContainerInfo, type NetworkInfo, type VolumeInfo } from '../engine.ts';
import { replicas, type Project } from '../model.ts';
import { configHash, containerName } from './spec.ts';
import { dependencyOrder } from './order.ts';

export type ContainerAction =
  | { kind: 'create'; service: string; number: number; name: string }
  | { kind: 'recreate'; service: string; number: number; name: string; id: string }
  | { kind: 'start'; service: string; number: number; name: string; id: string }
  | { kind: 'keep'; service: string; number: number; name: string; id: string }
  | { kind: 'remove'; service: string; number: number; name: string; id: string };

export interface Plan {
  /** Project network keys to create (their engine names are in project.networks). */
  networks: string[];
  volumes: string[];
  /** Per service, in dependency order. */
  services: { name: string; hash: string; actions: ContainerAction[] }[];
  /** Containers of the project whose service is gone from the file. */
  orphans: ContainerInfo[];
}

export interface PlanOptions {
  /** Services to converge (with their dependencies already added); all when empty. */
  services?: string[];
  forceRecreate?: boolean;
  noRecreate?: boolean;
  /** --scale SERVICE=N */
  scale?: Record<string, number>;
  /** false while the daemon has no user networks: containers join the default bridge. */
  networks: boolean;
}

export interface Observed {
  containers: ContainerInfo[];
  networks: NetworkInfo[];
  volumes: VolumeInfo[];
}

export const nameOf = (c: ContainerInfo): string => (c.Names[0] ?? '').replace(/^\//, '');

export function plan(p: Project, seen: Observed, opts: PlanOptions): Plan {
  const mine = seen.containers.filter((c) => c.Labels[LABEL.project] === p.name && c.Labels[LABEL.oneoff] !== 'True');
  const out: Plan = { networks: [], volumes: [], services: [], orphans: mine.filter((c) => !p.services[c.Labels[LABEL.service] ?? ''] && !p.disabled[c.Labels[LABEL.service] ?? '']) };
  const wanted = dependencyOrder(p, opts.services?.length ? opts.services : undefined);
  if (opts.networks) {
    const used = new Set(wanted.flatMap((s) => (p.services[s]!.network_mode ? [] : Object.keys(p.services[s]!.networks ?? {}))));
    for (const key of Object.keys(p.networks).sort()) {
      if (!used.has(key)) continue;
      const n = p.networks[key]!;
      const exists = seen.networks.some((x) => x.Name === n.name);
      if (n.external) {
        if (!exists) throw new ComposeError(`network ${n.name} declared as external, but could not be found`);
      } else if (!exists) out.networks.push(key);
    }
  }
  const usedVolumes = new Set(wanted.flatMap((s) => (p.services[s]!.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source!)));
  for (const key of Object.keys(p.volumes).sort()) {
    if (!usedVolumes.has(key)) continue;
    const v = p.volumes[key]!;
    const exists = seen.volumes.some((x) => x.Name === v.name);
    if (v.external) {
      if (!exists) throw new ComposeError(`external volume "${v.name}" not found`);
    } else if (!exists) out.volumes.push(key);
  }
  for (const name of wanted) {
    const s = p.services[name]!;
    const hash = configHash(p, s);
    const want = opts.scale?.[name] ?? replicas(s);
    if (s.container_name && want > 1) throw new ComposeError(`services.scale: can't set container_name and ${name} as container name must be unique: invalid compose project`);
    const existing = mine.filter((c) => c.Labels[LABEL.service] === name).sort((a, b) => Number(a.Labels[LABEL.number]) - Number(b.Labels[LABEL.number]));
    const actions: ContainerAction[] = [];
    const taken = new Set<number>();
    for (const c of existing) {
      const number = Number(c.Labels[LABEL.number]) || 0;
      if (actions.filter((a) => a.kind !== 'remove').length >= want || taken.has(number)) {
        actions.push({ kind: 'remove', service: name, number, name: nameOf(c), id: c.Id });
        continue;
      }
      taken.add(number);
      const changed = c.Labels[LABEL.hash] !== hash;
      const base = { service: name, number, name: nameOf(c), id: c.Id };
      if (opts.forceRecreate || (changed && !opts.noRecreate)) actions.push({ kind: 'recreate', ...base, name: containerName(p, s, number) });
      else if (c.State === 'running') actions.push({ kind: 'keep', ...base });
      else actions.push({ kind: 'start', ...base });
    }
    for (let number = 1; actions.filter((a) => a.kind !== 'remove').length < want; number++) {
      if (taken.has(number)) continue;
      taken.add(number);
      actions.push({ kind: 'create', service: name, number, name: containerName(p, s, number) });
    }
    out.services.push({ name, hash, actions });
  }
  return out;
}
