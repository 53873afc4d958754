// The port preview end to end in headless Debian Chromium: the built app (served under a
// sub-path), the real guest, containers publishing ports, and the Ports panel's iframe. Requests
// go iframe -> service worker -> the page -> the VM worker -> v86's network -> the container; the
// last test closes the static server first, so nothing but the browser answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { guestMissing, serveBuilt, sharedBuild } from './server.ts';

const missing = guestMissing();

/** Runs a guest command through the page's VM (the learner would type it; the test needs its exit code). */
async function guest(page: Page, command: string): Promise<string> {
  const r = await page.evaluate(
    async (cmd) => {
      const w = globalThis as unknown as { whalebone: { session: { exec(c: string, o: object): Promise<{ exitCode: number; stdout: string; stderr: string }> } } };
      return w.whalebone.session.exec(cmd, { timeoutMs: 300_000 });
    },
    command,
  );
  expect(r.exitCode, `${command}\n${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Waits in the guest until a server answers on the port (nginx needs a while in a loaded emulator, its files read over 9p). */
async function untilServing(page: Page, port: number): Promise<void> {
  await guest(page, `for i in $(seq 1 280); do wget -qO /dev/null localhost:${port}/ 2>/dev/null && exit 0; sleep 1; done; docker ps -a; exit 1`);
}

async function frameText(frame: FrameLocator): Promise<string> {
  return frame.locator('body').innerText({ timeout: 5_000 }).catch(() => '');
}

/** Opens a port in the panel's iframe until its page says what is expected (a server in the emulator takes seconds to start). */
async function previewUntil(page: Page, port: number, want: RegExp, timeout = 180_000): Promise<FrameLocator> {
  const frame = page.frameLocator('[data-testid=ports-frame]');
  await expect
    .poll(
      async () => {
        await page.locator('[data-testid=ports-typed]').fill(String(port));
        await page.locator('[data-testid=ports-panel] form button[type=submit]').click();
        await page.waitForTimeout(1_500);
        return frameText(frame);
      },
      { timeout, interval: 1_000 },
    )
    .toMatch(want);
  return frame;
}

describe.skipIf(missing)(`port preview in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let context: BrowserContext;
  let page: Page;
  let server: Awaited<ReturnType<typeof serveBuilt>>;
  let serverOpen = false;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await serveBuilt(await sharedBuild());
    serverOpen = true;
    ({ context } = await launchChromium());
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 300_000 });
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    if (serverOpen) await server?.close();
  });

  it('lists nginx’s published port in the Ports panel and shows its page in the preview', async () => {
    await guest(page, 'docker run -d --name web -p 8080:80 nginx');
    await untilServing(page, 8080);
    await page.locator('[data-testid=ports-toggle]').click();
    const row = page.locator('[data-testid=ports-list] li[data-port="8080"]');
    await row.waitFor({ timeout: 60_000 });
    expect(await row.innerText()).toContain('web:80');
    await expect.poll(async () => {
      await row.getByRole('button', { name: 'Preview' }).click();
      await page.waitForTimeout(1_500);
      return frameText(page.frameLocator('[data-testid=ports-frame]'));
    }, { timeout: 60_000, interval: 1_000 }).toMatch(/Welcome to nginx!/);
    const src = await page.locator('[data-testid=ports-frame]').getAttribute('src');
    expect(src).toBe(new URL('preview/8080/', server.url).href);
    expect(pageErrors).toEqual([]);
  }, 400_000);

  it('round-trips a form POST, a redirect with a cookie and a 1 MB binary body through busybox httpd in a container', async () => {
    await guest(
      page,
      [
        'set -e',
        'mkdir -p /tmp/site/cgi-bin',
        // a root-absolute stylesheet link: the service worker keeps it under the prefix by its referrer
        `printf '%s\\n' '<link rel="stylesheet" href="/style.css"><form method="post" action="cgi-bin/echo"><input name="name" value="moby"><input name="kind" value="whale"><button>Send</button></form>' > /tmp/site/index.html`,
        `echo 'button { color: rgb(1, 2, 3); }' > /tmp/site/style.css`,
        // echo: the method and the form as the server got them; login: a cookie and a redirect; show: the cookie sent back
        `printf '%s\\n' '#!/bin/sh' 'echo Content-Type: text/plain' 'echo' 'echo method=$REQUEST_METHOD' 'cat' > /tmp/site/cgi-bin/echo`,
        `printf '%s\\n' '#!/bin/sh' 'printf "HTTP/1.0 303 See Other\\r\\nLocation: /cgi-bin/show\\r\\nSet-Cookie: session=42; Path=/; HttpOnly\\r\\n\\r\\n"' > /tmp/site/cgi-bin/login`,
        `printf '%s\\n' '#!/bin/sh' 'echo Content-Type: text/plain' 'echo' 'echo cookie=$HTTP_COOKIE' > /tmp/site/cgi-bin/show`,
        'chmod +x /tmp/site/cgi-bin/*',
        'head -c 1048576 /dev/urandom > /tmp/site/1m.bin',
        'docker run -d --name site -p 8081:80 -v /tmp/site:/www busybox httpd -f -p 80 -h /www',
      ].join('\n'),
    );
    await untilServing(page, 8081);
    const frame = await previewUntil(page, 8081, /Send/, 60_000);
    await expect.poll(() => frame.locator('button').evaluate((b) => getComputedStyle(b).color), { timeout: 30_000 }).toBe('rgb(1, 2, 3)');
    await frame.locator('button').click();
    await expect.poll(() => frameText(frame), { timeout: 60_000 }).toBe('method=POST\nname=moby&kind=whale');

    // A redirect stays under the prefix, and the cookie it set comes back on the next request.
    const login = new URL('preview/8081/cgi-bin/login', server.url).href;
    await page.locator('[data-testid=ports-frame]').evaluate((f: HTMLIFrameElement, url) => (f.contentWindow!.location.href = url), login);
    await expect.poll(() => frameText(frame), { timeout: 60_000 }).toMatch(/^cookie=session=42\s*$/);
    const at = await page.locator('[data-testid=ports-frame]').evaluate((f: HTMLIFrameElement) => f.contentWindow!.location.pathname);
    expect(at).toBe(new URL('preview/8081/cgi-bin/show', server.url).pathname);

    const want = (await guest(page, 'sha256sum /tmp/site/1m.bin')).split(' ')[0];
    const got = await page.evaluate(async (url) => {
      const r = await fetch(url);
      const body = new Uint8Array(await r.arrayBuffer());
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
      return { status: r.status, length: body.length, hash: [...hash].map((b) => b.toString(16).padStart(2, '0')).join('') };
    }, new URL('preview/8081/1m.bin', server.url).href);
    expect(got).toEqual({ status: 200, length: 1048576, hash: want });
  }, 400_000);

  it('keeps working with the static server closed, and says when nothing listens on a port', async () => {
    await server.close();
    serverOpen = false;
    await context.setOffline(true);
    const before = server.requests().length;
    await previewUntil(page, 8080, /Welcome to nginx!/, 60_000);
    const none = await previewUntil(page, 8099, /Nothing is listening/, 60_000);
    expect(await frameText(none)).toContain('Nothing is listening on port 8099 in the guest');
    expect(server.requests().length).toBe(before);
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
