// docker commit: a container's upper dir becomes one new layer on its image, with the container's
// runtime config as the new image's config, as moby's daemon/commit does (without pausing: the
// layer is read while the container runs, which Docker also allows with --pause=false).

import { parseRef } from '../images/reference.ts';
import type { ImageConfigBody } from '../images/oci.ts';
import type { Engine } from './engine.ts';
import { InvalidParameter } from './errdefs.ts';

export interface CommitOptions {
  /** "repo" or "repo:tag"; none gives a dangling image, as Docker does. */
  reference?: string;
  comment?: string;
  author?: string;
}

/** Commits the container to a new image and returns its ID (sha256:...). */
export function commitContainer(e: Engine, containerRef: string, opts: CommitOptions): string {
  const c = e.get(containerRef);
  const ref = opts.reference ? parseRef(opts.reference) : null;
  if (ref?.digest) throw new InvalidParameter('refusing to create a tag with a digest reference');
  const parent = e.images.get(c.Image);
  const layer = e.images.commitLayer(`${e.opts.root}/overlay2/${c.Id}/diff`);
  const cfg = c.Config;
  // what docker run set for this container becomes the image's defaults
  const config: ImageConfigBody = {
    ...parent.config.config,
    ...(cfg.User ? { User: cfg.User } : {}),
    Env: cfg.Env,
    Cmd: cfg.Cmd,
    Entrypoint: cfg.Entrypoint,
    WorkingDir: cfg.WorkingDir,
    Labels: cfg.Labels,
    ...(cfg.ExposedPorts ? { ExposedPorts: cfg.ExposedPorts } : {}),
    ...(cfg.Volumes ? { Volumes: cfg.Volumes } : {}),
    ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
    // docker run --health-* carries over, as the container's config does in moby
    ...(cfg.Healthcheck?.Test ? { Healthcheck: { ...cfg.Healthcheck, Test: cfg.Healthcheck.Test } } : {}),
  };
  const created = new Date().toISOString();
  const rec = e.images.registerImage({
    parent,
    layers: [layer],
    config,
    history: [{ created, created_by: [c.Path, ...c.Args].join(' '), ...(opts.comment ? { comment: opts.comment } : {}), ...(opts.author ? { author: opts.author } : {}) }],
    ...(ref ? { tags: [ref] } : {}),
    ...(opts.author ? { author: opts.author } : {}),
    created,
    extra: { container: c.Id, ...(opts.comment ? { comment: opts.comment } : {}) },
  });
  e.events.emit('container', 'commit', c.Id, { name: c.Name.replace(/^\//, ''), ...(ref ? { imageName: opts.reference! } : {}) });
  return rec.id;
}
