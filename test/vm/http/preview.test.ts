import { describe, expect, it } from 'vitest';
import { CookieJar, defaultPath, pathMatches } from '../../../src/vm/http/cookies.ts';
import { HttpClient } from '../../../src/vm/http/client.ts';
import { PreviewGateway, rewriteLocation, rewriteSetCookie } from '../../../src/vm/http/preview.ts';
import { header } from '../../../src/vm/http/types.ts';
import { FakeGuest } from './fake.ts';

const PREFIX = '/app/preview/8080/';
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('cookie jar', () => {
  it('matches paths as RFC 6265 says and sends longer paths first', () => {
    expect(defaultPath('/a/b/c?x')).toBe('/a/b');
    expect(defaultPath('/a')).toBe('/');
    expect(pathMatches('/admin/x', '/admin')).toBe(true);
    expect(pathMatches('/administrator', '/admin')).toBe(false);
    const jar = new CookieJar();
    jar.set('sid=1; Path=/; HttpOnly', '/login');
    jar.set('pref=dark; Path=/admin', '/admin/x');
    expect(jar.header('/admin/page')).toBe('pref=dark; sid=1');
    expect(jar.header('/other')).toBe('sid=1');
  });

  it('forgets a cookie set with Max-Age=0 or an Expires in the past', () => {
    const jar = new CookieJar();
    jar.set('a=1', '/');
    jar.set('b=2', '/');
    jar.set('a=; Max-Age=0', '/');
    jar.set('b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT', '/');
    expect(jar.header('/')).toBeNull();
  });
});

describe('preview gateway', () => {
  it('rewrites Location and Set-Cookie paths to stay under the prefix', () => {
    expect(rewriteLocation('/login?next=/', 8080, PREFIX)).toBe('/app/preview/8080/login?next=/');
    expect(rewriteLocation('http://localhost:8080/x#y', 8080, PREFIX)).toBe('/app/preview/8080/x#y');
    expect(rewriteLocation('http://192.168.86.100:8080/', 8080, PREFIX)).toBe('/app/preview/8080/');
    expect(rewriteLocation('https://example.com/', 8080, PREFIX)).toBe('https://example.com/');
    expect(rewriteLocation('next', 8080, PREFIX)).toBe('next');
    expect(rewriteSetCookie('sid=1; Domain=localhost; Path=/; HttpOnly', '/', PREFIX)).toBe('sid=1; Path=/app/preview/8080/; HttpOnly');
  });

  it('forwards method, body and headers, keeps cookies per port and sends them back', async () => {
    const guest = new FakeGuest({
      8080: (req, s) => {
        if (req.startsWith('POST /login ')) return s.send('HTTP/1.1 303 See Other\r\nLocation: /home\r\nSet-Cookie: sid=abc; Path=/; HttpOnly\r\nContent-Length: 0\r\n\r\n');
        const body = req.replace(/\r\n/g, '\n');
        s.send(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Frame-Options: DENY\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      },
    });
    const client = new HttpClient(guest.dialer);
    const gw = new PreviewGateway((port, r) => client.request(port, r));
    const login = await gw.handle({
      port: 8080,
      method: 'POST',
      path: '/login',
      headers: [['content-type', 'application/x-www-form-urlencoded'], ['origin', 'http://page.example'], ['referer', 'http://page.example/app/preview/8080/form'], ['accept-encoding', 'gzip']],
      body: new TextEncoder().encode('user=moby'),
      prefix: PREFIX,
    });
    expect(login.status).toBe(303);
    expect(header(login.headers, 'location')).toBe('/app/preview/8080/home');
    expect(header(login.headers, 'set-cookie')).toBe('sid=abc; Path=/app/preview/8080/; HttpOnly');
    expect(guest.requests[0]).toBe(
      'POST /login HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded\r\norigin: http://localhost:8080\r\nreferer: http://localhost:8080/form\r\nHost: localhost:8080\r\nAccept-Encoding: identity\r\nContent-Length: 9\r\n\r\nuser=moby',
    );
    const home = await gw.handle({ port: 8080, method: 'GET', path: '/home', headers: [], prefix: PREFIX });
    expect(text(home.body)).toContain('\nCookie: sid=abc\n');
    expect(header(home.headers, 'x-frame-options')).toBeUndefined();
    expect(header(home.headers, 'content-length')).toBeUndefined();
    expect(gw.jar(9090).header('/')).toBeNull();
  });

  it('answers with a clear page when nothing listens, and when the server stops answering', async () => {
    const guest = new FakeGuest({ 81: () => undefined });
    const client = new HttpClient(guest.dialer);
    const gw = new PreviewGateway((port, r) => client.request(port, { ...r, timeoutMs: 50 }));
    const none = await gw.handle({ port: 8080, method: 'GET', path: '/', headers: [], prefix: PREFIX });
    expect(none.status).toBe(502);
    expect(text(none.body)).toContain('<h1>Nothing is listening on port 8080 in the guest</h1>');
    const slow = await gw.handle({ port: 81, method: 'GET', path: '/', headers: [], prefix: '/preview/81/' });
    expect(slow.status).toBe(504);
    expect(text(slow.body)).toContain('Port 81 in the guest stopped answering');
  });
});
