// Stage 3: the client. One request at a time per connection; a connection whose response was
// length-delimited and not marked "close" goes back to a small idle pool per port and carries the
// next request (keep-alive). A pooled connection the server closed meanwhile fails before any
// byte of an answer: the request is then sent once more on a fresh connection, as browsers do.
import { HttpProtocolError, HttpTimeoutError } from './errors.ts';
import { encodeRequest } from './request.ts';
import { ResponseParser, type ParsedResponse } from './response-parser.ts';
import type { Dialer, HttpRequest, HttpResponse, Socket } from './types.ts';

const DEFAULT_TIMEOUT_MS = 30_000;
const IDLE_PER_PORT = 6;

export class HttpClient {
  private idle = new Map<number, Socket[]>();

  constructor(private readonly dial: Dialer) {}

  async request(port: number, req: HttpRequest = {}): Promise<HttpResponse> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HttpProtocolError(`bad port ${port}: it must be 1 to 65535`);
    const wire = encodeRequest(req, port); // bad input fails before any connection is made
    const pooled = this.takeIdle(port);
    if (pooled) {
      try {
        return await this.exchange(port, pooled, wire, req, true);
      } catch (e) {
        if (!(e instanceof StaleConnection)) throw e;
      }
    }
    return this.exchange(port, await this.dial(port), wire, req, false);
  }

  /** Closes the idle connections (the VM is going away, or a test ends). */
  closeIdle(): void {
    for (const list of this.idle.values()) for (const s of list) s.close();
    this.idle.clear();
  }

  private takeIdle(port: number): Socket | undefined {
    return this.idle.get(port)?.pop();
  }

  private putIdle(port: number, socket: Socket): void {
    const list = this.idle.get(port) ?? [];
    if (list.length >= IDLE_PER_PORT) {
      socket.close();
      return;
    }
    list.push(socket);
    this.idle.set(port, list);
    const drop = () => {
      const at = list.indexOf(socket);
      if (at >= 0) list.splice(at, 1);
      socket.close();
    };
    // While idle, a FIN (or anything) from the server retires the connection.
    socket.listen({ data: drop, end: drop });
  }

  private exchange(port: number, socket: Socket, wire: Uint8Array, req: HttpRequest, reused: boolean): Promise<HttpResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const parser = new ResponseParser(method);
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => fail(new HttpTimeoutError(`no answer from port ${port} in the guest for ${timeoutMs} ms (${method} ${req.path ?? '/'})`)), timeoutMs);
      };
      const settle = () => {
        settled = true;
        if (timer) clearTimeout(timer);
      };
      const fail = (e: unknown) => {
        if (settled) return;
        settle();
        socket.close();
        reject(e);
      };
      const done = (r: ParsedResponse, open: boolean) => {
        if (settled) return;
        settle();
        if (open && r.keepAlive) this.putIdle(port, socket);
        else socket.close();
        resolve({ status: r.status, statusText: r.statusText, headers: r.headers, body: r.body, reused });
      };
      socket.listen({
        data: (chunk) => {
          if (settled) return;
          arm();
          try {
            const r = parser.push(chunk);
            if (r) done(r, true);
          } catch (e) {
            fail(e);
          }
        },
        end: () => {
          if (settled) return;
          if (reused && !parser.started) return fail(new StaleConnection());
          try {
            done(parser.end(), false);
          } catch (e) {
            fail(e);
          }
        },
      });
      arm();
      try {
        socket.write(wire);
      } catch (e) {
        fail(reused ? new StaleConnection() : new HttpProtocolError(`could not send the request: ${(e as Error).message}`));
      }
    });
  }
}

/** A pooled connection the server had closed: retried on a new one, never seen by callers. */
class StaleConnection extends Error {}
