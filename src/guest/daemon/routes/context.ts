// What every route module gets: the request split into method and path segments, the engine,
// and the small parsers the endpoints share (JSON body, filters, times).

import type { Syscalls } from '../../sys/syscalls.ts';
import { utf8Decode } from '../../util/text.ts';
import type { Engine } from '../engine.ts';
import type { Request, Response } from '../http.ts';
import { InvalidParameter } from '../errdefs.ts';

export interface RouteContext {
  sys: Syscalls;
  e: Engine;
  /** GET /info's answer, with GET /version's under "__version". */
  info: () => Record<string, unknown>;
  req: Request;
  res: Response;
  /** HTTP method. */
  m: string;
  /** The path without its /vX.Y prefix. */
  path: string;
  /** The path's segments, URL-decoded: /containers/abc/json -> ["containers", "abc", "json"]. */
  seg: string[];
  /** Milliseconds since the epoch, one reading per request. */
  now: number;
}

/** A route module's answer when the request is not one of its endpoints (the router answers 404). */
export const NEXT = Symbol('next route');

/**
 * Handles a request or returns NEXT. Synchronous; a promise only for waits, and one that never
 * rejects (see makeHandler in api.ts).
 */
export type RouteHandler = (ctx: RouteContext) => void | Promise<void> | typeof NEXT;

export function unix(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

export function body<T>(req: Request): T {
  if (req.body.length === 0) return {} as T;
  let v: unknown;
  try {
    v = JSON.parse(utf8Decode(req.body));
  } catch {
    throw new InvalidParameter('invalid JSON in request body');
  }
  // every endpoint takes an object; null decodes to the empty one, as Go's decoder does
  if (v === null) return {} as T;
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidParameter(`invalid JSON in request body: expected an object, got ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}`);
  return v as T;
}

/** The filters query parameter: {"status":["exited"]} or the old {"status":{"exited":true}}. */
export function filters(req: Request): Record<string, string[]> {
  const raw = req.query.get('filters');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidParameter(`invalid filter: ${raw}`);
  }
  if (parsed === null) return {};
  const bad = (): InvalidParameter => new InvalidParameter(`invalid filter: ${raw}`);
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw bad();
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v as string[];
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'boolean')) {
      out[k] = Object.keys(v).filter((x) => (v as Record<string, boolean>)[x]);
    } else throw bad();
  }
  return out;
}

/** The bytes under a directory (volume sizes). */
export function sizeOf(sys: Syscalls, p: string): number {
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
