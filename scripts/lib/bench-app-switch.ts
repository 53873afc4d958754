// bench:app's lesson switch (#17): from the moment the learner follows a link to another lesson
// until that lesson is set up in the guest (its start files and setup script done: the app's
// whalebone:lesson-ready mark), and until its prompt when the lesson needs a guest of its own size.
// The page is watched with page.evaluate only, as in bench-app.ts.
import type { Page } from 'playwright-core';
import { sleep } from './sleep.ts';

export interface SwitchTimes {
  /** Link followed -> the next whalebone:lesson-ready mark. */
  readyMs: number;
  /** Link followed -> the next whalebone:prompt mark (a new guest only), else null. */
  promptMs: number | null;
}

/** Follows the link to lesson slug (as a click on a lesson link does: the hash changes) and times it. */
export async function switchLesson(page: Page, slug: string, timeoutMs = 300_000): Promise<SwitchTimes> {
  const before = await page.evaluate(() => ({
    ready: performance.getEntriesByName('whalebone:lesson-ready').length,
    prompt: performance.getEntriesByName('whalebone:prompt').length,
  }));
  const t0 = await page.evaluate((s) => {
    const t = performance.now();
    location.hash = `#/lessons/${s}`;
    return t;
  }, slug);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await page.evaluate(
      (b) => ({
        ready: performance.getEntriesByName('whalebone:lesson-ready')[b.ready]?.startTime ?? null,
        prompt: performance.getEntriesByName('whalebone:prompt')[b.prompt]?.startTime ?? null,
        failed: performance.getEntriesByName('whalebone:vm-failed').length > 0,
      }),
      before,
    );
    if (seen.failed) throw new Error(`the guest failed while switching to ${slug}`);
    if (seen.ready !== null) return { readyMs: seen.ready - t0, promptMs: seen.prompt === null ? null : seen.prompt - t0 };
    if (Date.now() > deadline) throw new Error(`lesson ${slug} was not ready within ${timeoutMs / 1000} s of the switch`);
    await sleep(50);
  }
}
