// docker cp's endpoints (moby's daemon/archive): HEAD /containers/{id}/archive stats a path in the
// container, GET sends it as a tar, PUT unpacks a tar into a directory. Paths resolve inside the
// container's root (symbolic links as the container sees them) and inside the volumes and bind
// mounts it has; writes never leave them (cp/extract.ts).

import { CopyError, extractInto } from '../../cp/extract.ts';
import { assertsDirectory, contentsOnly } from '../../cp/paths.ts';
import { encodePathStat, pathStat, PATH_STAT_HEADER } from '../../cp/stat.ts';
import { secureJoin } from '../../runc/securejoin.ts';
import type { Syscalls } from '../../sys/syscalls.ts';
import { S_IFDIR, S_IFLNK, S_IFMT } from '../../sys/constants.ts';
import { gunzip, isGzip } from '../../util/inflate.ts';
import { basename, dirname, normalize } from '../../util/path.ts';
import { pathTar } from '../../util/layertar.ts';
import { Forbidden, InvalidParameter, NotFound } from '../errdefs.ts';
import type { ContainerRecord } from '../model.ts';
import { NEXT, type RouteHandler } from './context.ts';

/** Which filesystem holds a container path: a bind mount or volume, or else the container's root. */
function holder(c: ContainerRecord, rootfs: string, path: string): { root: string; rel: string } {
  // the files the engine bind-mounts over the image's: the container sees these, not the image's
  for (const [dest, src] of [['/etc/resolv.conf', c.ResolvConfPath], ['/etc/hostname', c.HostnamePath], ['/etc/hosts', c.HostsPath]] as const) {
    if (path === dest && src) return { root: dirname(src), rel: `/${basename(src)}` };
  }
  let best: { root: string; rel: string } | null = null;
  let bestLen = -1;
  for (const m of c.Mounts) {
    if ((m.Type !== 'bind' && m.Type !== 'volume') || !m.Source) continue;
    const d = normalize(`/${m.Destination}`);
    if ((path === d || path.startsWith(`${d === '/' ? '' : d}/`)) && d.length > bestLen) {
      best = { root: m.Source, rel: path.slice(d.length) || '/' };
      bestLen = d.length;
    }
  }
  return best ?? { root: rootfs, rel: path };
}

/** The host path of a container path; its last element is followed only when asked. */
function hostPath(sys: Syscalls, c: ContainerRecord, rootfs: string, path: string, followLast: boolean): string {
  const clean = normalize(`/${path}`);
  const h = holder(c, rootfs, clean);
  if (followLast || h.rel === '/') return secureJoin(sys, h.root, h.rel);
  const parent = secureJoin(sys, h.root, dirname(h.rel));
  return `${parent === '/' ? '' : parent}/${basename(h.rel)}`;
}

function notFound(path: string, ref: string): NotFound {
  return new NotFound(`Could not find the file ${path} in container ${ref}`);
}

export const containerArchiveRoutes: RouteHandler = ({ sys, e, req, res, m, seg }) => {
  if (seg.length !== 3 || seg[2] !== 'archive') return NEXT;
  if (m !== 'HEAD' && m !== 'GET' && m !== 'PUT') return NEXT;
  const ref = seg[1]!;
  const c = e.get(ref);
  const path = req.query.get('path');
  if (!path) throw new InvalidParameter('path parameter is required');
  if (m === 'PUT') {
    e.withRootfs(c, (rootfs) => {
      const h = holder(c, rootfs, normalize(`/${path}`));
      if (c.HostConfig.ReadonlyRootfs && h.root === rootfs) throw new Forbidden('container rootfs is marked read-only');
      const dir = secureJoin(sys, h.root, h.rel);
      const st = sys.statOrNull(dir);
      if (!st) throw notFound(path, ref);
      if ((st.mode & S_IFMT) !== S_IFDIR) throw new InvalidParameter('extraction point is not a directory');
      const x = extractInto(sys, h.root, h.rel, {
        owner: req.query.bool('copyUIDGID') ? 'archive' : { uid: 0, gid: 0 },
        noOverwriteDirNonDir: req.query.bool('noOverwriteDirNonDir'),
      });
      try {
        if (isGzip(req.body)) gunzip(req.body, (chunk) => x.push(chunk));
        else x.push(req.body);
        x.finish();
      } catch (err) {
        if (err instanceof CopyError || (err as Error).name === 'TarError') throw new InvalidParameter((err as Error).message);
        throw err;
      }
    });
    e.events.emit('container', 'extract-to-dir', c.Id, { name: c.Name.replace(/^\//, '') });
    res.send(200);
    return;
  }
  e.withRootfs(c, (rootfs) => {
    const host = hostPath(sys, c, rootfs, path, assertsDirectory(path));
    const st = sys.lstatOrNull(host);
    if (!st) throw notFound(path, ref);
    const isLink = (st.mode & S_IFMT) === S_IFLNK;
    if (contentsOnly(path) && (st.mode & S_IFMT) !== S_IFDIR) throw new InvalidParameter('not a directory');
    let linkTarget = '';
    if (isLink) {
      const t = sys.readlink(host);
      linkTarget = t.startsWith('/') ? t : normalize(`${dirname(`/${path}`)}/${t}`);
    }
    // a directory's content is sent as "." entries, as moby does: the official client renames "."
    const name = contentsOnly(path) ? '.' : basename(`/${path}`);
    res.setHeader(PATH_STAT_HEADER, encodePathStat(pathStat(name || '/', st, linkTarget)));
    if (m === 'HEAD') {
      res.send(200);
      return;
    }
    res.stream(200, 'application/x-tar');
    // pathTar's chunks may be views of reused buffers: copy each before it is queued
    pathTar(sys, host, name, (chunk) => res.chunk(chunk.slice()));
    res.close();
    e.events.emit('container', 'archive-path', c.Id, { name: c.Name.replace(/^\//, '') });
  });
};
