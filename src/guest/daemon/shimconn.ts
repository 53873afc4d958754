// dockerd's side of a shim's control socket (see shim/proto.ts): event-loop connections for
// attach and exec streams, and short blocking requests for start and resize.

import { readRetry, readSome, writeAll } from '../sys/io.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { AF_UNIX, O_NONBLOCK, SOCK_CLOEXEC, SOCK_STREAM, F_GETFL, F_SETFL } from '../sys/constants.ts';
import { Outbox } from '../shim/outbox.ts';
import { encodeFrame, FrameReader, FrameType, frameJson, jsonFrame, type Hello } from '../shim/proto.ts';

function connectTo(sys: Syscalls, path: string): number {
  const fd = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  try {
    sys.connect(fd, { family: 'unix', path });
  } catch (e) {
    sys.close(fd);
    throw e;
  }
  return fd;
}

/** One request answered by one frame (start: Started or Error); blocking, the shim is quick. */
export function shimRequest(sys: Syscalls, socket: string, hello: Hello): { type: number; payload: Uint8Array } | null {
  const fd = connectTo(sys, socket);
  try {
    const b = jsonFrame(FrameType.Hello, hello);
    writeAll(sys, fd, b);
    const reader = new FrameReader();
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = readRetry(sys, fd, buf);
      if (n === 0) return null;
      const frames = reader.push(buf.subarray(0, n));
      if (frames.length > 0) return frames[0]!;
    }
  } finally {
    sys.close(fd);
  }
}

export interface ShimStreamHandlers {
  onFrame: (type: number, payload: Uint8Array) => void;
  /** The shim closed the connection (after Exit, or because the container ended). */
  onEnd: () => void;
}

/** A streaming connection (attach, exec) served by the event loop. */
export class ShimStream {
  private out: Outbox;
  private ended = false;
  constructor(
    private sys: Syscalls,
    readonly fd: number,
    private h: ShimStreamHandlers,
  ) {
    this.out = new Outbox(sys, fd, () => this.end());
    const reader = new FrameReader();
    const buf = new Uint8Array(65536);
    sys.watch(fd, 'read', () => {
      const n = readSome(sys, fd, buf);
      if (n === null) return;
      if (n === 0) {
        this.end();
        return;
      }
      for (const f of reader.push(buf.subarray(0, n))) this.h.onFrame(f.type, f.payload);
    });
  }

  static open(sys: Syscalls, socket: string, hello: Hello, h: ShimStreamHandlers): ShimStream {
    const fd = connectTo(sys, socket);
    sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) | O_NONBLOCK);
    const s = new ShimStream(sys, fd, h);
    s.out.write(jsonFrame(FrameType.Hello, hello));
    return s;
  }

  stdin(data: Uint8Array): void {
    this.out.write(encodeFrame(FrameType.Stdin, data));
  }

  closeStdin(): void {
    this.out.write(encodeFrame(FrameType.StdinClose));
  }

  /** Stops listening and closes (detach): the shim keeps the process running. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.sys.watch(this.fd, 'read', null);
    this.out.close();
    this.h.onEnd();
  }
}

export { frameJson };
