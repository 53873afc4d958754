// A small static file server for the built app, as a CDN or nginx would serve it: under a
// sub-path, gzip/brotli for compressible types when the browser asks, byte ranges (the guest's
// lazy 9p reads), ETag revalidation. It counts the bytes it sends (the bench's transfer size) and
// can fail a chosen file once (the tests' failed-download case). Used by bench:app and test/app.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Types a web server compresses on the fly (already-compressed files like .zst, .gz, .tar.* are not). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.ttf', '.txt', '.md', '.bin']);

export interface StaticServer {
  /** The app's URL (ends with the sub-path and "/"). */
  url: string;
  /** Bytes of response bodies sent since the last resetCounters(), for requests made before untilMs (epoch ms) if given. */
  bytesSent(untilMs?: number): number;
  /** The same bytes by request path (what a transfer figure is made of). */
  bytesByPath(untilMs?: number): Map<string, number>;
  /** Requests served since the last resetCounters(), as "STATUS path". */
  requests(): string[];
  resetCounters(): void;
  /** The next request whose path ends with suffix gets a 503 (once per call). */
  failOnce(suffix: string): void;
  /** Paths ending with one of these get a 404, as if the build had no such file (an empty list: none). */
  hide(suffixes: string[]): void;
  /** Stops listening and drops open connections (the network is gone). */
  close(): Promise<void>;
}

export interface StaticServerOptions {
  root: string;
  /** Served under this path prefix, e.g. "/course/whalebone/" (default "/"). */
  base?: string;
  port?: number;
  /** Compress responses (default true). */
  compress?: boolean;
}

export async function serveStatic(opts: StaticServerOptions): Promise<StaticServer> {
  const base = ('/' + (opts.base ?? '/').replace(/^\/+|\/+$/g, '') + '/').replace('//', '/');
  const compress = opts.compress ?? true;
  const packed = new Map<string, { mtime: number; gzip: Buffer; br: Buffer }>();
  /** Each body's size, by when it was asked for. */
  let sent: { at: number; path: string; n: number }[] = [];
  const count = (path: string, n: number) => void sent.push({ at: Date.now(), path, n });
  const byPath = (untilMs = Infinity): Map<string, number> => {
    const m = new Map<string, number>();
    for (const s of sent) if (s.at < untilMs) m.set(s.path, (m.get(s.path) ?? 0) + s.n);
    return m;
  };
  let log: string[] = [];
  const failures: string[] = [];
  let hidden: string[] = [];
  const sockets = new Set<Socket>();

  const finish = (res: ServerResponse, path: string, status: number, body?: Buffer | string) => {
    res.statusCode = status;
    log.push(`${status} ${path}`);
    if (body !== undefined) {
      count(path, Buffer.byteLength(body));
      res.end(body);
    } else res.end();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    if (!path.startsWith(base)) {
      if (path + '/' === base) {
        res.setHeader('Location', base);
        return finish(res, path, 301);
      }
      return finish(res, path, 404, 'not found');
    }
    let rel = path.slice(base.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(opts.root, rel));
    if (!file.startsWith(opts.root) || !existsSync(file) || !statSync(file).isFile() || hidden.some((h) => path.endsWith(h))) return finish(res, path, 404, 'not found');
    const failAt = failures.findIndex((s) => path.endsWith(s));
    if (failAt >= 0) {
      failures.splice(failAt, 1);
      return finish(res, path, 503, 'injected failure');
    }
    const st = statSync(file);
    const ext = extname(file);
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Accept-Ranges', 'bytes');
    if (req.headers['if-none-match'] === etag) return finish(res, path, 304);
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : st.size - 1, st.size - 1);
      if (start > end) {
        res.setHeader('Content-Range', `bytes */${st.size}`);
        return finish(res, path, 416);
      }
      res.setHeader('Content-Range', `bytes ${start}-${end}/${st.size}`);
      res.setHeader('Content-Length', String(end - start + 1));
      res.statusCode = 206;
      log.push(`206 ${path}`);
      count(path, end - start + 1);
      return createReadStream(file, { start, end }).pipe(res);
    }
    const accept = String(req.headers['accept-encoding'] ?? '');
    const encoding = !compress || !COMPRESSIBLE.has(ext) ? null : /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
    if (encoding) {
      let p = packed.get(file);
      if (!p || p.mtime !== st.mtimeMs) {
        const raw = readFileSync(file);
        p = { mtime: st.mtimeMs, gzip: gzipSync(raw, { level: 6 }), br: brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } }) };
        packed.set(file, p);
      }
      const body = encoding === 'br' ? p.br : p.gzip;
      res.setHeader('Content-Encoding', encoding);
      res.setHeader('Vary', 'Accept-Encoding');
      res.setHeader('Content-Length', String(body.length));
      return finish(res, path, 200, req.method === 'HEAD' ? undefined : body);
    }
    res.setHeader('Content-Length', String(st.size));
    res.statusCode = 200;
    log.push(`200 ${path}`);
    if (req.method === 'HEAD') return res.end();
    count(path, st.size);
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) finish(res, req.url ?? '', 500, String(e));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    bytesSent: (untilMs) => [...byPath(untilMs).values()].reduce((a, n) => a + n, 0),
    bytesByPath: (untilMs) => byPath(untilMs),
    requests: () => [...log],
    resetCounters() {
      sent = [];
      log = [];
    },
    failOnce: (suffix) => void failures.push(suffix),
    hide: (suffixes) => void (hidden = [...suffixes]),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
