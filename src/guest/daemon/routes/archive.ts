// docker save and docker load over the Engine API: GET /images/get?names=... and
// GET /images/{name}/get stream the archive (images/archive.ts writes Docker 25+'s layout);
// POST /images/load takes one in its body and answers with Docker's JSON message stream.

import { ImageLoader, saveImages, type SaveItem } from '../../images/archive.ts';
import { familiar, parseRef } from '../../images/reference.ts';
import { InvalidParameter } from '../errdefs.ts';
import { NEXT, type RouteHandler } from './context.ts';

export const archiveRoutes: RouteHandler = ({ sys, e, req, res, m, seg }) => {
  const getAll = m === 'GET' && seg.length === 2 && seg[1] === 'get';
  const getOne = m === 'GET' && seg.length > 2 && seg[seg.length - 1] === 'get';
  if (getAll || getOne) {
    const names = getAll ? req.query.getAll('names') : [seg.slice(1, -1).join('/')];
    if (names.length === 0) throw new InvalidParameter('no image names given');
    const items: SaveItem[] = [];
    for (const n of names) {
      const image = e.findImage(n);
      const named = /^(sha256:)?[0-9a-f]{6,64}$/.test(n) ? [] : [familiar(parseRef(n))];
      const have = items.find((i) => i.image.id === image.id);
      if (have) have.tags.push(...named);
      else items.push({ image, tags: named });
    }
    res.stream(200, 'application/x-tar');
    // saveImages reuses its buffers: each chunk is copied before it is queued
    saveImages(sys, e.images, e.registry, items, (chunk) => res.chunk(chunk.slice()));
    res.close();
    return;
  }
  if (m === 'POST' && seg.length === 2 && seg[1] === 'load') {
    const quiet = req.query.bool('quiet');
    res.stream(200, 'application/json');
    try {
      const loader = new ImageLoader(sys, e.images);
      loader.push(req.body);
      const r = loader.finish();
      if (!quiet) for (const l of r.lines) res.chunk(JSON.stringify({ stream: `${l}\n` }) + '\r\n');
      for (const id of r.ids) e.events.emit('image', 'load', id, { name: id });
    } catch (err) {
      const message = (err as Error).message;
      res.chunk(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
    }
    res.close();
    return;
  }
  return NEXT;
};
