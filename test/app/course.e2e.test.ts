// The course page and lesson URLs, end to end in headless Debian Chromium against the built app
// and the real guest: the course page lists the lessons on disk with their minutes; a deep link
// opens lesson 7 at a step on a first load; the step's Run button types its commands into the
// guest's terminal and Check passes; the course page then shows that progress (also after a
// reload, from IndexedDB); a lesson with a set-up opens from its starting state and Reset returns
// to it; and with the server gone and the browser offline, deep links still open.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/cache.ts';
import { loadLessonsFromDisk } from '../../src/lessons/node.ts';
import type { Lesson } from '../../src/lessons/types.ts';
import { launchChromium } from './chromium.ts';
import { typeInTerminal } from './playground.ts';
import { guestMissing, serveBuilt, sharedBuild } from './server.ts';

const missing = guestMissing();
// Under CI every test runs: a missing guest is an error there, not a skip.
if (missing && process.env['CI'] === 'true') throw new Error(`the course browser test cannot run under CI=true: ${missing}`);
const RESULTS = join(repoRoot, 'test-results');
const lessons: Lesson[] = loadLessonsFromDisk().entries.flatMap((e) => (e.lesson ? [e.lesson] : []));
const DOCKERFILE = '07-dockerfile';
/** A lesson with a setup script, on the default guest size. */
const VOLUMES = '08-volumes';
const memoryOf = (slug: string) => lessons.find((l) => l.slug === slug)?.environment.memoryMiB;
/** The multi-stage step: two short RUNs on debian and a copy into busybox, seconds not minutes (the python3 step takes minutes). */
const STEP = '04-multi-stage';

async function waitTerminal(page: Page, re: RegExp, timeout = 60_000): Promise<void> {
  await expect.poll(() => page.locator('.xterm-rows').innerText(), { timeout, interval: 500 }).toMatch(re);
}

async function waitReady(page: Page, timeout = 420_000): Promise<void> {
  await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout });
}

/** Each lesson card of the course page: slug, heading, minutes and progress text. */
async function courseCards(page: Page) {
  const cards = page.locator('[data-testid=course-lesson]');
  await cards.first().waitFor({ timeout: 60_000 });
  return cards.evaluateAll((els) =>
    els.map((el) => ({
      slug: (el as HTMLElement).dataset.slug,
      heading: el.querySelector('h2')?.textContent?.trim(),
      minutes: el.querySelector('[data-testid=minutes]')?.textContent?.trim(),
      progress: el.querySelector('[data-testid=lesson-progress]')?.textContent?.replace(/\s+/g, ' ').trim(),
    })),
  );
}

/**
 * Presses Check until the step passes. A check that ran out of its time (the lesson's timeout, for
 * a learner's quiet machine; this one may be shared by several emulators) is pressed again, as a
 * learner would; a check that answered "Not yet" with FAIL lines fails the test with those lines.
 */
async function checkPasses(page: Page, attempts = 3): Promise<void> {
  const box = page.locator('.check');
  const button = box.locator('button').first();
  for (let i = 1; ; i++) {
    await button.click();
    // The previous answer stays on screen while the check runs: wait for this run to end.
    await expect.poll(() => button.innerText(), { timeout: 10_000 }).toBe('Checking…').catch(() => undefined);
    await expect.poll(() => button.innerText(), { timeout: 180_000 }).toBe('Check');
    const text = await box.innerText();
    if (/Step done\./.test(text)) return;
    if (!/did not finish within/.test(text) || i === attempts) throw new Error(`the check did not pass (attempt ${i}):\n${text}`);
  }
}

describe.skipIf(missing)(`course page and lesson URLs in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let context: BrowserContext;
  let server: Awaited<ReturnType<typeof serveBuilt>>;
  let serverOpen = false;
  const pageErrors: string[] = [];
  const track = (p: Page) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`));

  beforeAll(async () => {
    server = await serveBuilt(await sharedBuild());
    serverOpen = true;
    ({ context } = await launchChromium());
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    if (serverOpen) await server?.close();
  });

  it('the course page lists every lesson in order with its minutes, and nothing done yet', async () => {
    expect(lessons.map((l) => l.slug)).toContain(DOCKERFILE);
    const page = context.pages()[0] ?? (await context.newPage());
    track(page);
    await page.goto(server.url + '#/course');
    await page.getByRole('heading', { level: 1, name: 'How containers really work' }).waitFor({ timeout: 60_000 });
    const cards = await courseCards(page);
    expect(cards.map((c) => c.slug)).toEqual(lessons.map((l) => l.slug));
    expect(cards.map((c) => c.heading)).toEqual(lessons.map((l) => `Lesson ${l.number}: ${l.title}`));
    expect(cards.map((c) => c.minutes)).toEqual(lessons.map((l) => `${l.minutes} min`));
    for (const [i, c] of cards.entries()) expect(c.progress).toBe(`Not started 0 of ${lessons[i]!.steps.length} steps done`);
    const dockerfile = lessons.find((l) => l.slug === DOCKERFILE)!;
    await expect(page.locator(`[data-slug="${DOCKERFILE}"] .teaches`).innerText()).resolves.toBe(dockerfile.summary);
    await expect(page.locator('[data-testid=continue]').innerText()).resolves.toMatch(/^Start the course/);
    // Keyboard: the page's heading has the focus, and Tab reaches the lesson links.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('course-title');
    // An unknown lesson's link lands here with a message, not on a blank page.
    await page.goto(server.url + '#/lessons/99-nothing');
    await expect(page.locator('[data-testid=course-notice]').innerText()).resolves.toMatch(/no lesson "99-nothing"/);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'course-page.png'), fullPage: true });
    // This tab's guest goes before the next one starts (one emulator at a time on a small machine).
    await page.close();
  }, 120_000);

  it(`a deep link opens lesson 7 at a step on a first load; Run types the step's commands and Check passes`, async () => {
    const page = await context.newPage();
    track(page);
    // The VM worker's console: how the guest booted (cold, or from which snapshot).
    const boots: string[] = [];
    page.on('console', (m) => boots.push(m.text()));
    await page.goto(`${server.url}#/lessons/${DOCKERFILE}/${STEP}`);
    await expect.poll(() => page.locator('[data-testid=lesson-title]').innerText(), { timeout: 60_000 }).toMatch(/^Lesson 7: Dockerfile$/);
    await expect.poll(() => page.locator('ol.steps button[aria-current=step]').innerText(), { timeout: 30_000 }).toMatch(/A small multi-stage build/);
    await expect.poll(() => page.title()).toBe('7. Dockerfile · Whalebone');
    // Lesson 7 has a set-up (its images) and asks for a 512 MiB guest: the link restores its
    // starting state, a guest of that size with the images pulled, at once: no boot snapshot
    // first, no cold boot, no set-up in the tab.
    await waitReady(page);
    expect(memoryOf(DOCKERFILE)).toBeGreaterThan(256);
    expect(boots.filter((m) => m.startsWith('[vm] boot started'))).toEqual([expect.stringMatching(new RegExp(`booted from the starting state of ${DOCKERFILE} in \\d+ ms \\(state in hand \\d+ ms`))]);
    expect(boots.filter((m) => m.startsWith(`[app] lesson ${DOCKERFILE} ready:`))).toEqual([expect.stringMatching(/ready: starting state restored \d+ ms/)]);
    await page.locator('[data-testid=lesson-body] button.run').first().click();
    await waitTerminal(page, /hello from a tiny image, built in debian \d+/, 600_000);
    await checkPasses(page);
    await expect.poll(() => page.locator('ol.steps button', { hasText: 'A small multi-stage build' }).locator('.mark').innerText()).toBe('✓');
    expect(new URL(page.url()).hash).toBe(`#/lessons/${DOCKERFILE}/${STEP}`);

    // Back to the course page: lesson 7 shows the step done, and "continue" leads back into it.
    await page.locator('[data-testid=to-course]').click();
    const card = page.locator(`[data-slug="${DOCKERFILE}"] [data-testid=lesson-progress]`);
    const steps = lessons.find((l) => l.slug === DOCKERFILE)!.steps.length;
    await expect.poll(() => card.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`In progress\\s+1 of ${steps} steps done`));
    await expect(page.locator('[data-testid=continue]').innerText()).resolves.toMatch(/Continue where you left off\s+7\. Dockerfile, step 5: /);
    await page.screenshot({ path: join(RESULTS, 'course-page-progress.png'), fullPage: true });
    // The record is in IndexedDB: a reload of the course page shows it too.
    await page.reload();
    await expect.poll(() => card.innerText(), { timeout: 60_000 }).toMatch(new RegExp(`In progress\\s+1 of ${steps} steps done`));
    // Back from the course page into the lesson, by its link.
    await page.locator('[data-testid=back-to-lesson]').click();
    await expect.poll(() => page.locator('[data-testid=lesson-title]').innerText(), { timeout: 30_000 }).toMatch(/Dockerfile/);
    await expect(page.locator('[data-testid=course-page]').count()).resolves.toBe(0);
    // The precache (asked for once the lesson is ready) finishes before the server goes away.
    await page.locator('[data-testid=offline]').waitFor({ timeout: 300_000 });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 1_500_000);

  it('a lesson with a set-up opens from its starting state, and Reset goes back to it', async () => {
    const page = await context.newPage();
    track(page);
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    // Opened from another lesson, as a learner moves on: the guest is replaced by the lesson's state.
    await page.goto(`${server.url}#/lessons/02-namespaces`);
    await waitReady(page);
    await page.evaluate((slug) => (location.hash = `#/lessons/${slug}`), VOLUMES);
    await expect.poll(() => logs.filter((m) => m.startsWith(`[app] lesson ${VOLUMES} ready:`)), { timeout: 60_000 }).toEqual([expect.stringMatching(/ready: starting state restored \d+ ms/)]);
    await waitReady(page);
    // The set-up did not run in the tab: its container (diary) came with the restored state.
    expect(logs.some((m) => m.startsWith(`[vm] lesson ${VOLUMES}: restored its starting state in`))).toBe(true);
    await typeInTerminal(page, `clear; docker ps --format '{{.Names}} {{.Status}}'`);
    await waitTerminal(page, /diary Up/);
    await typeInTerminal(page, `clear; docker rm -f diary >/dev/null; docker ps -a -q | wc -l | sed 's/^/left: /'`);
    await waitTerminal(page, /left: 0/);
    await page.locator('[data-testid=reset]').click();
    await waitReady(page, 60_000);
    await typeInTerminal(page, `clear; docker exec diary tail -1 /diary.txt`);
    await waitTerminal(page, /dear diary, today I was written into my upper layer/);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('offline, with the server gone, a deep link opens its lesson and the course page shows the progress', async () => {
    await server.close();
    serverOpen = false;
    await context.setOffline(true);
    const before = server.requests().length;
    const page = await context.newPage();
    track(page);
    await page.goto(`${server.url}#/lessons/02-namespaces/01-the-ns-files`);
    await expect.poll(() => page.locator('[data-testid=lesson-title]').innerText(), { timeout: 60_000 }).toMatch(/Namespaces/);
    await expect.poll(() => page.locator('ol.steps button[aria-current=step]').innerText(), { timeout: 30_000 }).toMatch(/^1\b/);
    await waitReady(page);
    // The step's first command (ls -l /proc/$$/ns) answers from the guest: the namespace links.
    await page.locator('[data-testid=lesson-body] button.run').first().click();
    await waitTerminal(page, /(uts|pid|mnt) -> '?(uts|pid|mnt):\[\d+\]/);
    await page.goto(`${server.url}#/course`);
    const card = page.locator(`[data-slug="${DOCKERFILE}"] [data-testid=lesson-progress]`);
    await expect.poll(() => card.innerText(), { timeout: 60_000 }).toMatch(/In progress\s+1 of \d+ steps done/);
    expect(server.requests().length).toBe(before);
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
