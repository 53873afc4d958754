// The dev server (what `npm start` runs) updates the lesson pane when a lesson file changes, in
// place: no page reload and no guest restart; the changed check script is what Check runs then.
// The server's root is a scratch folder with a copy of lessons/ (the real lessons stay untouched)
// and links to the sources.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { repoRoot } from '../../scripts/lib/cache.ts';
import { launchChromium } from './chromium.ts';
import { guestMissing } from './server.ts';

const missing = guestMissing();
const LESSON = '01-virtual-machines';

describe.skipIf(missing)(`lesson hot reload in the dev server${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let root: string;
  let server: ViteDevServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'whalebone-hmr-'));
    for (const name of ['src', 'public', 'node_modules']) symlinkSync(join(repoRoot, name), join(root, name));
    cpSync(join(repoRoot, 'index.html'), join(root, 'index.html'));
    cpSync(join(repoRoot, 'lessons'), join(root, 'lessons'), { recursive: true });
    server = await createServer({
      root,
      configFile: join(repoRoot, 'vite.config.ts'),
      server: { port: 0, host: '127.0.0.1', fs: { allow: [root, repoRoot] } },
      logLevel: 'warn',
    });
    await server.listen();
    ({ context } = await launchChromium());
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.resolvedUrls!.local[0]!);
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 240_000 });
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('an edited lesson shows at once; the page and the guest keep running', async () => {
    await page.evaluate(() => ((window as unknown as { hmrProbe: number }).hmrProbe = 42));
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo before-the-edit > /root/hmr-probe');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: /Meet the kernel/ }).first().click();
    const dir = join(root, 'lessons', LESSON);
    const edits: [string, string][] = [
      ['lesson.md', readFileSync(join(dir, 'lesson.md'), 'utf8').replace(/^title: .*$/m, 'title: Hot reloaded machines')],
      ['01-the-kernel.md', readFileSync(join(dir, '01-the-kernel.md'), 'utf8').replace(/^title: .*$/m, 'title: Meet the hot kernel')],
      ['01-the-kernel.check.sh', 'echo "FAIL: this check was hot reloaded"\nexit 1\n'],
    ];
    // Written again on each poll: on a loaded machine the file watcher may still be starting.
    await expect
      .poll(
        () => {
          for (const [name, text] of edits) writeFileSync(join(dir, name), text);
          return page.locator('h1').innerText();
        },
        { timeout: 60_000, interval: 3_000 },
      )
      .toBe('Hot reloaded machines');
    await expect.poll(() => page.locator('h2').innerText(), { timeout: 10_000 }).toBe('1. Meet the hot kernel');
    // The same document (no reload) and the same guest (booted once, the file is still there).
    await expect(page.evaluate(() => (window as unknown as { hmrProbe?: number }).hmrProbe)).resolves.toBe(42);
    await expect(page.evaluate(() => performance.getEntriesByName('whalebone:vm-ready').length)).resolves.toBe(1);
    // Clicked again until the new check answers: the page puts the new scripts into the guest
    // shortly after it shows the new text, and a check started before that runs the old one.
    await expect
      .poll(
        async () => {
          const button = page.getByRole('button', { name: 'Check' });
          if (await button.isEnabled({ timeout: 1000 }).catch(() => false)) await button.click();
          return page.locator('.check').innerText();
        },
        { timeout: 60_000, interval: 3_000 },
      )
      .toContain('this check was hot reloaded');
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('clear; cat /root/hmr-probe | tr a-z A-Z');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.xterm-rows').innerText(), { timeout: 30_000 }).toContain('BEFORE-THE-EDIT');
  }, 180_000);
});
