// POST /containers/ID/attach: Docker's hijacked connection (101 UPGRADED, then raw bytes both
// ways) relayed to the container's shim. With a terminal the output is raw and the detach keys
// (ctrl-p,ctrl-q by default) end the attach; without one it is multiplexed in 8-byte-header
// frames. Attaches made before the container starts (docker run, start -a) wait here and are
// connected by start() before the container is released, so no output is missed.

import type { Syscalls } from '../sys/syscalls.ts';
import { utf8Encode } from '../util/text.ts';
import { DEFAULT_DETACH_KEYS, DetachWatcher, FrameType, parseDetachKeys } from '../shim/proto.ts';
import type { Conn, Request, Response } from './http.ts';
import { ShimStream } from './shimconn.ts';
import type { ContainerRecord } from './model.ts';
import { frame } from '../api/engine-api.ts';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys: number[];
}

interface Pending {
  conn: Conn;
  opts: AttachOptions;
  tty: boolean;
  /** Stdin the client sent before the start, and whether its input already ended. */
  early: Uint8Array[];
  eof: boolean;
}

/** Replays the json-file log (attach with logs=1). */
export type LogReplay = (write: (stream: 1 | 2, text: string) => void) => void;

export class Attachments {
  private pending = new Map<string, Pending[]>();
  constructor(private sys: Syscalls) {}

  /** Hijacks the connection and attaches now (running) or at the next start. */
  attach(c: ContainerRecord, socket: string, req: Request, res: Response, replay: LogReplay | null): void {
    let keys: number[];
    try {
      keys = parseDetachKeys(req.query.get('detachKeys') ?? DEFAULT_DETACH_KEYS);
    } catch (e) {
      res.error(400, (e as Error).message);
      return;
    }
    const tty = c.Config.Tty;
    const opts: AttachOptions = {
      stdin: req.query.bool('stdin') && c.Config.OpenStdin,
      stdout: req.query.bool('stdout'),
      stderr: req.query.bool('stderr'),
      detachKeys: keys,
    };
    res.hijack(tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    const conn = res.conn;
    if (replay) {
      replay((stream, text) => {
        if (stream === 1 ? !opts.stdout : !opts.stderr) return;
        const b = utf8Encode(text);
        conn.write(tty ? b : frame(stream, b));
      });
    }
    if (c.State.Running) {
      this.connect(conn, opts, tty, socket);
      return;
    }
    const list = this.pending.get(c.Id) ?? [];
    const p: Pending = { conn, opts, tty, early: [], eof: false };
    list.push(p);
    this.pending.set(c.Id, list);
    conn.onClose.push(() => {
      const l = this.pending.get(c.Id);
      if (l) this.pending.set(c.Id, l.filter((x) => x !== p));
    });
    // stdin sent before the start (docker run -i with piped input) is kept for it
    conn.onData = (b) => p.early.push(b);
    conn.onEof = () => {
      p.eof = true;
    };
  }

  /** Called by start() once the shim created the container and before it is released. */
  connectPending(id: string, socket: string): void {
    const list = this.pending.get(id) ?? [];
    this.pending.delete(id);
    for (const p of list) {
      if (p.conn.closed) continue;
      this.connect(p.conn, p.opts, p.tty, socket);
      for (const b of p.early) p.conn.onData?.(b);
      if (p.eof) p.conn.onEof?.();
    }
  }

  /** The container is gone (removed, or its start failed): end waiting attaches. */
  dropPending(id: string): void {
    const list = this.pending.get(id) ?? [];
    this.pending.delete(id);
    for (const p of list) p.conn.end();
  }

  private connect(conn: Conn, opts: AttachOptions, tty: boolean, socket: string): ShimStream | null {
    let stream: ShimStream;
    try {
      stream = ShimStream.open(this.sys, socket, { op: 'attach', stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr }, {
        onFrame: (type, payload) => {
          if (type !== FrameType.Stdout && type !== FrameType.Stderr) return;
          conn.write(tty ? payload : frame(type, payload));
        },
        onEnd: () => conn.end(),
      });
    } catch {
      // the shim is gone: the container ended in between
      conn.end();
      return null;
    }
    const watcher = tty ? new DetachWatcher(opts.detachKeys) : null;
    conn.onData = (b) => {
      if (!opts.stdin) return;
      if (!watcher) {
        stream.stdin(b);
        return;
      }
      const r = watcher.push(b);
      if (r.pass.length) stream.stdin(r.pass);
      if (r.detach) stream.end();
    };
    conn.onEof = () => {
      if (opts.stdin) stream.closeStdin();
    };
    conn.onClose.push(() => stream.end());
    return stream;
  }
}
