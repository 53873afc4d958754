// /images/...: list, pull (create), prune, inspect, history, tag, remove.

import { parseRef } from '../../images/reference.ts';
import type { Engine } from '../engine.ts';
import { archiveRoutes } from './archive.ts';
import { InvalidParameter } from '../errdefs.ts';
import { filters, NEXT, unix, type RouteHandler } from './context.ts';
import { errorText } from '../../sys/errors.ts';

export const imageRoutes: RouteHandler = (ctx) => {
  if (archiveRoutes(ctx) !== NEXT) return;
  const { e, req, res, m, seg } = ctx;
  if (m === 'GET' && seg[1] === 'json' && seg.length === 2) {
    const ids = e.images.ids();
    const list = ids.map((i) => imageSummary(e, i)).sort((a, b) => (b['Created'] as number) - (a['Created'] as number));
    const all = req.query.bool('all');
    // intermediate images (a build's steps, a commit's parent) hide behind their children, as in
    // Docker; an untagged image nothing was built on is a dangling <none> and shows
    const parents = new Set(list.map((i) => i['ParentId'] as string).filter((x) => x !== ''));
    res.json(200, all ? list : list.filter((i) => (i['RepoTags'] as string[]).length > 0 || (i['RepoDigests'] as string[]).length > 0 || !parents.has(i['Id'] as string)));
    return;
  }
  if (m === 'POST' && seg[1] === 'create') {
    const from = req.query.get('fromImage');
    if (!from) throw new InvalidParameter('fromImage is required (no image import)');
    // the stream starts with the first progress line: a pull that fails before it (no such
    // repository, a bad reference) is an error status, which clients print as "Error response
    // from daemon", as Docker's daemon does
    let started = false;
    try {
      e.pull(from, req.query.get('tag') ?? '', (ev) => {
        if (!started) res.stream(200, 'application/json');
        started = true;
        res.chunk(JSON.stringify(ev) + '\r\n');
      });
    } catch (err) {
      if (!started) throw err;
      const message = errorText(err);
      res.chunk(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
    }
    if (!started) res.stream(200, 'application/json');
    res.close();
    return;
  }
  if (m === 'POST' && seg[1] === 'prune') {
    const f = filters(req);
    const danglingOnly = !(f['dangling'] ?? []).includes('false');
    const used = e.imageChainsInUse();
    const deleted: { Untagged?: string; Deleted?: string }[] = [];
    let space = 0;
    for (const id of e.images.ids()) {
      const img = e.images.get(id);
      if (used.has(img.id)) continue;
      if (danglingOnly && img.repoTags.length > 0) continue;
      space += img.size;
      deleted.push(...e.removeImage(img.id, false));
    }
    res.json(200, { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: space });
    return;
  }
  const name = seg.slice(1, seg.length - (seg.length > 2 ? 1 : 0)).join('/');
  const action = seg.length > 2 ? seg[seg.length - 1] : undefined;
  if (m === 'GET' && action === 'json') {
    res.json(200, imageInspect(e, name));
    return;
  }
  if (m === 'GET' && action === 'history') {
    const img = e.findImage(name);
    const hist = [...(img.config.history ?? [])].reverse();
    let layer = img.config.rootfs.diff_ids.length - 1;
    // the images of earlier steps, found through the parent chain by how much history they have
    const byLength = new Map<number, string>();
    for (let id: string | null = img.id, n = 0; id && n < 500; id = e.images.parentOf(id), n++) {
      try {
        byLength.set(e.images.get(id).config.history?.length ?? 0, id);
      } catch {
        break;
      }
    }
    res.json(200, hist.map((h, i) => ({
      Id: byLength.get(hist.length - i) ?? '<missing>',
      Created: h.created ? unix(h.created) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: i === 0 ? img.repoTags : null,
      Size: h.empty_layer ? 0 : e.images.layerSize(img.chain[layer--] ?? ''),
      Comment: h.comment ?? '',
    })));
    return;
  }
  if (m === 'POST' && action === 'tag') {
    const img = e.findImage(name);
    const repo = req.query.get('repo') ?? '';
    const tag = req.query.get('tag') || 'latest';
    e.images.tag(img.id, parseRef(`${repo}:${tag}`));
    res.send(201);
    return;
  }
  if (m === 'DELETE' && seg.length >= 2) {
    res.json(200, e.removeImage(seg.slice(1).join('/'), req.query.bool('force')));
    return;
  }
  return NEXT;
};

export function imageSummary(e: Engine, id: string): Record<string, unknown> {
  const img = e.images.get(id);
  return {
    Id: img.id,
    ParentId: e.images.parentOf(img.id) ?? '',
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
    Created: img.config.created ? unix(img.config.created) : 0,
    Size: img.size,
    SharedSize: -1,
    Labels: img.config.config?.Labels ?? null,
    Containers: e.imageContainers(img.id).length,
  };
}

function imageInspect(e: Engine, name: string): Record<string, unknown> {
  const img = e.findImage(name);
  return {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
    Parent: e.images.parentOf(img.id) ?? '',
    // docker commit -m keeps its message at the config's top level, as Docker's commit does
    Comment: commentOf(img.config),
    Created: img.config.created ?? '',
    DockerVersion: '',
    Author: img.config.author ?? '',
    Config: img.config.config ?? {},
    Architecture: img.config.architecture,
    Os: img.config.os,
    Size: img.size,
    GraphDriver: { Name: 'overlay2', Data: { LowerDir: e.images.lowerDirs(img).join(':') } },
    RootFS: { Type: 'layers', Layers: img.config.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/** The top-level `comment` a commit writes into an image config (not part of our ImageConfig type). */
function commentOf(config: object): string {
  const c = (config as Record<string, unknown>)['comment'];
  return typeof c === 'string' ? c : '';
}
