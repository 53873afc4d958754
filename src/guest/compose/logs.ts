// Service logs as Compose prints them: each line behind its container's coloured `db-1  | `
// prefix, several containers at once. Following reads every container's log stream together on
// the event loop (one connection each) until all end or Ctrl-C; without -f they print in turn.

import type { Syscalls } from '../sys/syscalls.ts';
import { SIGINT, SIGTERM } from '../sys/constants.ts';
import { readSome, writeAll } from '../sys/io.ts';
import { ApiResponseError, type Client, type Connection, type HttpResponse } from '../cli/client.ts';
import { Demuxer } from '../api/engine-api.ts';
import { utf8Decode } from '../util/text.ts';

export interface LogSource {
  /** What the prefix shows: "db-1". */
  name: string;
  id: string;
  tty: boolean;
}

export interface LogOptions {
  follow: boolean;
  tail: string;
  timestamps: boolean;
  prefix: boolean;
  color: boolean;
  /** Called when a followed container's stream ends (it exited). */
  onEnd?: (s: LogSource) => void;
  /** Stop following at the first stream that ends (up --abort-on-container-exit). */
  stopAtFirstEnd?: boolean;
}

// Compose's rotation: the bright colours, then the plain ones
const COLORS = ['36', '33', '32', '35', '34', '96', '93', '92', '95', '94'];

export class Prefixer {
  private width: number;
  private colors = new Map<string, string>();
  constructor(
    names: string[],
    private color: boolean,
    private prefix: boolean,
  ) {
    this.width = Math.max(0, ...names.map((n) => n.length));
    names.forEach((n, i) => this.colors.set(n, COLORS[i % COLORS.length]!));
  }
  head(name: string): string {
    if (!this.prefix) return '';
    const p = `${name.padEnd(this.width)}  | `;
    return this.color ? `\x1b[${this.colors.get(name) ?? '0'}m${p}\x1b[0m` : p;
  }
  /** `db-1 exited with code 0` */
  colored(name: string, text: string): string {
    return this.color ? `\x1b[${this.colors.get(name) ?? '0'}m${name}\x1b[0m ${text}` : `${name} ${text}`;
  }
}

/** Decodes an HTTP chunked body pushed in pieces. */
export class Dechunker {
  private buf = new Uint8Array(0);
  /** Bytes left in the current chunk; -1 while reading a size line; -2 before a chunk's CRLF. */
  private left = -1;
  done = false;
  constructor(private onData: (b: Uint8Array) => void) {}
  push(b: Uint8Array): void {
    const nb = new Uint8Array(this.buf.length + b.length);
    nb.set(this.buf);
    nb.set(b, this.buf.length);
    this.buf = nb;
    while (!this.done) {
      if (this.left === -1) {
        const nl = this.buf.indexOf(10);
        if (nl < 0) return;
        const size = parseInt(utf8Decode(this.buf, 0, nl).trim(), 16);
        this.buf = this.buf.slice(nl + 1);
        if (!(size > 0)) {
          this.done = true;
          return;
        }
        this.left = size;
      }
      if (this.left > 0) {
        if (this.buf.length === 0) return;
        const take = Math.min(this.left, this.buf.length);
        this.onData(this.buf.slice(0, take));
        this.buf = this.buf.slice(take);
        this.left -= take;
        if (this.left > 0) return;
        this.left = -2;
      }
      if (this.left === -2) {
        if (this.buf.length < 2) return;
        this.buf = this.buf.slice(2);
        this.left = -1;
      }
    }
  }
}

/** Turns a container's log bytes into prefixed lines on our stdout/stderr. */
function lineWriter(sys: Syscalls, src: LogSource, pre: Prefixer): { data: (b: Uint8Array) => void; flush: () => void } {
  const pending: Record<1 | 2, string> = { 1: '', 2: '' };
  const emit = (fd: 1 | 2, text: string): void => {
    pending[fd] += text;
    const lines = pending[fd].split('\n');
    pending[fd] = lines.pop() ?? '';
    if (lines.length) writeAll(sys, fd, lines.map((l) => `${pre.head(src.name)}${l.replace(/\r$/, '')}\n`).join(''));
  };
  const demux = new Demuxer((stream, data) => emit(stream === 2 ? 2 : 1, utf8Decode(data)));
  return {
    data: (b) => (src.tty ? emit(1, utf8Decode(b)) : demux.push(b)),
    flush: () => {
      for (const fd of [1, 2] as const) if (pending[fd]) writeAll(sys, fd, `${pre.head(src.name)}${pending[fd]}\n`);
      pending[1] = pending[2] = '';
    },
  };
}

function openLogs(client: Client, src: LogSource, o: LogOptions): { conn: Connection; res: HttpResponse } {
  const q = `stdout=1&stderr=1&follow=${o.follow ? 1 : 0}&tail=${encodeURIComponent(o.tail)}&timestamps=${o.timestamps ? 1 : 0}`;
  const r = client.open('GET', `/containers/${encodeURIComponent(src.id)}/logs?${q}`, undefined, { Connection: 'close' });
  if (r.res.status >= 400) {
    let text = '';
    r.conn.readBody(r.res, (b) => (text += utf8Decode(b)));
    r.conn.close();
    let msg = text.trim();
    try {
      msg = (JSON.parse(text) as { message: string }).message;
    } catch {
      // plain text
    }
    throw new ApiResponseError(r.res.status, msg);
  }
  return r;
}

/** Prints logs without following: each container's in turn. */
export function printLogs(sys: Syscalls, client: Client, sources: LogSource[], pre: Prefixer, o: LogOptions): void {
  for (const src of sources) {
    const { conn, res } = openLogs(client, src, { ...o, follow: false });
    const w = lineWriter(sys, src, pre);
    conn.readBody(res, w.data);
    conn.close();
    w.flush();
  }
}

/**
 * Follows every source until all have ended ('ended') or Ctrl-C / SIGTERM ('interrupted').
 * Never rejects (QuickJS ends the process on an unhandled rejection).
 */
export function followLogs(sys: Syscalls, client: Client, sources: LogSource[], pre: Prefixer, o: LogOptions): Promise<'ended' | 'interrupted'> {
  return new Promise((resolve) => {
    let open = 0;
    let finished = false;
    const conns: Connection[] = [];
    const finish = (how: 'ended' | 'interrupted'): void => {
      if (finished) return;
      finished = true;
      for (const c of conns) {
        sys.watch(c.fd, 'read', null);
        c.close();
      }
      for (const s of [SIGINT, SIGTERM]) sys.onSignal(s, null);
      resolve(how);
    };
    for (const src of sources) {
      let r: { conn: Connection; res: HttpResponse };
      try {
        r = openLogs(client, src, { ...o, follow: true });
      } catch {
        continue;
      }
      const { conn, res } = r;
      conns.push(conn);
      open++;
      const w = lineWriter(sys, src, pre);
      const chunked = res.headers['transfer-encoding']?.toLowerCase() === 'chunked';
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        sys.watch(conn.fd, 'read', null);
        w.flush();
        o.onEnd?.(src);
        if (--open === 0 || o.stopAtFirstEnd) finish('ended');
      };
      const body = chunked ? new Dechunker(w.data) : null;
      const feed = (b: Uint8Array): void => {
        if (body) {
          body.push(b);
          if (body.done) end();
        } else w.data(b);
      };
      const early = conn.takeBuffered();
      if (early.length) feed(early);
      if (ended) continue;
      const buf = new Uint8Array(65536);
      sys.watch(conn.fd, 'read', () => {
        const n = readSome(sys, conn.fd, buf);
        if (n === null) return;
        if (n === 0) end();
        else feed(buf.subarray(0, n));
      });
    }
    if (open === 0) {
      finish('ended');
      return;
    }
    for (const s of [SIGINT, SIGTERM]) sys.onSignal(s, () => finish('interrupted'));
  });
}
