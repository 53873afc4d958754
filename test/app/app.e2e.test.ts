// End to end in headless Debian Chromium against the built app and the real guest.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/cache.ts';
import { launchChromium } from './chromium.ts';
import { guestMissing, serveBuilt, sharedBuild, SUB_PATH } from './server.ts';
import { typeInTerminal } from './playground.ts';

// Needs the built guest (vm-images/dist); skipped with the reason when it is not there.
const missing = guestMissing();
const RESULTS = join(repoRoot, 'test-results');

async function terminalText(page: Page): Promise<string> {
  return page.locator('.xterm-rows').innerText();
}

async function waitTerminal(page: Page, re: RegExp, timeout = 30_000): Promise<void> {
  await expect.poll(() => terminalText(page), { timeout, interval: 250 }).toMatch(re);
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
    server = await serveBuilt(await sharedBuild());
    expect(server.url).toContain(SUB_PATH);
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
    await item.waitFor({ timeout: 60_000 });
    await item.click();
    const editor = page.locator('[data-testid=editor] .monaco-editor');
    await editor.waitFor({ timeout: 60_000 });
    await expect.poll(() => editor.locator('.view-lines').innerText(), { timeout: 60_000 }).toContain('from-the-guest');
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('edited-in-monaco');
    await page.keyboard.press('Control+S');
    // The dirty mark goes only once the guest has the text, so cat below sees it.
    await expect.poll(() => page.locator('.editor-pane .bar .name').innerText(), { timeout: 10_000 }).toBe('notes.txt');
    await expect.poll(() => editor.locator('.view-lines').innerText(), { timeout: 5_000 }).toContain('edited-in-monaco');
    await typeInTerminal(page, 'clear; cat notes.txt | tr a-z A-Z');
    await waitTerminal(page, /EDITED-IN-MONACO/);
  }, 240_000);

  it('a reload keeps the lesson progress, and restores the boot snapshot kept decompressed by the first visit', async () => {
    const boots: string[] = [];
    page.on('console', (m) => {
      if (m.text().startsWith('[vm] boot started')) boots.push(m.text());
    });
    await page.reload();
    await waitReady(page);
    await expect(page.locator('ol.steps button[aria-current=step]').innerText()).resolves.toMatch(/Meet the kernel/);
    // The worker's own account of the boot names the copy it restored (no zstd step this time).
    await expect.poll(() => boots.join('\n'), { timeout: 10_000 }).toMatch(/booted from the snapshot .*decompressed copy read in place/);
  }, 240_000);

  it('Reset restores the starting state', async () => {
    await typeInTerminal(page, 'touch /root/reset-probe && echo probe-$((1+1))');
    await waitTerminal(page, /probe-2/);
    await page.locator('[data-testid=reset]').click();
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 30_000 });
    await typeInTerminal(page, 'clear; test -e /root/reset-probe && echo STILL-THERE || echo PROBE-GONE');
    await waitTerminal(page, /PROBE-GONE/);
  }, 90_000);

  it('Show me shows the step\'s solution and runs it in the terminal; the check then passes', async () => {
    await page.getByRole('button', { name: /Meet the kernel/ }).first().click();
    await page.locator('[data-testid=show-me]').click();
    await expect(page.locator('[data-testid=solution] pre').innerText()).resolves.toContain('uname -r > kernel.txt');
    // the solve script's `cat kernel.txt`: a line that is only the kernel's release
    await waitTerminal(page, /^6\.1\.\d+\S*$/m, 60_000);
    await page.locator('.check button', { hasText: /^Check$/ }).click();
    await expect.poll(() => page.locator('.check [role=status]').innerText(), { timeout: 60_000 }).toBe('Step done.');
    await expect(page.locator('ol.steps button[aria-current=step] .mark').getAttribute('aria-label')).resolves.toBe('done');
  }, 180_000);

  it('a hung guest is detected and one click restores the starting state', async () => {
    // Freeze the control agent (what a learner could do by accident): the guest stops answering.
    // The agent is a forked child of `whalebone boot`; the pid file names it.
    await typeInTerminal(page, 'clear; kill -STOP $(cat /var/run/control-agent.pid) && echo fro""zen');
    await waitTerminal(page, /frozen/);
    const restore = page.locator('[data-testid=vm-error] [data-testid=restore]');
    await restore.waitFor({ timeout: 120_000 });
    await expect(page.locator('[data-testid=vm-error]').innerText()).resolves.toMatch(/stopped answering/);
    await restore.click();
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-testid=vm-error]').count()).resolves.toBe(0);
    await typeInTerminal(page, 'clear; echo alive-$((40+2))');
    await waitTerminal(page, /alive-42/);
    // The control channel answers again: the step's Check runs its script in the guest and
    // gives a verdict (either one: the step's own state does not matter here, the answer does).
    await page.locator('.check button', { hasText: /^Check$/ }).click();
    const verdict = page.locator('.check [role=status]');
    await verdict.waitFor({ timeout: 60_000 });
    await expect(verdict.innerText()).resolves.toMatch(/^(Step done\.|Not yet\.)$/);
    await expect(page.locator('.check > ul').innerText()).resolves.not.toMatch(/did not finish/);
    await expect(page.locator('[data-testid=vm-error]').count()).resolves.toBe(0);
  }, 240_000);

  it('a tab closed abruptly mid-lesson: the next visit has the saved edit, the unsaved one and the progress', async () => {
    // Lesson 4 has start files; its first one opens in the editor once the lesson is set up.
    await page.goto(`${server.url}#/lessons/04-union-filesystems/01-mount`);
    await expect.poll(() => page.locator('[data-testid=lesson-title]').innerText(), { timeout: 60_000 }).toMatch(/Union filesystems/);
    const editor = page.locator('[data-testid=editor] .monaco-editor');
    const name = page.locator('.editor-pane .bar .name');
    await expect.poll(() => name.innerText(), { timeout: 120_000 }).toBe('lower/greeting.txt');
    // Monaco draws spaces as no-break spaces
    await expect.poll(async () => (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' '), { timeout: 60_000 }).toContain('Hello from the lower layer.');
    // Progress: step 1 passes its check, then the learner moves on to step 2.
    await page.locator('[data-testid=show-me]').click();
    await waitTerminal(page, /lowerdir=\/root\/lab\/lower/, 60_000);
    await page.locator('.check button', { hasText: /^Check$/ }).click();
    await expect.poll(() => page.locator('.check [role=status]').innerText(), { timeout: 60_000 }).toBe('Step done.');
    await page.locator('ol.steps button', { hasText: 'Copy-up' }).click();
    await expect(page.locator('ol.steps button[aria-current=step]').innerText()).resolves.toMatch(/Copy-up/);
    // A saved edit (the guest has it), then more typing that is not saved.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('saved-by-the-learner');
    await page.keyboard.press('Control+S');
    await expect.poll(() => name.innerText(), { timeout: 15_000 }).toBe('lower/greeting.txt');
    await page.keyboard.press('End');
    await page.keyboard.type('+unsaved-tail');
    await expect(name.innerText()).resolves.toBe('lower/greeting.txt •');
    // Gone at once, as a closed tab or a killed browser: no beforeunload, nothing waited for.
    await page.close({ runBeforeUnload: false });

    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await expect.poll(() => page.locator('[data-testid=lesson-title]').innerText(), { timeout: 60_000 }).toMatch(/Union filesystems/);
    await waitReady(page);
    await expect.poll(() => page.locator('ol.steps button[aria-current=step]').innerText(), { timeout: 30_000 }).toMatch(/Copy-up/);
    await expect(page.locator('ol.steps button', { hasText: 'Mount an overlay' }).locator('.mark').getAttribute('aria-label')).resolves.toBe('done');
    // The editor shows the unsaved text again, still marked unsaved; the guest has the saved text.
    const editor2 = page.locator('[data-testid=editor] .monaco-editor');
    await expect.poll(() => page.locator('.editor-pane .bar .name').innerText(), { timeout: 120_000 }).toBe('lower/greeting.txt •');
    await expect.poll(() => editor2.locator('.view-lines').innerText(), { timeout: 60_000 }).toContain('saved-by-the-learner+unsaved-tail');
    // (the file has no final newline: echo ends its line; the quotes keep the marker out of the echoed command)
    await typeInTerminal(page, 'clear; cat lower/greeting.txt | tr a-z A-Z; echo; echo END-OF""-FILE');
    await waitTerminal(page, /END-OF-FILE/);
    const shown = await terminalText(page);
    expect(shown).toMatch(/^SAVED-BY-THE-LEARNER$/m);
    expect(shown).not.toMatch(/UNSAVED-TAIL/);
    expect(pageErrors).toEqual([]);
  }, 420_000);
});

describe.skipIf(missing)(`playground in Chromium, bad input${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let context: BrowserContext;
  let server: Awaited<ReturnType<typeof serveBuilt>>;

  beforeAll(async () => {
    server = await serveBuilt(await sharedBuild());
    // A fresh profile: nothing cached, so the downloads really happen.
    ({ context } = await launchChromium());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it('a failed download names the asset, and Retry fetches it again and boots', async () => {
    server.failOnce('/vm/state.bin.zst');
    const page = await context.newPage();
    await page.goto(server.url);
    const alert = page.locator('[data-testid=vm-error]');
    await alert.waitFor({ timeout: 120_000 });
    await expect(alert.innerText()).resolves.toMatch(/Downloading the boot snapshot \(.*state\.bin\.zst\) failed: HTTP 503/);
    const retry = alert.locator('[data-testid=retry]');
    await expect(retry.innerText()).resolves.toBe('Retry downloading the boot snapshot');
    await retry.click();
    await waitReady(page);
    await expect(server.requests().filter((r) => r.endsWith('/vm/state.bin.zst'))).toEqual(['503 ' + SUB_PATH + 'vm/state.bin.zst', '200 ' + SUB_PATH + 'vm/state.bin.zst']);
    await typeInTerminal(page, 'echo retried-$((3*3))');
    await waitTerminal(page, /retried-9/);
    await page.close();
  }, 300_000);

  it('a browser without WebAssembly gets a clear message, not a blank page', async () => {
    const page = await context.newPage();
    await page.addInitScript(() => {
      delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
    });
    await page.goto(server.url);
    await expect(page.locator('[data-testid=unsupported]').innerText()).resolves.toMatch(/no WebAssembly/);
    await page.close();
  }, 60_000);

  it('a device with too little memory gets a clear message', async () => {
    const page = await context.newPage();
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 0.5 });
    });
    await page.goto(server.url);
    await expect(page.locator('[data-testid=unsupported]').innerText()).resolves.toMatch(/0\.5 GiB of memory/);
    await page.close();
  }, 60_000);
});
