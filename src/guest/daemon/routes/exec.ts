// /exec/<id>/...: inspect, start and resize of exec instances (created under /containers).

import { body, NEXT, type RouteHandler } from './context.ts';

export const execRoutes: RouteHandler = ({ e, req, res, m, seg }) => {
  if (!seg[1]) return NEXT;
  const r = e.execs.get(seg[1]);
  if (m === 'GET' && seg[2] === 'json') {
    res.json(200, e.execs.inspect(r));
    return;
  }
  if (m === 'POST' && seg[2] === 'start') {
    const c = e.get(r.ContainerID);
    e.execs.start(r, c, e.bundleOf(c.Id), e.shimSocket(c.Id), req, res, body(req));
    return;
  }
  if (m === 'POST' && seg[2] === 'resize') {
    e.execs.resize(r, e.shimSocket(r.ContainerID), Number(req.query.get('h') ?? 0), Number(req.query.get('w') ?? 0));
    res.send(200);
    return;
  }
  return NEXT;
};
