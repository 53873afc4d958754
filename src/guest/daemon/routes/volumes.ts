// /volumes/...: list, create, prune, inspect, remove.

import { body, filters, NEXT, sizeOf, type RouteHandler } from './context.ts';

export const volumeRoutes: RouteHandler = ({ sys, e, req, res, m, seg }) => {
  if (m === 'GET' && seg.length === 1) {
    res.json(200, { Volumes: e.volumes(), Warnings: [] });
    return;
  }
  if (m === 'POST' && seg[1] === 'create') {
    const b = body<{ Name?: string; Labels?: Record<string, string> }>(req);
    res.json(201, e.createVolume(b.Name, b.Labels ?? {}));
    return;
  }
  if (m === 'POST' && seg[1] === 'prune') {
    const f = filters(req);
    const all = (f['all'] ?? []).includes('true');
    const deleted: string[] = [];
    let space = 0;
    for (const v of e.volumes()) {
      if (e.volumeUsers(v.Name).length > 0) continue;
      if (!all && !/^[0-9a-f]{64}$/.test(v.Name)) continue;
      space += sizeOf(sys, v.Mountpoint);
      e.removeVolume(v.Name);
      deleted.push(v.Name);
    }
    res.json(200, { VolumesDeleted: deleted, SpaceReclaimed: space });
    return;
  }
  if (m === 'GET' && seg.length === 2) {
    res.json(200, e.volume(seg[1]!));
    return;
  }
  if (m === 'DELETE' && seg.length === 2) {
    e.removeVolume(seg[1]!, req.query.bool('force'));
    res.send(204);
    return;
  }
  return NEXT;
};
