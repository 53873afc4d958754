// /build/...: only prune of the (empty) build cache so far.

import { NEXT, type RouteHandler } from './context.ts';

export const buildRoutes: RouteHandler = ({ res, m, path }) => {
  if (m === 'POST' && path === '/build/prune') {
    res.json(200, { CachesDeleted: [], SpaceReclaimed: 0 });
    return;
  }
  return NEXT;
};
