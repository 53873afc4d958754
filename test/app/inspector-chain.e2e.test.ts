// The inspector's Engine chain tab and lesson-embedded views in headless Chromium against the
// built app and the real guest: with the tab open, `docker run --rm busybox true` typed in the
// terminal appears as a timeline with the CLI's POST /containers/create and runc's clone() with
// CLONE_NEWPID; a lesson step with an ```inspect block shows its view live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { guestMissing } from './server.ts';
import { openPlayground, typeInTerminal, type Playground } from './playground.ts';

// a build folder of its own: the app's e2e files run in parallel

const missing = guestMissing();

describe.skipIf(missing)(`engine chain view in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pg: Playground;
  let page: Page;
  let server: Playground['server'];
  let pageErrors: string[];

  beforeAll(async () => {
    pg = await openPlayground();
    ({ page, server, pageErrors } = pg);
  }, 600_000);

  afterAll(async () => {
    await pg?.close();
  });

  it('shows the chain of a docker run typed in the terminal: the API request and the clone with CLONE_NEWPID', async () => {
    await page.getByTestId('inspector-toggle').click();
    // keyboard: the tabs are a tablist that arrows move through, wrapping from the first to the last
    await page.locator('#inspector-tab-processes').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#inspector-tab-cgroups').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('#inspector-tab-chain').getAttribute('aria-selected')).toBe('true');
    const view = page.getByTestId('chain-view');
    await expect.poll(() => view.innerText(), { timeout: 60_000 }).toMatch(/Tracing/);
    await typeInTerminal(page, 'docker run --rm busybox true');
    const table = page.getByTestId('chain-table').first();
    await table.locator('tr', { hasText: 'POST /containers/create → 201' }).waitFor({ timeout: 180_000 }).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\nview: ${await view.innerText()}`);
    });
    // each process writes its lines when it execs, exits or idles: they arrive in any order
    for (const re of [/clone\([A-Z_|]*CLONE_NEWPID[A-Z_|]*\)/, /execve \S*true/, /mount overlay on/, /pivot_root/]) {
      await expect.poll(() => table.innerText(), { timeout: 60_000 }).toMatch(re);
    }
    // the CLI writes its lines when it exits: the run's summary then shows the exit code
    await expect.poll(() => page.getByTestId('chain-run').first().locator('summary').innerText(), { timeout: 60_000 }).toMatch(/docker run --rm busybox true\s+exit 0/);
    await page.locator('#inspector-tab-processes').click();
    expect(pageErrors).toEqual([]);
  }, 400_000);

  it('shows a lesson step’s ```inspect view live, and opens the inspector on it', async () => {
    await page.getByTestId('inspector-toggle').click(); // closed
    await page.goto(`${server.url}#/lessons/03-cgroups/02-memory`);
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 240_000 });
    const embed = page.locator('[data-testid=inspect-embed][data-view=cgroups]');
    await embed.waitFor({ timeout: 60_000 });
    // live: the cgroup table from the guest, with the root group's row
    await embed.locator('[data-testid=cgroup-table] tbody tr').first().waitFor({ timeout: 120_000 }).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\nembed: ${await embed.innerText()}`);
    });
    await embed.getByRole('button', { name: 'Open in the inspector' }).click();
    await expect.poll(() => page.locator('#inspector-tab-cgroups').getAttribute('aria-selected')).toBe('true');
    expect(pageErrors).toEqual([]);
  }, 400_000);

  it('shows the overlays a lesson 4 learner mounts by hand in the step’s ```inspect layers view, with the file each wrote', async () => {
    await page.goto(`${server.url}#/lessons/04-union-filesystems/05-containers`);
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 240_000 });
    const embed = page.locator('[data-testid=inspect-embed][data-view=layers]');
    await embed.waitFor({ timeout: 60_000 });
    await typeInTerminal(
      page,
      'mkdir -p /root/lab/layers/app /root/lab/layers/base && cd /root/lab && for c in c1 c2; do mkdir -p $c/upper $c/work $c/root; ' +
        'mount -t overlay overlay -o lowerdir=/root/lab/layers/app:/root/lab/layers/base,upperdir=/root/lab/$c/upper,workdir=/root/lab/$c/work /root/lab/$c/root; echo $c > $c/root/name.txt; done',
    );
    const c2 = embed.getByTestId('layers-container-/root/lab/c2/root');
    await c2.waitFor({ timeout: 120_000 }).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\nembed: ${await embed.innerText()}`);
    });
    await c2.click();
    await expect.poll(() => embed.getByTestId('layers-table').innerText(), { timeout: 30_000 }).toContain('/root/lab/c2/upper');
    await expect.poll(() => embed.getByTestId('upper-table').innerText(), { timeout: 30_000 }).toMatch(/\/name\.txt/);
    expect(pageErrors).toEqual([]);
  }, 400_000);
});
