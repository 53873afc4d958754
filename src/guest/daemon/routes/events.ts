// GET /events: past events (since) then new ones as they happen, one JSON object per line in a
// chunked response, until `until` or until the client goes away.

import { InvalidParameter } from '../errdefs.ts';
import { InvalidFilterError, matches, parseApiTime, validateFilters, type EventMessage } from '../events.ts';
import { filters, NEXT, type RouteHandler } from './context.ts';

export const eventRoutes: RouteHandler = ({ sys, e, req, res, m, path, now }) => {
  if (m !== 'GET' || path !== '/events') return NEXT;
  let f: Record<string, string[]>;
  let since: number | null = null;
  let until: number | null = null;
  try {
    f = filters(req);
    validateFilters(f);
    const s = req.query.get('since');
    const u = req.query.get('until');
    if (s) since = parseApiTime(s);
    if (u) until = parseApiTime(u);
  } catch (err) {
    if (err instanceof InvalidFilterError || err instanceof SyntaxError) throw new InvalidParameter(err.message);
    throw err;
  }
  if (since !== null && until !== null && until < since) throw new InvalidParameter(`since time (${req.query.get('since')}) cannot be after until time (${req.query.get('until')})`);
  const nowNs = now * 1e6;
  res.stream(200, 'application/json');
  const send = (ev: EventMessage): void => {
    if (matches(ev, f)) res.chunk(`${JSON.stringify(ev)}\n`);
  };
  if (since !== null) for (const ev of e.events.since(since, until ?? nowNs)) send(ev);
  if (until !== null && until <= nowNs) {
    res.close();
    return;
  }
  let timer: unknown = null;
  const unsubscribe = e.events.subscribe((ev) => {
    if (res.conn.closed) return;
    if (until !== null && ev.timeNano > until) return;
    send(ev);
  });
  const finish = (): void => {
    unsubscribe();
    if (timer !== null) sys.clearTimer(timer);
    timer = null;
  };
  res.conn.onClose.push(finish);
  if (until !== null) {
    timer = sys.setTimer(Math.max(0, Math.ceil((until - nowNs) / 1e6)), () => {
      timer = null;
      finish();
      if (!res.conn.closed) res.close();
    });
  }
};
