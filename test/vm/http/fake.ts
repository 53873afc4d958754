// An in-memory stand-in for a guest port: a Dialer whose sockets hand each complete request to a
// script that answers with segments of chosen sizes, closes, or resets.
import { NothingListeningError } from '../../../src/vm/http/errors.ts';
import type { Dialer, Socket, SocketHandlers } from '../../../src/vm/http/types.ts';

export interface ServerSide {
  /** Sends bytes to the client as one segment each (a string is latin1/ASCII). */
  send(...segments: (string | Uint8Array)[]): void;
  /** The server's FIN. */
  end(): void;
  readonly closedByClient: boolean;
}

export type Script = (request: string, server: ServerSide, connection: number) => void;

const bytes = (s: string | Uint8Array) => (typeof s === 'string' ? Uint8Array.from(s, (c) => c.charCodeAt(0)) : s);

export class FakeGuest {
  connections = 0;
  requests: string[] = [];
  constructor(private readonly ports: Record<number, Script>) {}

  dialer: Dialer = async (port) => {
    const script = this.ports[port];
    if (!script) throw new NothingListeningError(port);
    const id = ++this.connections;
    let handlers: SocketHandlers | null = null;
    let buffered = '';
    let clientClosed = false;
    let ended = false;
    const server: ServerSide = {
      send: (...segs) => {
        for (const s of segs) queueMicrotask(() => !clientClosed && handlers?.data(bytes(s)));
      },
      end: () =>
        queueMicrotask(() => {
          ended = true;
          if (!clientClosed) handlers?.end();
        }),
      get closedByClient() {
        return clientClosed;
      },
    };
    const socket: Socket = {
      write: (data) => {
        if (ended) throw new Error('write after the server closed');
        buffered += String.fromCharCode(...data);
        // a request is complete at the end of its head plus Content-Length bytes
        for (;;) {
          const h = buffered.indexOf('\r\n\r\n');
          if (h < 0) return;
          const cl = /\r\ncontent-length: (\d+)/i.exec(buffered.slice(0, h));
          const total = h + 4 + (cl ? Number(cl[1]) : 0);
          if (buffered.length < total) return;
          const req = buffered.slice(0, total);
          buffered = buffered.slice(total);
          this.requests.push(req);
          script(req, server, id);
        }
      },
      close: () => {
        clientClosed = true;
      },
      listen: (h) => {
        handlers = h;
      },
    };
    return socket;
  };
}
