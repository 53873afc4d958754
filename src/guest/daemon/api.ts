// The Docker Engine API over HTTP: versioned paths, the error kind -> status mapping, and the
// route table. Endpoints live in routes/, one module per object.

import { commitRoutes } from './routes/commit.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { errorText } from '../sys/errors.ts';
import { API_VERSION, ENGINE_VERSION } from '../api/engine-api.ts';
import type { Engine } from './engine.ts';
import type { Request, Response } from './http.ts';
import { Conflict, EngineError, Forbidden, InvalidParameter, NotFound, SystemError } from './errdefs.ts';
import { NEXT, type RouteHandler } from './routes/context.ts';
import { containerRoutes } from './routes/containers.ts';
import { execRoutes } from './routes/exec.ts';
import { imageRoutes } from './routes/images.ts';
import { volumeRoutes } from './routes/volumes.ts';
import { networkRoutes } from './routes/networks.ts';
import { buildRoutes } from './routes/build.ts';
import { systemRoutes } from './routes/system.ts';
import { eventRoutes } from './routes/events.ts';
import { tracer } from '../sys/trace.ts';

/**
 * The route table, by the path's first segment (after /vX.Y). A new object's endpoints are one
 * module in routes/ and one line here.
 */
const ROUTES = new Map<string, RouteHandler>([
  ['_ping', systemRoutes],
  ['version', systemRoutes],
  ['info', systemRoutes],
  ['system', systemRoutes],
  ['containers', containerRoutes],
  ['exec', execRoutes],
  ['images', imageRoutes],
  ['volumes', volumeRoutes],
  ['networks', networkRoutes],
  ['build', buildRoutes],
  ['events', eventRoutes],
  ['commit', commitRoutes],
]);

export function commonHeaders(): Record<string, string> {
  return { 'Api-Version': API_VERSION, 'Docker-Experimental': 'false', Ostype: 'linux', Server: `Docker/${ENGINE_VERSION} (linux)` };
}

/** The one place an engine error kind becomes an HTTP status. */
export function httpStatus(err: EngineError): number {
  if (err instanceof NotFound) return 404;
  if (err instanceof Forbidden) return 403;
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
    else res.error(500, errorText(err));
  };
  return (req: Request, res: Response): void => {
    // the app's engine chain view shows what reached the daemon (sys/trace.ts; free when off)
    tracer().mark(`api ${req.method} ${req.path}`);
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
  const seg = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const handler = ROUTES.get(seg[0] ?? '');
  const r = handler ? handler({ sys, e, info, req, res, m: req.method, path, seg, now: Date.now() }) : NEXT;
  if (r === NEXT) throw new NotFound('page not found');
  return r;
}
