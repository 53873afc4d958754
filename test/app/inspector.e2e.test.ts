// The inspector panel in headless Chromium against the built app and the real guest: a container
// started from the terminal appears in the process tree in namespaces of its own, selecting it
// highlights its processes, and its cgroup shows with its memory limit.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/cache.ts';
import { guestMissing } from './server.ts';
import { openPlayground, typeInTerminal, type Playground } from './playground.ts';

// a build folder of its own: the app's e2e files run in parallel

const missing = guestMissing();
const RESULTS = join(repoRoot, 'test-results');

describe.skipIf(missing)(`inspector in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
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

  it('opens on the process tree: init, dockerd, the learner’s shell, all in the host’s namespaces', async () => {
    await page.getByTestId('inspector-toggle').click();
    const table = page.getByTestId('process-table');
    await table
      .locator('tr[data-pid="1"]')
      .waitFor({ timeout: 120_000 })
      .catch(async (e: unknown) => {
        throw new Error(`${(e as Error).message}\ninspector: ${await page.getByTestId('inspector').innerText()}`);
      });
    await expect.poll(() => table.locator('tbody tr', { hasText: 'dockerd' }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // pid 1's namespaces are the host's: colour slot 0, none marked as its own
    const badges = table.locator('tr[data-pid="1"] .badge');
    expect(await badges.count()).toBe(7);
    expect(await table.locator('tr[data-pid="1"] .badge.own').count()).toBe(0);
    expect(await table.locator('tr[data-pid="1"] .badge.slot-0').count()).toBe(7);
    await expect.poll(() => page.getByTestId('inspector-meta').innerText()).toMatch(/guest [\d.]+ ms/);
  }, 120_000);

  it('shows a container started in the terminal, in namespaces of its own, and highlights it when selected', async () => {
    const t0 = Date.now();
    await typeInTerminal(page, 'docker run -d --name spy -m 24m busybox sleep 600');
    const button = page.getByTestId('container-spy');
    await button.waitFor({ timeout: 180_000 });
    console.info(`[inspector] container appeared ${Date.now() - t0} ms after docker run -d was typed (includes the pull and the run)`);
    const row = page.locator('[data-testid=process-table] tbody tr[data-container="spy"]', { hasText: 'sleep 600' });
    await row.waitFor({ timeout: 90_000 }).catch(async (e: unknown) => {
      const rows = await page.locator('[data-testid=process-table] tbody tr').evaluateAll((trs) => trs.map((t) => `${t.getAttribute('data-pid')} [${t.getAttribute('data-container')}] ${t.textContent?.replace(/\s+/g, ' ')}`));
      throw new Error(`${(e as Error).message}\nrows:\n${rows.join('\n')}\nmeta: ${await page.getByTestId('inspector-meta').innerText()}`);
    });
    for (const kind of ['pid', 'mnt', 'net', 'uts', 'ipc']) {
      const badge = row.locator(`.badge[data-kind=${kind}]`);
      expect(await badge.getAttribute('class'), kind).toMatch(/\bown\b/);
      expect(await badge.getAttribute('class'), kind).not.toMatch(/slot-0\b/);
    }
    expect(await row.locator('.badge[data-kind=user]').getAttribute('class')).toMatch(/slot-0\b/);
    // its pid namespace differs from init's
    const ino = await row.locator('.badge[data-kind=pid]').getAttribute('data-ino');
    expect(ino).not.toBe(await page.locator('tr[data-pid="1"] .badge[data-kind=pid]').getAttribute('data-ino'));
    await button.click();
    await expect.poll(() => row.getAttribute('class')).toMatch(/\bin\b/);
    expect(await page.locator('tr[data-pid="1"]').getAttribute('class')).toMatch(/\bdim\b/);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'inspector-processes.png') });
  }, 300_000);

  it("shows the container's cgroup with memory.max as docker run -m set it, and CPU samples", async () => {
    await page.getByRole('tab', { name: 'cgroups' }).click();
    const row = page.locator('[data-testid=cgroup-table] tbody tr[data-container="spy"]');
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.getByTestId('mem').innerText(), { timeout: 30_000 }).toMatch(/ \/ 24\.0MiB$/);
    await expect.poll(() => row.locator('.num').last().innerText(), { timeout: 30_000 }).toMatch(/^[\d.]+%$/);
    await page.screenshot({ path: join(RESULTS, 'inspector-cgroups.png') });
  }, 120_000);

  it("shows a file written in a container in its upper dir, over the image's layers", async () => {
    await typeInTerminal(page, "docker run -d --name lay busybox sh -c 'echo hi > /made-here; sleep 600'");
    await page.getByRole('tab', { name: 'Layers' }).click();
    const button = page.getByTestId('layers-container-lay');
    await button.waitFor({ timeout: 180_000 });
    await button.click();
    const table = page.locator('[data-testid=layers-table][data-container="lay"]');
    await table.waitFor({ timeout: 30_000 });
    const made = page.locator('[data-testid=upper-table] tr[data-path="/made-here"]');
    await made.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\ninspector: ${await page.getByTestId('inspector').innerText()}`);
    });
    expect(await made.getAttribute('data-kind')).toBe('file');
    expect(await made.innerText()).toMatch(/3B/);
    // busybox is one image layer: the stack is merged, upper, and at least that layer with its files counted
    const rows = table.locator('tbody tr');
    expect(await rows.nth(0).innerText()).toMatch(/^merged/);
    expect(await rows.nth(1).innerText()).toMatch(/upper \(container\)[\s\S]*\/overlay2\/[0-9a-f]{64}\/diff/);
    await expect.poll(() => table.locator('tbody tr.layer').last().innerText(), { timeout: 60_000 }).toMatch(/image layer, diff [0-9a-f]{12}[\s\S]*\d+ files, \d+ dirs/);
    // a deletion from the image shows as a whiteout
    await typeInTerminal(page, 'docker exec lay rm /bin/vi && echo rm-done');
    await page.locator('[data-testid=upper-table] tr[data-path="/bin/vi"][data-kind=whiteout]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(RESULTS, 'inspector-layers.png') });
  }, 300_000);

  it('shows a user network with its bridge, and the veth pair to the container on it', async () => {
    await typeInTerminal(page, 'docker network create inspnet >/dev/null && docker run -d --name netc --network inspnet -p 8088:80 busybox sleep 600');
    await page.getByRole('tab', { name: 'Network' }).click();
    const row = page.locator('[data-testid=network-table] tbody tr[data-network="inspnet"][data-container="netc"]');
    await row.waitFor({ timeout: 180_000 }).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\ninspector: ${await page.getByTestId('inspector').innerText()}`);
    });
    expect(await row.getAttribute('data-bridge')).toMatch(/^br-[0-9a-f]{12}$/);
    expect(await row.getAttribute('data-veth')).toMatch(/^veth[0-9a-f]{7}$/);
    const text = await row.innerText();
    // the bridge's address and the container's, from the kernel; the peer is eth0 in the container's namespace
    expect(text).toMatch(/172\.\d+\.0\.1\/16/);
    expect(text).toMatch(/eth0/);
    expect(text).toMatch(/172\.\d+\.0\.2\/16/);
    expect(text).toMatch(/0\.0\.0\.0:8088->80\/tcp/);
    // the default network's bridge is there too, with the first test's containers on it
    await page.locator('[data-testid=network-table] tbody tr[data-bridge="docker0"][data-container="spy"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('network-diagram').locator('text', { hasText: 'netc' }).count()).toBe(1);
    await page.screenshot({ path: join(RESULTS, 'inspector-network.png') });
  }, 300_000);

  it('closes, and the terminal works as before', async () => {
    await page.getByRole('button', { name: 'Close the inspector' }).click();
    await expect.poll(() => page.getByTestId('inspector').count()).toBe(0);
    await typeInTerminal(page, 'docker rm -f spy lay netc >/dev/null && docker network rm inspnet >/dev/null && echo removed-$((40+2))');
    await expect.poll(() => page.locator('.xterm-rows').innerText(), { timeout: 120_000 }).toMatch(/removed-42/);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
