// The port preview's gateway, run by the page that owns the VM: the service worker (public/sw.js)
// hands it each request under <app>/preview/<port>/ and returns its answer to the iframe or tab.
// It maps the request onto the guest (path under the prefix, Host, Origin, Referer, cookies from
// the port's jar), sends it with the HTTP client, and maps the answer back: redirects and cookie
// paths stay under the prefix, framing headers go, and a port with nothing listening, a server
// that stops answering or a VM that is not running each get a page that says so.
import { CookieJar } from './cookies.ts';
import type { HeaderList, HttpRequest, HttpResponse } from './types.ts';

export interface PreviewRequest {
  port: number;
  method: string;
  /** The guest's request target: path and query, starting with "/". */
  path: string;
  headers: HeaderList;
  body?: Uint8Array;
  /** The absolute URL path the guest's "/" appears at, ending in "/": "/app/preview/8080/". */
  prefix: string;
}

export interface PreviewResponse {
  status: number;
  statusText: string;
  headers: HeaderList;
  body: Uint8Array;
}

export type GuestHttp = (port: number, request: HttpRequest) => Promise<HttpResponse>;

/** Request headers the browser sets for its own connection, or that would leak the page's origin into the guest. */
const DROP_REQUEST = new Set(['host', 'connection', 'keep-alive', 'cookie', 'accept-encoding', 'upgrade-insecure-requests', 'content-length', 'transfer-encoding', 'te']);
/** Response headers of the guest's connection (the service worker's Response frames the body itself). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-frame-options']);
/** Host names that mean "the guest itself" in a Location the guest sends. */
const GUEST_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '192.168.86.100']);

export class PreviewGateway {
  private jars = new Map<number, CookieJar>();

  constructor(private readonly http: GuestHttp) {}

  jar(port: number): CookieJar {
    let jar = this.jars.get(port);
    if (!jar) this.jars.set(port, (jar = new CookieJar()));
    return jar;
  }

  async handle(req: PreviewRequest): Promise<PreviewResponse> {
    const origin = `http://localhost:${req.port}`;
    const headers: HeaderList = [];
    for (const [k, v] of req.headers) {
      const key = k.toLowerCase();
      if (DROP_REQUEST.has(key)) continue;
      if (key === 'origin') headers.push([k, origin]);
      else if (key === 'referer') {
        const inner = guestPathOf(v, req.prefix);
        if (inner !== null) headers.push([k, origin + inner]);
      } else headers.push([k, v]);
    }
    headers.push(['Host', `localhost:${req.port}`]);
    // Compressed bodies would reach the iframe still compressed: a response the service worker makes is not decoded again.
    headers.push(['Accept-Encoding', 'identity']);
    const cookie = this.jar(req.port).header(req.path);
    if (cookie) headers.push(['Cookie', cookie]);
    let res: HttpResponse;
    try {
      res = await this.http(req.port, { method: req.method, path: req.path, headers, ...(req.body && req.body.length ? { body: req.body } : {}) });
    } catch (e) {
      return errorPage(req, e);
    }
    const out: HeaderList = [];
    for (const [k, v] of res.headers) {
      const key = k.toLowerCase();
      if (DROP_RESPONSE.has(key)) continue;
      if (key === 'location') out.push([k, rewriteLocation(v, req.port, req.prefix)]);
      else if (key === 'set-cookie') {
        const parsed = this.jar(req.port).set(v, req.path);
        if (parsed) out.push([k, rewriteSetCookie(v, parsed.cookie.path, req.prefix)]);
      } else out.push([k, v]);
    }
    return { status: res.status, statusText: res.statusText, headers: out, body: res.body };
  }
}

/** The guest path of an absolute URL under the prefix ("http://h/app/preview/8080/a?b" -> "/a?b"), or null. */
export function guestPathOf(url: string, prefix: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!u.pathname.startsWith(prefix)) return null;
  return '/' + u.pathname.slice(prefix.length) + u.search;
}

/** A Location from the guest, kept under the preview prefix when it points into the guest's port. */
export function rewriteLocation(location: string, port: number, prefix: string): string {
  if (location.startsWith('//')) return location;
  if (location.startsWith('/')) return prefix + location.slice(1);
  let u: URL;
  try {
    u = new URL(location);
  } catch {
    return location; // relative ("next", "../x"): resolves under the prefix already
  }
  const samePort = (u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port)) === port;
  if ((u.protocol === 'http:' || u.protocol === 'https:') && GUEST_HOSTS.has(u.hostname) && samePort) return prefix + u.pathname.slice(1) + u.search + u.hash;
  return location;
}

/** Set-Cookie with its Path moved under the prefix and its Domain dropped (the preview is same-origin with the page). */
export function rewriteSetCookie(value: string, guestPath: string, prefix: string): string {
  const parts = value.split(';').map((p) => p.trim());
  const kept = parts.slice(1).filter((p) => !/^(path|domain)\s*(=|$)/i.test(p));
  return [parts[0], `Path=${prefix}${guestPath.slice(1)}`, ...kept].join('; ');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page shown instead of a hang or a browser error. */
export function previewErrorPage(status: number, title: string, detail: string): PreviewResponse {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:40rem;color:#222}code{background:#eee;padding:0 .25em}</style></head>
<body><h1>${esc(title)}</h1><p>${detail}</p></body></html>`;
  return { status, statusText: status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Timeout' : 'Service Unavailable', headers: [['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-store']], body: new TextEncoder().encode(html) };
}

function errorPage(req: PreviewRequest, e: unknown): PreviewResponse {
  const err = e instanceof Error ? e : new Error(String(e));
  const p = req.port;
  switch (err.name) {
    case 'NothingListeningError':
      return previewErrorPage(
        502,
        `Nothing is listening on port ${p} in the guest`,
        `Start a server first, for example <code>docker run -d -p ${p}:80 nginx</code>, then reload. ` +
          `<code>docker ps</code> shows the ports containers publish; a server in a container that does not publish it is not reachable here.`,
      );
    case 'HttpTimeoutError':
      return previewErrorPage(504, `Port ${p} in the guest stopped answering`, `${esc(err.message)}. The server may still be starting, or busy: reload to try again.`);
    case 'HttpProtocolError':
      return previewErrorPage(502, `Port ${p} in the guest did not answer with HTTP`, `${esc(err.message)}. Is it a web server?`);
    default:
      return previewErrorPage(503, `The guest could not be reached`, `${esc(err.message)}. If the VM is starting or was reset, wait for it and reload.`);
  }
}
