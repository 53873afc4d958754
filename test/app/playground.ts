// The set-up every Chromium e2e file shares: the app built and served under its sub-path, and a
// fresh Chromium profile on it whose uncaught page errors are collected.
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { buildApp, serveBuilt } from './server.ts';
import type { StaticServer } from './static-server.ts';

export interface Playground {
  server: StaticServer;
  context: BrowserContext;
  page: Page;
}

/** Builds into outDir, serves it and opens a page (not yet navigated); page errors go to `pageErrors`. */
export async function openPlayground(outDir: string | undefined, pageErrors: string[]): Promise<Playground> {
  buildApp(outDir);
  const server = await serveBuilt(outDir);
  const { context } = await launchChromium();
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { server, context, page };
}
