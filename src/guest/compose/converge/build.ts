// Images from `build:` sections, made by the engine's own `docker build` (POST /build): Compose
// only turns a service's build section into a build request, as compose v2 hands it to BuildKit.

import { ComposeError } from '../errors.ts';
import type { BuildRequest, EngineApi } from '../engine.ts';
import type { Project, Service } from '../model.ts';
import { imageOf } from './spec.ts';

export interface BuildOptions {
  noCache: boolean;
  pull: boolean;
  quiet: boolean;
}

/** The build request for one service (which must have a build section). */
export function buildRequest(p: Project, s: Service, opts: BuildOptions): BuildRequest {
  const b = s.build;
  if (!b) throw new ComposeError(`service "${s.name}" has no build section`);
  const args: Record<string, string> = {};
  // An argument without a value is left to the Dockerfile's default, as Compose does.
  for (const [k, v] of Object.entries(b.args ?? {})) if (v !== null) args[k] = v;
  return {
    context: b.context,
    dockerfile: b.dockerfile ?? 'Dockerfile',
    tags: [imageOf(p, s), ...(b.tags ?? [])],
    args,
    labels: { ...(b.labels ?? {}), 'com.docker.compose.project': p.name, 'com.docker.compose.service': s.name },
    ...(b.target ? { target: b.target } : {}),
    ...(b.network ? { network: b.network } : {}),
    noCache: opts.noCache || b.no_cache === true,
    pull: opts.pull || b.pull === true,
    quiet: opts.quiet,
  };
}

/** Builds the named services that have a build section, in name order; returns the ones built. */
export function buildServices(engine: EngineApi, p: Project, services: string[], opts: BuildOptions): string[] {
  const built: string[] = [];
  for (const name of [...services].sort()) {
    const s = p.services[name];
    if (!s) throw new ComposeError(`no such service: ${name}`);
    if (!s.build) continue;
    try {
      engine.buildImage(buildRequest(p, s, opts));
    } catch (e) {
      throw new ComposeError(`failed to build service "${name}": ${(e as Error).message}`);
    }
    built.push(name);
  }
  return built;
}
