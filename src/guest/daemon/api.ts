// The Docker Engine API over HTTP: versioned paths, /_ping, and the container, image, volume and
// system endpoints in the JSON shapes the official client expects.

import type { Syscalls } from '../sys/syscalls.ts';
import { API_VERSION, ENGINE_VERSION, frame } from '../api/engine-api.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';
import { Engine } from './engine.ts';
import { statusText } from './containers.ts';
import { Conflict, EngineError, InvalidParameter, NotFound, SystemError } from './errdefs.ts';
import type { Request, Response } from './http.ts';
import { parseRef } from '../images/reference.ts';
import type { ContainerRecord } from './model.ts';
import type { ExecConfig } from './exec.ts';
import { shimRequest } from './shimconn.ts';
import { containerPids, psEf, sampleStats, statsJson } from './procinfo.ts';



export function commonHeaders(): Record<string, string> {
  return { 'Api-Version': API_VERSION, 'Docker-Experimental': 'false', Ostype: 'linux', Server: `Docker/${ENGINE_VERSION} (linux)` };
}

function unix(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function body<T>(req: Request): T {
  if (req.body.length === 0) return {} as T;
  try {
    return JSON.parse(utf8Decode(req.body)) as T;
  } catch {
    throw new InvalidParameter('invalid JSON in request body');
  }
}

function commandOf(c: ContainerRecord): string {
  return [c.Path, ...c.Args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
}

/** The filters query parameter: {"status":["exited"]} or the old {"status":{"exited":true}}. */
function filters(req: Request): Record<string, string[]> {
  const raw = req.query.get('filters');
  if (!raw) return {};
  const parsed = JSON.parse(raw) as Record<string, string[] | Record<string, boolean>>;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = Array.isArray(v) ? v : Object.keys(v).filter((x) => v[x]);
  return out;
}

export function containerSummary(e: Engine, c: ContainerRecord, now: number): Record<string, unknown> {
  return {
    Id: c.Id,
    Names: [c.Name],
    Image: c.ImageName,
    ImageID: c.Image,
    Command: commandOf(c),
    Created: unix(c.Created),
    Ports: [],
    Labels: c.Config.Labels,
    State: c.State.Status,
    Status: statusText(c.State, now),
    HostConfig: { NetworkMode: c.HostConfig.NetworkMode },
    NetworkSettings: { Networks: c.NetworkSettings.Networks },
    Mounts: c.Mounts,
    SizeRw: undefined,
  };
  void e;
}

export function containerInspect(c: ContainerRecord, execIds: string[] | null = null): Record<string, unknown> {
  const { ShimPid: _s, ImageName: _i, HasBeenManuallyStopped: _m, ...rest } = c;
  void _s;
  void _i;
  void _m;
  return { ...rest, GraphDriver: { Name: 'overlay2', Data: null }, ExecIDs: execIds, SizeRw: undefined };
}

function imageSummary(e: Engine, id: string): Record<string, unknown> {
  const img = e.images.get(id);
  return {
    Id: img.id,
    ParentId: '',
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
    Parent: '',
    Comment: '',
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

/** The one place an engine error kind becomes an HTTP status. */
export function httpStatus(err: EngineError): number {
  if (err instanceof NotFound) return 404;
  if (err instanceof InvalidParameter) return 400;
  if (err instanceof Conflict) return 409;
  if (err instanceof SystemError) return 500;
  return 500;
}

/**
 * Route handlers are synchronous and return a promise only for waits (stop, wait), and those
 * promises never reject: QuickJS's std loop ends the process on a rejection that has no handler
 * at the moment it happens, which is what an async function that throws produces.
 */
export function makeHandler(sys: Syscalls, e: Engine, info: () => Record<string, unknown>) {
  const fail = (res: Response, err: unknown): void => {
    if (res.isStarted) return;
    if (err instanceof EngineError) res.error(httpStatus(err), err.message);
    else res.error(500, err instanceof Error ? err.message : String(err));
  };
  return (req: Request, res: Response): void => {
    try {
      const r = route(sys, e, info, req, res);
      if (r) r.then(undefined, (err: unknown) => fail(res, err));
    } catch (err) {
      fail(res, err);
    }
  };
}

function route(sys: Syscalls, e: Engine, info: () => Record<string, unknown>, req: Request, res: Response): void | Promise<void> {
  let path = req.path;
  const vm = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  if (vm) {
    const [maj, min] = vm[1]!.split('.').map(Number) as [number, number];
    const [smaj, smin] = API_VERSION.split('.').map(Number) as [number, number];
    if (maj > smaj || (maj === smaj && min > smin)) {
      res.error(400, `client version ${vm[1]} is too new. Maximum supported API version is ${API_VERSION}`);
      return;
    }
    path = vm[2]!;
  }
  const m = req.method;
  const seg = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const now = Date.now();

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

  // ---- containers ----
  if (seg[0] === 'containers') {
    if (m === 'GET' && seg[1] === 'json' && seg.length === 2) {
      const f = filters(req);
      let list = e.all();
      if (!req.query.bool('all') && !f['status']) list = list.filter((c) => c.State.Running);
      if (f['status']) list = list.filter((c) => f['status']!.includes(c.State.Status));
      if (f['name']) list = list.filter((c) => f['name']!.some((n) => c.Name.includes(n)));
      if (f['id']) list = list.filter((c) => f['id']!.some((n) => c.Id.startsWith(n)));
      const limit = Number(req.query.get('limit') ?? -1);
      if (limit > 0) list = list.slice(0, limit);
      const size = req.query.bool('size');
      res.json(200, list.map((c) => ({ ...containerSummary(e, c, now), ...(size ? { SizeRw: e.containerSize(c) } : {}) })));
      return;
    }
    if (m === 'POST' && seg[1] === 'create') {
      const c = e.create(req.query.get('name'), body(req));
      res.json(201, { Id: c.Id, Warnings: [] });
      return;
    }
    if (m === 'POST' && seg[1] === 'prune') {
      const deleted: string[] = [];
      let space = 0;
      for (const c of e.all()) {
        if (c.State.Running) continue;
        space += e.containerSize(c);
        e.remove(c.Id, false, false);
        deleted.push(c.Id);
      }
      res.json(200, { ContainersDeleted: deleted, SpaceReclaimed: space });
      return;
    }
    const id = seg[1];
    if (!id) throw new NotFound('page not found');
    const action = seg[2];
    if (m === 'GET' && action === 'json') {
      const c = e.get(id);
      res.json(200, { ...containerInspect(c, e.execs.idsOf(c.Id)), ...(req.query.bool('size') ? { SizeRw: e.containerSize(c) } : {}) });
      return;
    }
    if (m === 'POST' && action === 'start') {
      e.clearManualStop(id);
      const r = e.start(id);
      res.send(r === 'already' ? 304 : 204);
      return;
    }
    if (m === 'POST' && (action === 'stop' || action === 'restart')) {
      const t = req.query.get('t') ?? req.query.get('timeout');
      return e.stop(id, t === null ? null : Number(t), req.query.get('signal')).then((r) => {
        if (action === 'restart') {
          e.clearManualStop(id);
          e.start(id);
          res.send(204);
          return;
        }
        res.send(r === 'already' ? 304 : 204);
      });
    }
    if (m === 'POST' && action === 'kill') {
      e.kill(id, req.query.get('signal'));
      res.send(204);
      return;
    }
    if (m === 'POST' && action === 'wait') {
      const c = e.get(id);
      const cond = req.query.get('condition') ?? 'not-running';
      // headers now, body at exit: the client starts the container in between
      const waiting = e.waitExit(c.Id, cond);
      res.stream(200, 'application/json');
      return waiting.then((done) => {
        res.chunk(JSON.stringify({ StatusCode: done.State.ExitCode, Error: done.State.Error ? { Message: done.State.Error } : null }) + '\n');
        res.close();
      });
    }
    if (m === 'DELETE' && seg.length === 2) {
      e.remove(id, req.query.bool('force'), req.query.bool('v'));
      res.send(204);
      return;
    }
    if (m === 'GET' && action === 'logs') {
      logs(sys, e, e.get(id), req, res);
      return;
    }
    if (m === 'POST' && action === 'attach') {
      const c = e.get(id);
      const replay = req.query.bool('logs') ? (write: (stream: 1 | 2, text: string) => void) => {
        for (const en of e.logs(c)) write(en.stream === 'stderr' ? 2 : 1, en.log);
      } : null;
      e.attachments.attach(c, e.shimSocket(c.Id), req, res, replay);
      return;
    }
    if (m === 'POST' && action === 'resize') {
      const c = e.get(id);
      if (!c.State.Running) throw new Conflict(`Container ${c.Id} is not running`);
      const [h, w] = [Number(req.query.get('h') ?? 0), Number(req.query.get('w') ?? 0)];
      try {
        shimRequest(sys, e.shimSocket(c.Id), { op: 'resize', h, w });
      } catch {
        // the container ended in between
      }
      res.send(200);
      return;
    }
    if (m === 'GET' && action === 'top') {
      const c = e.get(id);
      if (!c.State.Running) throw new Conflict(`container ${c.Id} is not running`);
      res.json(200, psEf(sys, containerPids(sys, c.Id, c.State.Pid)));
      return;
    }
    if (m === 'GET' && action === 'stats') {
      const c = e.get(id);
      const name = c.Name;
      const stream = req.query.get('stream') === null || req.query.bool('stream');
      const oneShot = req.query.bool('one-shot');
      if (!c.State.Running) {
        // Docker answers a stopped container with an empty reading
        const zero = { read: '0001-01-01T00:00:00Z', cpuUsageNs: 0, systemNs: 0, onlineCpus: 0, memUsage: 0, memLimit: 0, memStats: {}, networks: {}, blkRead: 0, blkWrite: 0, pids: 0 };
        res.json(200, statsJson(c.Id, name, null, zero));
        return;
      }
      let pre = oneShot ? null : sampleStats(sys, c.Id, c.State.Pid);
      if (!stream) {
        if (oneShot) {
          res.json(200, statsJson(c.Id, name, null, sampleStats(sys, c.Id, c.State.Pid)));
          return;
        }
        // two readings a second apart, so the client can work out CPU %
        return new Promise<void>((resolve) => {
          sys.setTimer(1000, () => {
            try {
              res.json(200, statsJson(c.Id, name, pre, c.State.Running ? sampleStats(sys, c.Id, c.State.Pid) : pre!));
            } catch (err) {
              res.error(500, (err as Error).message);
            }
            resolve();
          });
        });
      }
      res.stream(200, 'application/json');
      const tick = (): void => {
        if (res.conn.closed) return;
        if (!c.State.Running) {
          res.close();
          return;
        }
        const cur = sampleStats(sys, c.Id, c.State.Pid);
        res.chunk(JSON.stringify(statsJson(c.Id, name, pre, cur)) + '\n');
        pre = cur;
        sys.setTimer(1000, tick);
      };
      sys.setTimer(1000, tick);
      return;
    }
    if (m === 'POST' && action === 'exec') {
      const c = e.get(id);
      const r = e.execs.create(c, body<ExecConfig>(req));
      res.json(201, { Id: r.ID });
      return;
    }
  }

  // ---- exec instances ----
  if (seg[0] === 'exec' && seg[1]) {
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
  }

  // ---- images ----
  if (seg[0] === 'images') {
    if (m === 'GET' && seg[1] === 'json' && seg.length === 2) {
      const ids = e.images.ids();
      const list = ids.map((i) => imageSummary(e, i)).sort((a, b) => (b['Created'] as number) - (a['Created'] as number));
      const all = req.query.bool('all');
      res.json(200, all ? list : list.filter((i) => (i['RepoTags'] as string[]).length > 0 || (i['RepoDigests'] as string[]).length > 0));
      return;
    }
    if (m === 'POST' && seg[1] === 'create') {
      const from = req.query.get('fromImage');
      if (!from) throw new InvalidParameter('fromImage is required (no image import)');
      res.stream(200, 'application/json');
      try {
        e.pull(from, req.query.get('tag') ?? '', (ev) => res.chunk(JSON.stringify(ev) + '\r\n'));
      } catch (err) {
        res.chunk(JSON.stringify({ errorDetail: { message: (err as Error).message }, error: (err as Error).message }) + '\r\n');
      }
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
      res.json(200, hist.map((h, i) => ({
        Id: i === 0 ? img.id : '<missing>',
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
  }

  // ---- volumes ----
  if (seg[0] === 'volumes') {
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
  }
  if (m === 'GET' && path === '/system/df') {
    // shared sizes are known here (no layer is shared between our images' own sizes)
    const images = e.images.ids().map((i) => imageSummary(e, i)).map((i): Record<string, unknown> => ({ ...i, SharedSize: 0, VirtualSize: i['Size'] }));
    const containers = e.all().map((c) => ({ ...containerSummary(e, c, now), SizeRw: e.containerSize(c), SizeRootFs: 0 }));
    const volumes = e.volumes().map((v) => ({ ...v, UsageData: { Size: sizeOf(sys, v.Mountpoint), RefCount: e.volumeUsers(v.Name).length } }));
    res.json(200, { LayersSize: images.reduce((n, i) => n + (i['Size'] as number), 0), Images: images, Containers: containers, Volumes: volumes, BuildCache: [] });
    return;
  }
  if (m === 'POST' && (path === '/networks/prune')) {
    res.json(200, { NetworksDeleted: [] });
    return;
  }
  if (m === 'POST' && path === '/build/prune') {
    res.json(200, { CachesDeleted: [], SpaceReclaimed: 0 });
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
  throw new NotFound('page not found');
}

function sizeOf(sys: Syscalls, p: string): number {
  let total = 0;
  try {
    for (const ent of sys.readdir(p)) {
      if (ent.name === '.' || ent.name === '..') continue;
      const full = `${p}/${ent.name}`;
      if (ent.type === 'dir') total += sizeOf(sys, full);
      else total += sys.lstat(full).size;
    }
  } catch {
    // gone
  }
  return total;
}

function logs(sys: Syscalls, e: Engine, c: ContainerRecord, req: Request, res: Response): void {
  const wantOut = req.query.bool('stdout');
  const wantErr = req.query.bool('stderr');
  if (!wantOut && !wantErr) throw new InvalidParameter('Bad parameters: you must choose at least one stream');
  const tailQ = req.query.get('tail') ?? 'all';
  const timestamps = req.query.bool('timestamps');
  const follow = req.query.bool('follow');
  const tty = c.Config.Tty;
  res.stream(200, tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
  const emit = (entries: { log: string; stream: string; time: string }[]): void => {
    for (const en of entries) {
      if (en.stream === 'stdout' ? !wantOut : !wantErr) continue;
      const text = utf8Encode((timestamps ? `${en.time} ` : '') + en.log);
      res.chunk(tty ? text : frame(en.stream === 'stderr' ? 2 : 1, text));
    }
  };
  let { entries, next } = e.readLogFrom(c, 0);
  if (tailQ !== 'all' && /^\d+$/.test(tailQ)) entries = entries.slice(Math.max(0, entries.length - Number(tailQ)));
  emit(entries);
  if (!follow || !c.State.Running) {
    res.close();
    return;
  }
  let finished = false;
  const tick = (): void => {
    if (res.conn.closed) return;
    const r = e.readLogFrom(c, next);
    next = r.next;
    emit(r.entries);
    if (finished) {
      res.close();
      return;
    }
    sys.setTimer(100, tick);
  };
  e.onExit(c.Id, () => {
    finished = true;
  });
  sys.setTimer(100, tick);
}
