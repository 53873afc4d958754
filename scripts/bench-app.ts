// npm run bench:app [-- --runs N] [--baseline stock|own-loop|tuned] [--no-build] [--no-inspector] [--no-switch] [--dist DIR (a build to measure instead of dist/; implies --no-build)]: the playground in headless Chromium, built
// (`npm run build`) and served by a static server that compresses like a web server would, under
// a sub-path. Each run uses a fresh browser profile: a first visit (nothing cached); once that
// page says it works offline (everything cached) it is closed, and a new tab visits again (a
// returning learner: nothing of the first page's work is still running); then another new tab
// with v86 exactly as shipped (?v86=stock, the baseline: v86's own restore_state, which clears
// and commits all guest RAM, instead of the driver's restoreIntoFresh). The page is watched with page.evaluate only: Playwright's waitFor* helpers
// inject a large script into each new document, whose compile is a long task of its own.
// Medians over the runs of:
//   navigation -> interactive prompt (the guest's shell answered in the terminal), target <= 1.5 s
//     cached, <= 3 s first visit (#17)
//   navigation -> lesson ready (start files in the guest, a Reset point saved)
//   bytes over the wire until the first lesson is ready on a first visit, target <= 6 MB (#17)
//   main-thread long tasks until the prompt (count, longest), target none over 200 ms
//   guest command round trip (exec `true`) after the lesson is ready
//   tab memory with the guest running: the resident memory of the renderers running the page (and
//     its workers) and the service worker, Chromium's spare renderer shown apart; the page's JS heap,
//     target <= 600 MiB (#17)
//   the inspector (#15, on the cached tab; --no-inspector leaves it out): a typed command's round
//     trip with the panel closed and open (target <= 10% slower), the guest's time per refresh,
//     and `docker run -d` -> the container in the panel (target <= 1.5 s)
//   switching lessons (#17, on the cached tab; --no-switch leaves it out): link -> the next lesson
//     set up, to a lesson on the same guest, to one with a set-up that asks for a bigger guest and
//     to one with a set-up on the default size (both restore their starting states), target
//     <= 1.5 s; the baseline is the last two in a fresh profile with the lesson states hidden
//     (the set-up runs in the tab, as before lessons had starting states)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../test/app/chromium.ts';
import { serveStatic, type StaticServer } from '../test/app/static-server.ts';
import { repoRoot } from './lib/cache.ts';
import { BuildError, log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { inspectorFigures, type InspectorFigures } from './lib/bench-app-inspector.ts';
import { switchLesson, type SwitchTimes } from './lib/bench-app-switch.ts';
import { profileRenderers } from './lib/renderers.ts';
import { lessonStateFiles } from '../src/vm/assets.ts';
import { RAW_STATES_FOLDER } from '../src/vm/browser-assets.ts';
import { hasStartState } from '../src/lessons/start-state.ts';
import { DEFAULT_MEMORY_MIB } from '../src/vm/core.ts';
import { loadLessonsFromDisk } from '../src/lessons/node.ts';
import { sleep } from './lib/sleep.ts';

const SCOPE = 'bench:app';
const BASE = '/bench/whalebone/';
const MB = 1e6;

interface Visit {
  /** What ran in the longest task (from the long animation frame around it). */
  longestWhat: string;
  promptMs: number;
  lessonMs: number;
  bytes: number;
  /** The largest parts of bytes, by request path (the sub-path left out), largest first. */
  largest: [string, number][];
  longTasks: number;
  longestTaskMs: number;
  execMs: number;
  bootLine: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * Collects long tasks from the first moment of every document in the context, and the long
 * animation frames (which name the scripts that ran in them) to explain the longest.
 */
const LONG_TASKS = `
  window.__longTasks = [];
  window.__frames = [];
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        window.__frames.push([e.startTime, e.duration, (e.scripts || []).map((s) => Math.round(s.duration) + ' ms ' + s.invokerType + ' ' + (s.invoker || '') + ' ' + String(s.sourceURL || '').split('/').pop())]);
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
`;

/** Navigates page to the app (a new tab each visit but the first) and measures until the lesson is ready. */
async function visit(page: Page, server: StaticServer, query = ''): Promise<Visit> {
  server.resetCounters();
  // The worker's own account of its boot: when it started and where the restore's time went.
  let bootLine = '';
  page.on('console', (m) => {
    const t = m.text();
    if (t.startsWith('[vm] boot started')) bootLine ||= t.slice('[vm] '.length);
  });
  await page.goto(server.url + query, { waitUntil: 'commit' });
  // A mark's time since navigation, and as wall-clock time (the static server's clock).
  const mark = async (name: string, timeoutMs: number): Promise<{ ms: number; wallMs: number }> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = await page
        .evaluate((n) => {
          if (performance.getEntriesByName('whalebone:vm-failed')[0]) return -1;
          const at = performance.getEntriesByName(`whalebone:${n}`)[0]?.startTime;
          return at === undefined ? null : { ms: at, wallMs: performance.timeOrigin + at };
        }, name)
        .catch(() => null); // the document may still be replacing the previous one
      if (t !== null && t !== -1) return t;
      if (t !== null) throw new Error(`the VM failed to boot: ${await page.evaluate(() => document.querySelector('[data-testid=vm-error]')?.textContent ?? '?')}`);
      if (Date.now() > deadline) throw new Error(`no whalebone:${name} mark within ${timeoutMs / 1000} s`);
      await sleep(50);
    }
  };
  const promptMs = (await mark('prompt', 300_000)).ms;
  const { ms: lessonMs, wallMs: readyAt } = await mark('lesson-ready', 300_000);
  // What was asked for before the lesson was ready: the page asks for the rest (the precache) right after.
  const bytes = server.bytesSent(readyAt);
  const largest = [...server.bytesByPath(readyAt)].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([p, n]): [string, number] => [p.slice(p.lastIndexOf('/') + 1), n]);
  const { longTasks, frames } = await page.evaluate(() => {
    const w = window as unknown as { __longTasks: [number, number][]; __frames: [number, number, string[]][] };
    return { longTasks: w.__longTasks, frames: w.__frames };
  });
  const tasks = longTasks.filter(([start]) => start <= promptMs);
  const longest = tasks.reduce<[number, number] | null>((a, t) => (!a || t[1] > a[1] ? t : a), null);
  const frame = longest && frames.find(([start, d]) => start <= longest[0] + 1 && longest[0] + longest[1] <= start + d + 1);
  const longestWhat = longest ? `${Math.round(longest[1])} ms at ${Math.round(longest[0])} ms: ${frame?.[2].join('; ') || 'no script named'}` : 'none';
  const execMs = median(
    (await page.evaluate(async () => {
      const s = (globalThis as unknown as { whalebone: { session: { vm: { exec(c: string): Promise<unknown> } } } }).whalebone.session;
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await s.vm.exec('true');
        out.push(performance.now() - t);
      }
      return out;
    })) as number[],
  );
  return { promptMs, lessonMs, bytes, largest, longTasks: tasks.length, longestTaskMs: longest?.[1] ?? 0, longestWhat, execMs, bootLine };
}

/** Ms waited until the origin's private file system holds a decompressed state, or null. */
async function keptCopyWritten(page: Page, timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const kept = await page
      .evaluate(async (folderName) => {
        try {
          const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(folderName);
          // whole once no part of it is still being written (.part, or a writable's .crswap)
          let whole = false;
          for await (const handle of (folder as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
            if (handle.kind !== 'file') continue;
            if (/\.(part|crswap)$/.test(handle.name)) return false;
            if ((await (handle as FileSystemFileHandle).getFile()).size > 0) whole = true;
          }
          return whole;
        } catch {
          // no folder yet
        }
        return false;
      }, RAW_STATES_FOLDER)
      .catch(() => false);
    if (kept) return Date.now() - t0;
    await sleep(250);
  }
  return null;
}

interface RendererRss {
  /** The renderer running the page (and so its dedicated workers: the VM, Monaco's). */
  page: number;
  /** Renderers running only a service worker (the app's, left in the first visit's process). */
  serviceWorker: number;
  /** Renderers running no worker: Chromium's spare process, kept ready for a next navigation. */
  spare: number;
}

/**
 * Resident memory of the browser's renderer processes for this profile, by what they run, told
 * apart by their threads' names: every page of the app starts the VM's dedicated worker.
 */
function rendererRssMiB(userDataDir: string): RendererRss {
  const out: RendererRss = { page: 0, serviceWorker: 0, spare: 0 };
  for (const { pid } of profileRenderers(userDataDir)) {
    try {
      const threads = readdirSync(`/proc/${pid}/task`).map((t) => readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8'));
      const mib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      const kind = threads.some((t) => t.startsWith('DedicatedWorker')) ? 'page' : threads.some((t) => t.startsWith('ServiceWorker')) ? 'serviceWorker' : 'spare';
      out[kind] += mib;
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

async function jsHeapMiB(context: BrowserContext, page: Page): Promise<number> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1024 / 1024;
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new BuildError('--runs needs a positive integer');
  if (!process.argv.includes('--no-build') && !arg('--dist')) {
    log(SCOPE, 'building the app (npm run build) ...');
    const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new BuildError(`npm run build failed (exit ${r.status})`);
  }
  const root = resolve(repoRoot, arg('--dist') ?? 'dist');
  if (!existsSync(join(root, 'vm', 'state.bin.zst'))) throw new BuildError('dist/vm has no boot snapshot: run npm run build');
  const server = await serveStatic({ root, base: BASE });
  log(SCOPE, `serving dist/ at ${server.url} (gzip/brotli, ranges)`);
  const first: Visit[] = [];
  const cached: Visit[] = [];
  const stock: Visit[] = [];
  // --baseline MODE: the third tab's ?v86= (default stock: v86 exactly as shipped); own-loop compares v86's own yield
  const baseline = arg('--baseline') ?? 'stock';
  const rss: RendererRss[] = [];
  const heap: number[] = [];
  const inspector: InspectorFigures[] = [];
  const withInspector = !process.argv.includes('--no-inspector');
  const withSwitch = !process.argv.includes('--no-switch');
  const lessons = loadLessonsFromDisk().entries.flatMap((e) => (e.lesson ? [e.lesson] : []));
  const sameSize = lessons.find((l, i) => i > 0 && !l.environment.memoryMiB);
  const bigger = lessons.find((l) => (l.environment.memoryMiB ?? 0) > DEFAULT_MEMORY_MIB && hasStartState(l));
  const withSetup = lessons.find((l) => !l.environment.memoryMiB && l.environment.setup);
  const switchSame: SwitchTimes[] = [];
  const switchBig: SwitchTimes[] = [];
  const switchSetup: SwitchTimes[] = [];
  const switchBigCold: SwitchTimes[] = [];
  const switchSetupCold: SwitchTimes[] = [];
  const canSwitch = withSwitch && sameSize && bigger && withSetup;
  try {
    for (let i = 0; i < runs; i++) {
      const { context, userDataDir } = await launchChromium();
      try {
        await context.addInitScript(LONG_TASKS);
        const show = (what: string, v: Visit) =>
          log(SCOPE, `run ${i + 1}/${runs} ${what}: prompt ${(v.promptMs / 1000).toFixed(2)} s, lesson ${(v.lessonMs / 1000).toFixed(2)} s, ${(v.bytes / MB).toFixed(2)} MB; longest task ${v.longestWhat}; ${v.bootLine || 'no boot line from the worker'}`);
        let page = context.pages()[0] ?? (await context.newPage());
        const v1 = await visit(page, server);
        first.push(v1);
        show('first visit', v1);
        log(SCOPE, `run ${i + 1}/${runs} first visit's transfer: ${v1.largest.map(([p, n]) => `${p} ${(n / MB).toFixed(2)} MB`).join(', ')}`);
        // Everything cached (the page says so once the service worker has the whole app), then a new
        // tab. A build from before that indicator (--dist) gets 20 s to cache instead.
        await page
          .locator('[data-testid=offline]')
          .waitFor({ timeout: arg('--dist') ? 20_000 : 300_000 })
          .catch(() => log(SCOPE, `run ${i + 1}/${runs}: the page never said it works offline; going on`));
        // A returning learner's tab restores the decompressed copy the first visit kept (written a
        // few seconds after its restore, so as not to compete with the lesson's set-up); a tab
        // closed sooner keeps none, and its next visit decompresses again.
        const keptAfter = await keptCopyWritten(page, 30_000);
        log(SCOPE, `run ${i + 1}/${runs}: ${keptAfter === null ? 'the first visit kept no decompressed state within 30 s; going on' : `the decompressed state kept ${keptAfter} ms after the page said it works offline`}`);
        await page.close();
        page = await context.newPage();
        const v2 = await visit(page, server);
        cached.push(v2);
        show('cached', v2);
        await page.waitForTimeout(2000);
        rss.push(rendererRssMiB(userDataDir));
        heap.push(await jsHeapMiB(context, page));
        if (withInspector) {
          const f = await inspectorFigures(page, 5, String(i));
          inspector.push(f);
          log(SCOPE, `run ${i + 1}/${runs} inspector: typed echo ${Math.round(median(f.typedClosedMs))} ms closed, ${Math.round(median(f.typedOpenMs))} ms open; guest ${median(f.refreshGuestMs).toFixed(0)} ms per refresh; docker run -d ${Math.round(median(f.dockerRunClosedMs))} ms closed, ${Math.round(median(f.dockerRunMs))} ms open, in the panel after ${Math.round(median(f.runToViewMs))} ms`);
        }
        if (canSwitch) {
          const a = await switchLesson(page, sameSize.slug);
          const b = await switchLesson(page, bigger.slug);
          const c = await switchLesson(page, withSetup.slug);
          switchSame.push(a);
          switchBig.push(b);
          switchSetup.push(c);
          // Back to the first lesson, so the baseline tab below opens it (the app reopens the last lesson).
          await switchLesson(page, lessons[0]!.slug);
          log(SCOPE, `run ${i + 1}/${runs} lesson switch: to ${sameSize.slug} ready in ${Math.round(a.readyMs)} ms; to ${bigger.slug} (${bigger.environment.memoryMiB} MiB guest) ${b.promptMs === null ? '' : `prompt ${Math.round(b.promptMs)} ms, `}ready ${Math.round(b.readyMs)} ms; to ${withSetup.slug} ready in ${Math.round(c.readyMs)} ms`);
        }
        await page.close();
        page = await context.newPage();
        const v3 = await visit(page, server, `?v86=${baseline}`);
        stock.push(v3);
        show(`cached, ?v86=${baseline}`, v3);
      } finally {
        await context.close();
      }
      if (canSwitch) {
        // Baseline: no lesson starting states (the set-up runs in the tab), in a profile with nothing cached.
        const { context: cold } = await launchChromium();
        await cold.addInitScript(LONG_TASKS);
        server.hide(lessons.flatMap((l) => Object.values(lessonStateFiles(l.slug))).map((f) => `/vm/${f}`));
        try {
          const page = cold.pages()[0] ?? (await cold.newPage());
          await visit(page, server);
          const c = await switchLesson(page, bigger.slug);
          const d = await switchLesson(page, withSetup.slug);
          switchBigCold.push(c);
          switchSetupCold.push(d);
          log(SCOPE, `run ${i + 1}/${runs} lesson switch without starting states (baseline): to ${bigger.slug} ${c.promptMs === null ? '' : `prompt ${Math.round(c.promptMs)} ms, `}ready ${Math.round(c.readyMs)} ms; to ${withSetup.slug} ready in ${Math.round(d.readyMs)} ms`);
        } finally {
          server.hide([]);
          await cold.close();
        }
      }
    }
  } finally {
    await server.close();
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const col = (xs: Visit[], f: (v: Visit) => number, fmt: (n: number) => string) => (xs.length ? fmt(median(xs.map(f))) : '-');
  const rows: [string, string, string, string, string][] = [
    ['navigation -> interactive prompt', col(cached, (v) => v.promptMs, s), col(first, (v) => v.promptMs, s), col(stock, (v) => v.promptMs, s), '<= 1.5 s cached, 3 s first'],
    ['navigation -> lesson ready', col(cached, (v) => v.lessonMs, s), col(first, (v) => v.lessonMs, s), col(stock, (v) => v.lessonMs, s), 'a few s after the prompt'],
    ['transfer until the lesson is ready', col(cached, (v) => v.bytes, (b) => `${(b / MB).toFixed(2)} MB`), col(first, (v) => v.bytes, (b) => `${(b / MB).toFixed(2)} MB`), '-', '<= 6 MB first visit'],
    ['long tasks until the prompt (count)', col(cached, (v) => v.longTasks, String), col(first, (v) => v.longTasks, String), col(stock, (v) => v.longTasks, String), '0 over 200 ms'],
    ['longest task until the prompt', col(cached, (v) => v.longestTaskMs, (n) => `${Math.round(n)} ms`), col(first, (v) => v.longestTaskMs, (n) => `${Math.round(n)} ms`), col(stock, (v) => v.longestTaskMs, (n) => `${Math.round(n)} ms`), '<= 200 ms'],
    ['guest command round trip (exec true)', col(cached, (v) => v.execMs, (n) => `${Math.round(n)} ms`), col(first, (v) => v.execMs, (n) => `${Math.round(n)} ms`), col(stock, (v) => v.execMs, (n) => `${Math.round(n)} ms`), '-'],
  ];
  const head: [string, string, string, string, string] = ['medians of ' + runs + ' run(s)', 'cached', 'first visit', `cached, ?v86=${baseline} (baseline)`, 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const parts = first[first.length - 1]?.largest;
  if (parts) console.log(`first visit's transfer, the largest parts (last run): ${parts.map(([p, n]) => `${p} ${(n / MB).toFixed(2)} MB`).join(', ')}`);
  const mem = (f: (r: RendererRss) => number) => Math.round(median(rss.map(f)));
  console.log(
    `tab memory with the guest running: renderer RSS ${mem((r) => r.page + r.serviceWorker)} MiB (page + VM worker ${mem((r) => r.page)}, the service worker's renderer ${mem((r) => r.serviceWorker)}; ` +
      `not counted: Chromium's spare renderer ${mem((r) => r.spare)}), page JS heap ${median(heap).toFixed(1)} MiB; target <= 600 MiB`,
  );
  if (switchSame.length && canSwitch) {
    const ms = (xs: SwitchTimes[], f: (x: SwitchTimes) => number | null) => `${Math.round(median(xs.map((x) => f(x) ?? NaN)))} ms`;
    console.log(`lesson switch (cached tab, link -> lesson set up; target <= 1.5 s):`);
    console.log(`  to ${sameSize.slug} (same guest): ${ms(switchSame, (x) => x.readyMs)}`);
    console.log(`  to ${bigger.slug} (its starting state, a ${bigger.environment.memoryMiB} MiB guest): ${ms(switchBig, (x) => x.readyMs)}`);
    console.log(`  to ${withSetup.slug} (its starting state): ${ms(switchSetup, (x) => x.readyMs)}`);
    if (switchBigCold.length) {
      console.log(`  baseline, without starting states (fresh profile; the set-up runs in the tab):`);
      console.log(`    to ${bigger.slug} (a new guest from that size's boot snapshot): prompt ${ms(switchBigCold, (x) => x.promptMs)}, set up ${ms(switchBigCold, (x) => x.readyMs)}`);
      console.log(`    to ${withSetup.slug}: set up ${ms(switchSetupCold, (x) => x.readyMs)}`);
    }
  }
  if (inspector.length) {
    // medians over every sample of every run
    const all = (f: (x: InspectorFigures) => number[]) => median(inspector.flatMap(f));
    const closed = all((x) => x.typedClosedMs);
    const open = all((x) => x.typedOpenMs);
    console.log(`inspector (cached tab, ${inspector.length * 5} samples each):`);
    console.log(`  typed command round trip: ${Math.round(closed)} ms with the panel closed (baseline), ${Math.round(open)} ms open (${((open / closed - 1) * 100).toFixed(0)}%; target <= +10%)`);
    console.log(`  guest time per refresh: ${all((x) => x.refreshGuestMs).toFixed(0)} ms (one refresh a second while open)`);
    console.log(`  docker run -d: ${Math.round(all((x) => x.dockerRunClosedMs))} ms with the panel closed (baseline), ${Math.round(all((x) => x.dockerRunMs))} ms open; the container in the panel ${Math.round(all((x) => x.runToViewMs))} ms after it was issued (target <= 1.5 s)`);
  }
}

runMain(SCOPE, main);
