// End to end in the real guest: the HTTP client (src/vm/http) over v86's virtual network to ports
// that containers publish, the road the page's port preview takes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { header } from '../../src/vm/http/types.ts';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe.skipIf(vmSkipReason())(guestSuite('HTTP from the host to published guest ports'), () => {
  const g = useGuest();

  /** Retries while the server in the container is still starting (nginx takes seconds in the emulator). */
  async function whenListening(port: number, path = '/') {
    for (let i = 0; ; i++) {
      try {
        return await g.vm.http(port, { path });
      } catch (e) {
        if ((e as Error).name !== 'NothingListeningError' || i > 120) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  it('gets nginx’s page from docker run -d -p 8080:80 nginx, then reuses the connection', async () => {
    await sh(g.vm, 'docker run -d --name web -p 8080:80 nginx', { timeoutMs: 200_000 });
    const first = await whenListening(8080);
    expect(first.status).toBe(200);
    expect(header(first.headers, 'server')).toMatch(/^nginx\//);
    // the image serves Debian's /var/www/html/index.nginx-debian.html
    expect(text(first.body)).toContain('<title>Welcome to nginx!</title>');
    const again = await g.vm.http(8080, { path: '/' });
    expect(again.reused).toBe(true);
    expect(again.body).toEqual(first.body);
    const head = await g.vm.http(8080, { method: 'HEAD', path: '/' });
    expect([head.status, head.body.length, header(head.headers, 'content-length')]).toEqual([200, 0, String(first.body.length)]);
    const missing = await g.vm.http(8080, { path: '/no/such/page' });
    expect(missing.status).toBe(404);
  }, 400_000);

  it('says nothing is listening on a port no one published', async () => {
    await expect(g.vm.http(8099, { path: '/' })).rejects.toMatchObject({ name: 'NothingListeningError', message: 'nothing is listening on port 8099 in the guest' });
  }, 60_000);

  it('carries a 1 MB binary body intact and a form POST through a CGI script in a container', async () => {
    await sh(
      g.vm,
      [
        'set -e',
        'mkdir -p /tmp/www/cgi-bin',
        'head -c 1048576 /dev/urandom > /tmp/www/1m.bin',
        // a CGI script that echoes the method and the form it was sent
        "printf '%s\\n' '#!/bin/sh' 'echo Content-Type: text/plain' 'echo' 'echo method=$REQUEST_METHOD' 'cat' > /tmp/www/cgi-bin/echo",
        'chmod +x /tmp/www/cgi-bin/echo',
        'docker run -d --name files -p 8081:80 -v /tmp/www:/www busybox httpd -f -p 80 -h /www',
      ].join('\n'),
      { timeoutMs: 200_000 },
    );
    const want = (await sh(g.vm, 'sha256sum /tmp/www/1m.bin')).split(' ')[0];
    const r = await whenListening(8081, '/1m.bin');
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(1048576);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(want);
    const post = await g.vm.http(8081, { method: 'POST', path: '/cgi-bin/echo', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'name=moby&kind=whale' });
    expect(post.status).toBe(200);
    expect(text(post.body)).toBe('method=POST\nname=moby&kind=whale');
  }, 400_000);
});
