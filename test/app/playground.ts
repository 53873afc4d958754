// What the Chromium e2e files share: the app built once per run (sharedBuild), served, opened
// in a fresh Chromium profile until the guest is ready; and typing into the terminal.
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { serveBuilt, sharedBuild } from './server.ts';

export interface Playground {
  context: BrowserContext;
  page: Page;
  server: Awaited<ReturnType<typeof serveBuilt>>;
  /** Uncaught errors in the page, as they happen. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openPlayground(): Promise<Playground> {
  const server = await serveBuilt(await sharedBuild());
  const { context } = await launchChromium();
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.setViewportSize({ width: 1500, height: 900 });
  await page.goto(server.url);
  await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 240_000 });
  return {
    context,
    page,
    server,
    pageErrors,
    close: async () => {
      await context.close();
      await server.close();
    },
  };
}

export async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}
