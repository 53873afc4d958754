// dockerd's event stream (GET /events, `docker events`): what happened to containers, images,
// volumes and networks, as the Engine API's event messages. Recent events are kept in memory so
// `--since` can replay them; subscribers get new ones as they are emitted. The page's port
// preview follows this stream to learn of published ports.

import type { ContainerRecord } from './model.ts';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon';

export interface EventMessage {
  /** Deprecated fields the API still sends for containers and images (the official client reads them). */
  status?: string;
  id?: string;
  from?: string;
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

/** How many past events `--since` can reach (Docker keeps 256). */
const KEEP = 256;

export type EventFilters = Record<string, string[]>;

export class InvalidFilterError extends Error {}

const FILTER_KEYS = ['container', 'event', 'image', 'label', 'network', 'type', 'volume', 'daemon', 'scope'];

export function validateFilters(f: EventFilters): void {
  for (const k of Object.keys(f)) if (!FILTER_KEYS.includes(k)) throw new InvalidFilterError(`invalid filter '${k}'`);
  for (const t of f['type'] ?? []) {
    if (!['container', 'image', 'volume', 'network', 'daemon', 'plugin', 'node', 'service', 'secret', 'config'].includes(t)) throw new InvalidFilterError(`invalid filter 'type=${t}'`);
  }
}

/** Docker's filter semantics: values of one key are OR'ed, keys are AND'ed. */
export function matches(e: EventMessage, f: EventFilters): boolean {
  const any = (key: string, pred: (v: string) => boolean): boolean => !f[key] || f[key]!.length === 0 || f[key]!.some(pred);
  const name = e.Actor.Attributes['name'] ?? '';
  // an action filter matches "exec_start" for "exec_start: sh" as Docker's does
  const action = e.Action.split(':')[0]!;
  return (
    any('type', (v) => v === e.Type) &&
    any('event', (v) => v === e.Action || v === action) &&
    any('container', (v) => e.Type === 'container' && (e.Actor.ID.startsWith(v) || name === v)) &&
    any('image', (v) => (e.Type === 'image' && (e.Actor.ID === v || name === v)) || e.Actor.Attributes['image'] === v || e.from === v) &&
    any('network', (v) => e.Type === 'network' && (e.Actor.ID.startsWith(v) || name === v)) &&
    any('volume', (v) => e.Type === 'volume' && e.Actor.ID === v) &&
    any('label', (v) => {
      const i = v.indexOf('=');
      return i < 0 ? v in e.Actor.Attributes : e.Actor.Attributes[v.slice(0, i)] === v.slice(i + 1);
    }) &&
    any('scope', (v) => v === 'local')
  );
}

export class Events {
  private recent: EventMessage[] = [];
  private subs = new Set<(e: EventMessage) => void>();

  constructor(private now: () => number) {}

  emit(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EventMessage {
    const ms = this.now();
    const e: EventMessage = {
      ...(type === 'container' || type === 'image' ? { status: action, id, ...(attributes['image'] ? { from: attributes['image'] } : {}) } : {}),
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Math.floor(ms / 1000),
      // milliseconds are all the clock has; the rest of the nanoseconds are zero
      timeNano: ms * 1e6,
    };
    this.recent.push(e);
    if (this.recent.length > KEEP) this.recent.shift();
    for (const s of [...this.subs]) s(e);
    return e;
  }

  /** A container event with Docker's attributes (its labels, image, name, and extra ones). */
  container(c: ContainerRecord, action: string, extra: Record<string, string> = {}): EventMessage {
    return this.emit('container', action, c.Id, { ...c.Config.Labels, image: c.ImageName, name: c.Name.replace(/^\//, ''), ...extra });
  }

  /** Past events in [sinceNs, untilNs], for a replay. */
  since(sinceNs: number, untilNs: number): EventMessage[] {
    return this.recent.filter((e) => e.timeNano >= sinceNs && e.timeNano <= untilNs);
  }

  subscribe(fn: (e: EventMessage) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
}

/**
 * A since/until value as the API takes it (the CLI converts durations and dates first): Unix
 * seconds with an optional fraction ("1700000000.5"). Returns nanoseconds.
 */
export function parseApiTime(v: string): number {
  if (!/^\d+(\.\d{1,9})?$/.test(v)) throw new InvalidFilterError(`invalid timestamp: ${v}`);
  const [s, frac = ''] = v.split('.');
  return Number(s) * 1e9 + Number(frac.padEnd(9, '0'));
}
