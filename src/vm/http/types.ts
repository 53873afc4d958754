// The HTTP client's public shapes: plain data, so a request and its answer cross comlink and
// postMessage unchanged (headers as [name, value] pairs: Set-Cookie may repeat).

export type HeaderList = [name: string, value: string][];

export interface HttpRequest {
  method?: string;
  /** The request target: an absolute path with its query ("/", "/a?b=c"). */
  path?: string;
  headers?: HeaderList;
  body?: Uint8Array | string;
  /** Gives up when the guest sends nothing for this long (default 30 s); never a hang. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** As received, in order, names as the server spelled them. */
  headers: HeaderList;
  body: Uint8Array;
  /** Whether the connection was one reused from an earlier request (keep-alive). */
  reused: boolean;
}

/** A byte stream to one TCP port of the guest (v86's connection, or a fake in the tests). */
export interface Socket {
  write(data: Uint8Array): void;
  /** Closes our side; the socket is not used afterwards. */
  close(): void;
  /** Data, end of stream (the peer's FIN or reset) and errors, each delivered in order. */
  listen(handlers: SocketHandlers): void;
}

export interface SocketHandlers {
  data(chunk: Uint8Array): void;
  end(): void;
}

/** Opens a socket to a guest port; rejects with a NothingListeningError when nothing listens. */
export type Dialer = (port: number) => Promise<Socket>;

/** Header value by name (case-insensitive), the first one. */
export function header(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === n)?.[1];
}
