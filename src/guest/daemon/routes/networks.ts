// /networks/...: list, inspect, prune.

import { NEXT, type RouteHandler } from './context.ts';

export const networkRoutes: RouteHandler = ({ e, res, m, path, seg }) => {
  if (m === 'POST' && (path === '/networks/prune')) {
    res.json(200, { NetworksDeleted: [] });
    return;
  }
  if (m === 'GET' && path === '/networks') {
    res.json(200, e.net.list());
    return;
  }
  if (m === 'GET' && seg[0] === 'networks' && seg.length === 2) {
    res.json(200, e.net.inspect(seg[1]!));
    return;
  }
  return NEXT;
};
