// Offline, end to end in headless Debian Chromium: a first visit to the built app (served under a
// sub-path) installs the service worker, which caches the app and the guest files as they are
// used; then the server goes away and the browser is put offline, and a reload still boots the
// guest, shows its prompt and runs a lesson command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { guestMissing, serveBuilt, sharedBuild } from './server.ts';
import { typeInTerminal } from './playground.ts';

const missing = guestMissing();

async function waitTerminal(page: Page, re: RegExp, timeout = 60_000): Promise<void> {
  await expect.poll(() => page.locator('.xterm-rows').innerText(), { timeout, interval: 250 }).toMatch(re);
}

describe.skipIf(missing)(`playground offline${missing ? ` (skipped: ${missing})` : ''}`, () => {
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
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    if (serverOpen) await server?.close();
  });

  it('a first visit installs the service worker, which caches the app and the guest for offline use', async () => {
    await page.goto(server.url);
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 240_000 });
    // The page asks the service worker to fetch what it lacks once the lesson is ready.
    await page.locator('[data-testid=offline]').waitFor({ timeout: 180_000 });
    const sw = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      const names = await caches.keys();
      const cached = names.length === 1 ? (await (await caches.open(names[0]!)).keys()).map((r) => new URL(r.url).pathname) : [];
      return { controlled: navigator.serviceWorker.controller !== null, scope: reg?.scope, names, cached };
    });
    expect(sw.controlled).toBe(true);
    expect(sw.scope).toBe(server.url);
    expect(sw.names).toHaveLength(1);
    const base = new URL(server.url).pathname;
    // The page, its entry bundles, the emulator and everything a snapshot restore reads.
    for (const path of ['', 'vm/state.bin.zst', 'vm/state.json', 'vm/bios.bin', 'vm/vgabios.bin', 'vm/registry.fs.json']) expect(sw.cached).toContain(base + path);
    // The guest's tools (read on demand, no boot reads them) are cached whole.
    for (const path of ['vm/tools.fs.json', 'vm/tools/bin/ip', 'vm/tools/lib/i386-linux-gnu/libc.so.6']) expect(sw.cached).toContain(base + path);
    for (const re of [/\/assets\/index-[^/]+\.js$/, /\/assets\/App-[^/]+\.js$/, /\/assets\/worker-[^/]+\.js$/, /\/assets\/v86-[^/]+\.wasm$/, /\/assets\/editor\.api-[^/]+\.js$/])
      expect(sw.cached.some((p) => re.test(p)), `${re} cached`).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 420_000);

  it('with the server gone and the browser offline, a reload boots the guest and runs a lesson command', async () => {
    await server.close();
    serverOpen = false;
    await context.setOffline(true);
    // Every request from here on must be answered by the service worker: with the server gone
    // and the browser offline, any other request fails, and is listed here either way.
    const notFromCache: string[] = [];
    context.on('response', (r) => {
      if (/^https?:/.test(r.url()) && !r.fromServiceWorker()) notFromCache.push(`${r.status()} ${r.url()}`);
    });
    context.on('requestfailed', (r) => {
      // the service worker's own network try for a navigation fails offline, then it answers
      // from its cache: the page's request is the one that counts
      if (r.serviceWorker()) return;
      // A request its page cancelled was not left unanswered: the old page's, cut off by the
      // reload while its guest's warm-up reads the tools folder. (That the tools come from the
      // cache is checked below: ip prints nothing without its libraries.)
      if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
      if (/^https?:/.test(r.url())) notFromCache.push(`failed ${r.url()} (${r.failure()?.errorText ?? ''})`);
    });
    await page.reload();
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 240_000 });
    await typeInTerminal(page, 'echo offline-$((6*7))');
    await waitTerminal(page, /offline-42/);
    // ip and its glibc come over the share from the cached tools folder (libc in byte ranges of the whole file)
    await typeInTerminal(page, 'ip -br link show lo && echo tools-$((5*5))');
    await waitTerminal(page, /tools-25/);
    await page.getByRole('button', { name: /^1\b|Meet the kernel/ }).first().click();
    await page.locator('[data-testid=lesson-body] button.run').first().click();
    await waitTerminal(page, /Linux whalebone 6\.1\.\S+ .*i686/);
    // The editor's bundles came from the cache too.
    await page.locator('[data-testid=editor] .monaco-editor').waitFor({ timeout: 120_000 });
    expect(notFromCache).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 420_000);
});
