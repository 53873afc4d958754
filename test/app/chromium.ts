// Makes sure Debian's Chromium is installed (idempotent; apt-get when root, else a clear error),
// and launches it headless the way every browser test and the app benchmark need.
import { mkdtempSync, rmSync } from 'node:fs';
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
 * A dir made here goes when the context closes: each holds about 240 MB (the app's caches and
 * kept states), and those that test and benchmark runs had left behind once filled the disk.
 * extraArgs: more command-line switches, e.g. bench:tab's --js-flags=--liftoff-only diagnosis.
 */
export async function launchChromium(
  userDataDir?: string,
  extraArgs: readonly string[] = [],
): Promise<{ context: BrowserContext; userDataDir: string }> {
  await ensureChromium();
  const dir = userDataDir ?? mkdtempSync(join(tmpdir(), 'whalebone-chromium-'));
  const removeMade = () => {
    if (!userDataDir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  const context = await chromium
    .launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...ARGS, ...extraArgs],
      viewport: { width: 1280, height: 720 },
    })
    .catch((e: unknown) => {
      removeMade();
      throw e;
    });
  if (!userDataDir) {
    // after close() (the browser's process gone), not on its 'close' event: Chromium still writes then
    const close = context.close.bind(context);
    context.close = async (options) => {
      try {
        await close(options);
      } finally {
        try {
          removeMade();
        } catch {
          // left for the system's temp clean-up
        }
      }
    };
  }
  return { context, userDataDir: dir };
}

export type { Browser, BrowserContext };
