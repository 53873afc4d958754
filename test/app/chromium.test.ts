// The browser tests' launcher (test/app/chromium.ts): the profile it makes goes with the browser,
// so a CI run's dozens of Chromium sessions (each about 240 MB of the app's caches) do not fill
// the disk, as they once did.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';

describe('launchChromium', () => {
  it('removes the profile it made once the browser closes', async () => {
    const { context, userDataDir } = await launchChromium();
    const page = await context.newPage();
    await page.setContent('<p>profile in use</p>');
    expect(existsSync(userDataDir)).toBe(true);
    await context.close();
    expect(existsSync(userDataDir)).toBe(false);
  }, 120_000);
});
