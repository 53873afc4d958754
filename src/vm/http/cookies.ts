// A cookie jar for one guest port (an RFC 6265 subset: name, value, Path, Expires, Max-Age,
// HttpOnly). The preview needs its own: a service worker never sees the browser's Cookie header
// and the browser drops Set-Cookie from responses a service worker makes, so cookies the guest
// sets are kept here, in the page that owns the VM, and sent back on the requests they match.

export interface Cookie {
  name: string;
  value: string;
  /** The guest's path (before any rewriting under the preview prefix). */
  path: string;
  /** Epoch ms, or null for a session cookie. */
  expires: number | null;
  httpOnly: boolean;
}

export interface ParsedSetCookie {
  cookie: Cookie;
  /** Attributes as sent, in order, without the name=value pair (for rewriting). */
  attributes: [name: string, value: string | null][];
}

/** The default path of a cookie set by a response to requestPath (RFC 6265 5.1.4). */
export function defaultPath(requestPath: string): string {
  const path = requestPath.split('?')[0] ?? '/';
  if (!path.startsWith('/')) return '/';
  const last = path.lastIndexOf('/');
  return last <= 0 ? '/' : path.slice(0, last);
}

export function parseSetCookie(value: string, requestPath: string, now = Date.now()): ParsedSetCookie | null {
  const [pair = '', ...rest] = value.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const cookie: Cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: defaultPath(requestPath), expires: null, httpOnly: false };
  if (!cookie.name) return null;
  const attributes: ParsedSetCookie['attributes'] = [];
  let maxAge: number | null = null;
  for (const part of rest) {
    const at = part.indexOf('=');
    const name = (at < 0 ? part : part.slice(0, at)).trim();
    const v = at < 0 ? null : part.slice(at + 1).trim();
    if (!name) continue;
    attributes.push([name, v]);
    const key = name.toLowerCase();
    if (key === 'path' && v?.startsWith('/')) cookie.path = v;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'max-age' && v !== null && /^-?\d+$/.test(v)) maxAge = Number(v);
    else if (key === 'expires' && v !== null) {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) cookie.expires = t;
    }
  }
  if (maxAge !== null) cookie.expires = maxAge <= 0 ? 0 : now + maxAge * 1000; // Max-Age wins over Expires
  return { cookie, attributes };
}

/** RFC 6265 5.1.4 path-match. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  const path = requestPath.split('?')[0] ?? '/';
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || path[cookiePath.length] === '/';
}

export class CookieJar {
  private cookies = new Map<string, Cookie>();

  /** Stores (or, when expired, removes) what a Set-Cookie header says. */
  set(setCookie: string, requestPath: string, now = Date.now()): ParsedSetCookie | null {
    const parsed = parseSetCookie(setCookie, requestPath, now);
    if (!parsed) return null;
    const { cookie } = parsed;
    const key = `${cookie.name}\0${cookie.path}`;
    if (cookie.expires !== null && cookie.expires <= now) this.cookies.delete(key);
    else this.cookies.set(key, cookie);
    return parsed;
  }

  /** The Cookie header for a request to path, or null: longer paths first, as browsers send them. */
  header(path: string, now = Date.now()): string | null {
    const matching: Cookie[] = [];
    for (const [key, c] of this.cookies) {
      if (c.expires !== null && c.expires <= now) this.cookies.delete(key);
      else if (pathMatches(path, c.path)) matching.push(c);
    }
    if (!matching.length) return null;
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  list(): Cookie[] {
    return [...this.cookies.values()];
  }
}
