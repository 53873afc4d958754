// End to end in headless Debian Chromium against the built app and the real guest.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/cache.ts';
import { launchChromium } from './chromium.ts';
import { buildApp, guestMissing, serveBuilt } from './server.ts';

// Needs the built guest (vm-images/dist); skipped with the reason when it is not there.
const missing = guestMissing();
const RESULTS = join(repoRoot, 'test-results');

async function terminalText(page: Page): Promise<string> {
  return page.locator('.xterm-rows').innerText();
}

async function waitTerminal(page: Page, re: RegExp, timeout = 30_000): Promise<void> {
  await expect.poll(() => terminalText(page), { timeout, interval: 250 }).toMatch(re);
}

async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function waitReady(page: Page): Promise<void> {
  await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 180_000 });
}

describe.skipIf(missing)(`playground in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let context: BrowserContext;
  let page: Page;
  let server: Awaited<ReturnType<typeof serveBuilt>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    buildApp();
    server = await serveBuilt();
    ({ context } = await launchChromium());
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it('boots the guest and shows its prompt in the terminal', async () => {
    await waitReady(page);
    await typeInTerminal(page, 'echo hello-$((6*7))');
    await waitTerminal(page, /hello-42/);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'app-main.png') });
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('Run on a lesson code block types the command and its output appears', async () => {
    await page.getByRole('button', { name: /^1\b|Meet the kernel/ }).first().click();
    const run = page.locator('[data-testid=lesson-body] button.run').first();
    await run.click();
    await waitTerminal(page, /Linux whalebone 6\.1\.\S+ .*i686/);
  }, 60_000);

  it('a file made in the guest shows up in the tree; an edit saved in Monaco is seen by cat', async () => {
    await typeInTerminal(page, 'echo from-the-guest > notes.txt');
    const item = page.locator('nav.tree button', { hasText: 'notes.txt' });
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    const editor = page.locator('[data-testid=editor] .monaco-editor');
    await editor.waitFor({ timeout: 60_000 });
    await expect.poll(() => editor.locator('.view-lines').innerText(), { timeout: 20_000 }).toContain('from-the-guest');
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('edited-in-monaco');
    await page.keyboard.press('Control+S');
    // The dirty mark goes only once the guest has the text, so cat below sees it.
    await expect.poll(() => page.locator('.editor-pane .bar .name').innerText(), { timeout: 10_000 }).toBe('notes.txt');
    await expect.poll(() => editor.locator('.view-lines').innerText(), { timeout: 5_000 }).toContain('edited-in-monaco');
    await typeInTerminal(page, 'clear; cat notes.txt | tr a-z A-Z');
    await waitTerminal(page, /EDITED-IN-MONACO/);
  }, 120_000);

  it('a reload keeps the lesson progress', async () => {
    await page.reload();
    await waitReady(page);
    await expect(page.locator('ol.steps button[aria-current=step]').innerText()).resolves.toMatch(/Meet the kernel/);
  }, 240_000);

  it('Reset restores the starting state', async () => {
    await typeInTerminal(page, 'touch /root/reset-probe && echo probe-$((1+1))');
    await waitTerminal(page, /probe-2/);
    await page.locator('[data-testid=reset]').click();
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 30_000 });
    await typeInTerminal(page, 'clear; test -e /root/reset-probe && echo STILL-THERE || echo PROBE-GONE');
    await waitTerminal(page, /PROBE-GONE/);
  }, 90_000);
});
