// /networks/...: list, inspect, create, remove, connect, disconnect, prune.

import { body, filters, NEXT, type RouteHandler } from './context.ts';
import type { EndpointRequest, NetworkCreateRequest } from '../network/networks.ts';

export const networkRoutes: RouteHandler = ({ e, req, res, m, path, seg }) => {
  if (seg[0] !== 'networks') return NEXT;
  if (m === 'POST' && path === '/networks/prune') {
    res.json(200, { NetworksDeleted: e.net.prune(filters(req)) });
    return;
  }
  if (m === 'POST' && path === '/networks/create') {
    res.json(201, e.net.create(body<NetworkCreateRequest>(req)));
    return;
  }
  if (m === 'GET' && path === '/networks') {
    res.json(200, e.net.list(filters(req)));
    return;
  }
  if (seg.length === 2 && m === 'GET') {
    res.json(200, e.net.inspect(seg[1]!));
    return;
  }
  if (seg.length === 2 && m === 'DELETE') {
    e.net.remove(seg[1]!);
    res.send(204);
    return;
  }
  if (seg.length === 3 && m === 'POST' && (seg[2] === 'connect' || seg[2] === 'disconnect')) {
    const b = body<{ Container?: string; EndpointConfig?: EndpointRequest; Force?: boolean }>(req);
    // the network is looked up first, as Docker's does: a wrong network is reported before a wrong container
    e.net.find(seg[1]!);
    const c = e.get(b.Container ?? '');
    if (seg[2] === 'connect') e.net.connect(seg[1]!, c, b.EndpointConfig ?? {});
    else e.net.disconnect(seg[1]!, c);
    res.send(200, '');
    return;
  }
  return NEXT;
};
