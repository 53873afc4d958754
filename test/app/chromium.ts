// Makes sure Debian's Chromium is installed (idempotent; apt-get when root, else a clear error),
// and launches it headless the way every browser test and the app benchmark need.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { ensureHostTools } from '../../scripts/lib/apt.ts';

export const CHROMIUM = '/usr/bin/chromium';

export async function ensureChromium(): Promise<void> {
  await ensureHostTools('chromium', { [CHROMIUM]: 'chromium' });
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-precise-memory-info',
];

/**
 * A persistent context in a fresh user-data-dir (service workers and caches need one to persist).
 * extraArgs: more command-line switches, e.g. bench:tab's --js-flags=--liftoff-only diagnosis.
 */
export async function launchChromium(
  userDataDir = mkdtempSync(join(tmpdir(), 'whalebone-chromium-')),
  extraArgs: readonly string[] = [],
): Promise<{ context: BrowserContext; userDataDir: string }> {
  await ensureChromium();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...extraArgs],
    viewport: { width: 1280, height: 720 },
  });
  return { context, userDataDir };
}

export type { Browser, BrowserContext };
