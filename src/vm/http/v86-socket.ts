// Sockets over v86's in-page network (FetchNetworkAdapter.connect, always to the guest's
// 192.168.86.100), with the fault DESIGN.md records worked around: v86 0.5.462's TCPConnection
// drops the payload of a segment that also carries FIN (its process() handles the FIN and never
// emits the data). Each such segment is split in two before v86 sees it: the data, then a bare FIN
// one sequence number on, which is what a peer sending them separately would have sent.
import { HttpTimeoutError, NothingListeningError } from './errors.ts';
import type { Dialer, Socket, SocketHandlers } from './types.ts';
import type { V86NetworkAdapter, V86TcpConnection } from '../v86-types.ts';

/** The fields of v86's parsed packet that the split touches (names kept by v86's minified build). */
interface V86Segment {
  tcp: { seq: number; fin?: boolean; syn?: boolean; rst?: boolean };
  tcp_data?: Uint8Array;
}

interface PatchableConnection extends V86TcpConnection {
  process?: (packet: V86Segment) => void;
}

/** Makes v86 deliver the data of a data+FIN segment before the FIN. Exported for the unit test. */
export function splitFinSegments(conn: PatchableConnection): void {
  const original = conn.process;
  if (typeof original !== 'function') return; // another v86: nothing to patch (and maybe nothing to fix)
  conn.process = function (this: PatchableConnection, packet: V86Segment) {
    const data = packet.tcp_data;
    const t = packet.tcp;
    if (t.fin && !t.syn && !t.rst && data && data.length > 0) {
      original.call(this, { ...packet, tcp: { ...t, fin: false } });
      original.call(this, { ...packet, tcp: { ...t, seq: (t.seq + data.length) >>> 0 }, tcp_data: data.subarray(0, 0) });
      return;
    }
    original.call(this, packet);
  };
}

/**
 * Opens v86 connections. A reset (or close) before the handshake ends is a NothingListeningError;
 * no answer at all within connectTimeoutMs is an HttpTimeoutError: a guest that is busy (a boot, a
 * build, a loaded host) answers a SYN late, and that is not the same as a port nobody listens on.
 */
export function v86Dialer(adapter: () => V86NetworkAdapter | null, connectTimeoutMs = 20_000): Dialer {
  return (port) =>
    new Promise<Socket>((resolve, reject) => {
      const net = adapter();
      if (!net) throw new NothingListeningError(port);
      const conn = net.connect(port) as PatchableConnection;
      splitFinSegments(conn);
      let handlers: SocketHandlers | null = null;
      const early: Uint8Array[] = [];
      let ended = false;
      let connected = false;
      const end = () => {
        if (ended) return;
        ended = true;
        if (!connected) {
          clearTimeout(timer);
          reject(new NothingListeningError(port));
        } else handlers?.end();
      };
      const timer = setTimeout(() => {
        if (connected || ended) return;
        ended = true;
        conn.close();
        reject(new HttpTimeoutError(`port ${port} in the guest did not accept a connection within ${connectTimeoutMs / 1000} s`));
      }, connectTimeoutMs);
      conn.on('data', (d) => {
        if (!d || ended) return;
        // v86 passes a view of its packet buffer, which the next packet overwrites.
        const copy = d.slice();
        if (handlers) handlers.data(copy);
        else early.push(copy);
      });
      conn.on('shutdown', () => {
        end();
      });
      conn.on('close', end);
      conn.on('connect', () => {
        connected = true;
        clearTimeout(timer);
        let closed = false;
        resolve({
          write: (data) => conn.write(data),
          close: () => {
            if (closed) return;
            closed = true;
            conn.close();
          },
          listen: (h) => {
            handlers = h;
            for (const c of early.splice(0)) h.data(c);
            if (ended) h.end();
          },
        });
      });
    });
}
