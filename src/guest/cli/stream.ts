// The client side of a hijacked attach or exec connection: the terminal in raw mode (restored on
// every way out), stdin to the connection, its output to stdout/stderr (raw with a tty, else
// demultiplexed), the window size sent at start and on SIGWINCH, the detach keys, and without a
// tty the signals forwarded to the container (Docker's --sig-proxy).

import type { Syscalls, Termios } from '../sys/syscalls.ts';
import { O_NONBLOCK, F_GETFL, F_SETFL, SHUT_WR, SIGINT, SIGTERM, SIGWINCH } from '../sys/constants.ts';
import { writeAll, readSome } from '../sys/io.ts';
import { makeRaw } from '../sys/termios.ts';
import { DetachWatcher } from '../shim/proto.ts';
import type { Connection } from './client.ts';
import { Demuxer } from '../api/engine-api.ts';

export interface PumpOptions {
  tty: boolean;
  /** Send our stdin. */
  stdin: boolean;
  detachKeys: number[];
  /** Sends the terminal's size (rows, cols) to the daemon. */
  resize?: (rows: number, cols: number) => void;
  /** Forwards a signal we received (no tty: Docker's sig-proxy). */
  signal?: (sig: number) => void;
}

/** Puts fd in raw mode; returns the function that restores what it was. */
export function rawMode(sys: Syscalls, fd: number): () => void {
  let saved: Termios;
  try {
    saved = sys.tcgetattr(fd);
  } catch {
    return () => {};
  }
  sys.tcsetattr(fd, makeRaw(saved));
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    try {
      sys.tcsetattr(fd, saved, true);
    } catch {
      // the terminal is gone
    }
  };
}

/** Sends the size of our terminal, when there is one and it knows its size. */
export function sendSize(sys: Syscalls, resize: (rows: number, cols: number) => void): void {
  for (const fd of [1, 0, 2]) {
    try {
      if (!sys.isatty(fd)) continue;
      const ws = sys.getWinsize(fd);
      if (ws.rows > 0 && ws.cols > 0) resize(ws.rows, ws.cols);
      return;
    } catch {
      // not a terminal
    }
  }
}

/**
 * Relays until the connection ends. Never rejects (QuickJS ends the process on a rejection that
 * has no handler yet): failures resolve as 'ended'.
 */
export function pump(sys: Syscalls, conn: Connection, o: PumpOptions): Promise<'ended' | 'detached'> {
  return new Promise((resolve) => {
    const fd = conn.fd;
    const demux = new Demuxer((stream, data) => writeAll(sys, stream === 2 ? 2 : 1, data));
    const output = (b: Uint8Array): void => {
      if (o.tty) writeAll(sys, 1, b);
      else demux.push(b);
    };
    const watcher = new DetachWatcher(o.tty ? o.detachKeys : []);
    const signals = o.tty ? [SIGWINCH] : [SIGINT, SIGTERM];
    let finished = false;
    const finish = (how: 'ended' | 'detached'): void => {
      if (finished) return;
      finished = true;
      sys.watch(fd, 'read', null);
      if (o.stdin) sys.watch(0, 'read', null);
      for (const s of signals) sys.onSignal(s, null);
      resolve(how);
    };
    const early = conn.takeBuffered();
    if (early.length) output(early);
    const buf = new Uint8Array(65536);
    sys.watch(fd, 'read', () => {
      const n = readSome(sys, fd, buf);
      if (n === null) return;
      if (n === 0) {
        finish('ended');
        return;
      }
      try {
        output(buf.subarray(0, n));
      } catch {
        finish('ended');
      }
    });
    if (o.stdin) {
      const inBuf = new Uint8Array(4096);
      sys.watch(0, 'read', () => {
        const n = readSome(sys, 0, inBuf);
        if (n === null) return;
        if (n === 0) {
          // end of our input: half-close, the output still comes
          sys.watch(0, 'read', null);
          try {
            sys.shutdown(fd, SHUT_WR);
          } catch {
            // already closed
          }
          return;
        }
        const r = watcher.push(inBuf.subarray(0, n));
        try {
          if (r.pass.length) writeAll(sys, fd, r.pass);
        } catch {
          finish('ended');
          return;
        }
        if (r.detach) finish('detached');
      });
    }
    if (o.tty && o.resize) {
      const resize = o.resize;
      sys.onSignal(SIGWINCH, () => sendSize(sys, resize));
    } else if (!o.tty && o.signal) {
      const forward = o.signal;
      for (const s of signals) sys.onSignal(s, () => forward(s));
    }
  });
}

export function setBlocking(sys: Syscalls, fd: number): void {
  try {
    sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  } catch {
    // not ours to change
  }
}
