// /_ping, /version, /info and /system/df.

import { containerSummary } from './containers.ts';
import { imageSummary } from './images.ts';
import { builderOf } from './build.ts';
import { NEXT, sizeOf, type RouteHandler } from './context.ts';

export const systemRoutes: RouteHandler = ({ sys, e, info, res, m, path, now }) => {
  if (path === '/_ping') {
    res.send(200, m === 'HEAD' ? '' : 'OK');
    return;
  }
  if (m === 'GET' && path === '/version') {
    res.json(200, info()['__version']);
    return;
  }
  if (m === 'GET' && path === '/info') {
    const { __version: _v, ...rest } = info();
    void _v;
    res.json(200, rest);
    return;
  }
  if (m === 'GET' && path === '/system/df') {
    // shared sizes are known here (no layer is shared between our images' own sizes)
    const images = e.images.ids().map((i) => imageSummary(e, i)).map((i): Record<string, unknown> => ({ ...i, SharedSize: 0, VirtualSize: i['Size'] }));
    const containers = e.all().map((c) => ({ ...containerSummary(e, c, now), SizeRw: e.containerSize(c), SizeRootFs: 0 }));
    const volumes = e.volumes().map((v) => ({ ...v, UsageData: { Size: sizeOf(sys, v.Mountpoint), RefCount: e.volumeUsers(v.Name).length } }));
    res.json(200, { LayersSize: images.reduce((n, i) => n + (i['Size'] as number), 0), Images: images, Containers: containers, Volumes: volumes, BuildCache: builderOf({ sys, e }).diskUsage() });
    return;
  }
  return NEXT;
};
