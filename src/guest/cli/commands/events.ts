// docker events (moby's cli/command/system/events.go): the daemon's event stream, printed as
// Docker prints it, until --until or Ctrl-C.

import { utf8Decode } from '../../util/text.ts';
import { ApiResponseError } from '../client.ts';
import { renderTemplate } from '../format.ts';
import { filterQuery } from './network.ts';
import { f, CliError, type CommandTable } from './context.ts';

interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  time: number;
  timeNano: number;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * --since/--until as the API wants them ("seconds.nanoseconds"): a Go duration ("10m", "1h30m")
 * before now, a Unix timestamp, or an RFC 3339 date or time (the CLI's timetypes.GetTimestamp).
 */
export function apiTimestamp(value: string, nowMs: number): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    let ms = 0;
    for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNITS[m[2]!]!;
    return secondsString(nowMs - ms);
  }
  const withZone = /T.*(Z|[+-]\d\d:\d\d)$/.test(value) ? value : /T/.test(value) ? `${value}Z` : /^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00Z` : value;
  const t = Date.parse(withZone);
  if (Number.isNaN(t)) {
    // the docker CLI's words: without a "-" the value was neither a number nor a duration; with
    // one, Go's time.Parse against the date layout reports where it stopped
    if (!value.includes('-')) throw new CliError(`failed to parse value as time or duration: "${value}"`, 1);
    const year = /^\d{4}/.test(value);
    throw new CliError(year ? `parsing time "${value}": month out of range` : `parsing time "${value}" as "2006-01-02": cannot parse "${value}" as "2006"`, 1);
  }
  return secondsString(t);
}

function secondsString(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${s}.${String(Math.round((ms - s * 1000) * 1e6)).padStart(9, '0')}`;
}

/** 2024-05-01T10:00:00.123000000Z: RFC 3339 with nine fraction digits, as Docker prints event times. */
export function eventTime(e: EventMessage): string {
  const ms = e.timeNano ? Math.floor(e.timeNano / 1e6) : e.time * 1000;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${String(ms % 1000).padStart(3, '0')}000000Z`;
}

export function prettyEvent(e: EventMessage): string {
  const attrs = Object.entries(e.Actor.Attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${eventTime(e)} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs.length ? ` (${attrs.map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}\n`;
}

export const eventCommands: CommandTable = {
  events: {
    spec: {
      path: 'docker events', usage: '[OPTIONS]', description: 'Get real time events from the server', maxArgs: 0,
      flags: [f('filter', 'list', 'Filter output based on conditions provided', 'f'), f('format', 'string', 'Format output using a custom template'), f('since', 'string', 'Show all events created since timestamp'), f('until', 'string', 'Stream events until this timestamp')],
    },
    run: (c, p) => {
      const now = Date.now();
      const q: string[] = [];
      if (p.flags.string('since')) q.push(`since=${apiTimestamp(p.flags.string('since'), now)}`);
      if (p.flags.string('until')) q.push(`until=${apiTimestamp(p.flags.string('until'), now)}`);
      const fq = filterQuery(p.flags.list('filter'));
      if (fq) q.push(fq);
      const { conn, res } = c.client.open('GET', `/events${q.length ? `?${q.join('&')}` : ''}`, undefined, { Connection: 'close' });
      if (res.status >= 400) {
        let text = '';
        conn.readBody(res, (b) => (text += utf8Decode(b)));
        conn.close();
        let msg = text.trim();
        try {
          msg = (JSON.parse(text) as { message: string }).message;
        } catch {
          // plain text
        }
        throw new ApiResponseError(res.status, msg);
      }
      const format = p.flags.string('format');
      let pending = '';
      conn.readBody(res, (b) => {
        pending += utf8Decode(b);
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (!line.trim()) continue;
          const e = JSON.parse(line) as EventMessage;
          if (format === 'json') c.out(`${line}\n`);
          else if (format) c.out(renderTemplate(format, [e]));
          else c.out(prettyEvent(e));
        }
      });
      conn.close();
      return 0;
    },
  },
};
