// /containers/...: list, create, prune, inspect, start/stop/restart/kill/wait, remove, logs,
// attach, resize, top, stats, exec creation; docker cp's archive endpoints in container-archive.ts.

import { apiPorts } from '../../net/ports.ts';
import type { Syscalls } from '../../sys/syscalls.ts';
import { utf8Encode } from '../../util/text.ts';
import { frame } from '../../api/engine-api.ts';
import type { Engine } from '../engine.ts';
import { statusText } from '../containers.ts';
import { Conflict, InvalidParameter, NotFound } from '../errdefs.ts';
import type { ExecConfig } from '../exec.ts';
import type { Request, Response } from '../http.ts';
import type { ContainerRecord } from '../model.ts';
import { containerPids, psEf, sampleStats, statsJson } from '../procinfo.ts';
import { shimRequest } from '../shimconn.ts';
import { containerArchiveRoutes } from './container-archive.ts';
import { body, filters, NEXT, unix, type RouteHandler } from './context.ts';

export const containerRoutes: RouteHandler = (ctx) => {
  if (containerArchiveRoutes(ctx) !== NEXT) return;
  const { sys, e, req, res, m, seg, now } = ctx;
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
  if (m === 'POST' && action === 'rename') {
    e.rename(id, req.query.get('name') ?? '');
    res.send(204);
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
  return NEXT;
};

function commandOf(c: ContainerRecord): string {
  return [c.Path, ...c.Args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
}

export function containerSummary(e: Engine, c: ContainerRecord, now: number): Record<string, unknown> {
  return {
    Id: c.Id,
    Names: [c.Name],
    Image: c.ImageName,
    ImageID: c.Image,
    Command: commandOf(c),
    Created: unix(c.Created),
    Ports: c.State.Running ? apiPorts(c.NetworkSettings.Ports ?? {}) : [],
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
