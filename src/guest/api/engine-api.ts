// What the CLI and dockerd agree on: the Engine API version they speak, the daemon's version,
// the stdout/stderr multiplexing of attach, logs and exec streams (both directions), and the
// JSON shapes both sides read. One module, so the two ends cannot drift apart.

export const API_VERSION = '1.45';
export const MIN_API_VERSION = '1.24';
export const ENGINE_VERSION = '28.2.2';
/** The versioned path prefix the client puts before every endpoint. */
export const API_PREFIX = `/v${API_VERSION}`;

/** A volume as GET /volumes and docker volume inspect show it. */
export interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: string;
  Options: Record<string, string>;
}

/** Docker's stream multiplexing header: stream byte, three zeros, big-endian length. */
export function frame(stream: 1 | 2, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out[0] = stream;
  const n = payload.length;
  out[4] = (n >>> 24) & 0xff;
  out[5] = (n >>> 16) & 0xff;
  out[6] = (n >>> 8) & 0xff;
  out[7] = n & 0xff;
  out.set(payload, 8);
  return out;
}

/** Splits Docker's multiplexed stream into (stream, payload) frames. */
export class Demuxer {
  private buf: Uint8Array = new Uint8Array(0);
  constructor(private onFrame: (stream: number, data: Uint8Array) => void) {}
  push(b: Uint8Array): void {
    const nb = new Uint8Array(this.buf.length + b.length);
    nb.set(this.buf);
    nb.set(b, this.buf.length);
    this.buf = nb;
    while (this.buf.length >= 8) {
      const n = ((this.buf[4]! << 24) | (this.buf[5]! << 16) | (this.buf[6]! << 8) | this.buf[7]!) >>> 0;
      if (this.buf.length < 8 + n) return;
      this.onFrame(this.buf[0]!, this.buf.slice(8, 8 + n));
      this.buf = this.buf.slice(8 + n);
    }
  }
}
