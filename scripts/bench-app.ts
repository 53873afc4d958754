// npm run bench:app [-- --runs N] [--no-build]: the playground in headless Chromium, built
// (`npm run build`) and served by a static server that compresses like a web server would, under
// a sub-path. Each run uses a fresh browser profile: a first visit (nothing cached), then a
// reload with everything cached, then a reload with the emulator untuned (?v86=stock, the
// baseline for the worker adjustments in src/vm/worker-v86.ts). Medians over the runs of:
//   navigation -> interactive prompt (the guest's shell answered in the terminal), target <= 3 s cached
//   navigation -> lesson ready (start files in the guest, a Reset point saved)
//   bytes over the wire until the first lesson is ready on a first visit, target <= 15 MB
//   main-thread long tasks until the prompt (count, longest), target none over 200 ms
//   guest command round trip (exec `true`) after the lesson is ready
//   tab memory with the guest running: the renderer's resident memory and the page's JS heap
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../test/app/chromium.ts';
import { serveStatic, type StaticServer } from '../test/app/static-server.ts';
import { repoRoot } from './lib/cache.ts';
import { BuildError, log, runMain } from './lib/progress.ts';

const SCOPE = 'bench:app';
const BASE = '/bench/whalebone/';
const MB = 1e6;

interface Visit {
  promptMs: number;
  lessonMs: number;
  bytes: number;
  longTasks: number;
  longestTaskMs: number;
  execMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Collects long tasks from the first moment of every document in the context. */
const LONG_TASKS = `
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
`;

async function visit(page: Page, server: StaticServer, how: 'goto' | 'reload', query = ''): Promise<Visit> {
  server.resetCounters();
  if (how === 'goto') await page.goto(server.url + query);
  else await page.goto(server.url + query, { waitUntil: 'commit' });
  const mark = async (name: string, timeout: number): Promise<number> => {
    const handle = await page.waitForFunction(
      (n) => {
        const failed = performance.getEntriesByName('whalebone:vm-failed')[0];
        if (failed) return -1;
        const e = performance.getEntriesByName(`whalebone:${n}`)[0];
        return e ? e.startTime : null;
      },
      name,
      { timeout, polling: 50 },
    );
    const t = (await handle.jsonValue()) as number;
    if (t < 0) throw new Error(`the VM failed to boot: ${await page.locator('[data-testid=vm-error]').innerText().catch(() => '?')}`);
    return t;
  };
  const promptMs = await mark('prompt', 300_000);
  const lessonMs = await mark('lesson-ready', 300_000);
  const bytes = server.bytesSent();
  const tasks = (await page.evaluate(() => (window as unknown as { __longTasks: [number, number][] }).__longTasks)).filter(([start]) => start <= promptMs);
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
  return { promptMs, lessonMs, bytes, longTasks: tasks.length, longestTaskMs: Math.max(0, ...tasks.map(([, d]) => d)), execMs };
}

/** Resident memory of the browser's renderer processes for this profile (the tab, its workers included). */
function rendererRssMiB(userDataDir: string): number {
  let kib = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer') || !cmd.includes(userDataDir)) continue;
      kib += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return kib / 1024;
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
  if (!process.argv.includes('--no-build')) {
    log(SCOPE, 'building the app (npm run build) ...');
    const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new BuildError(`npm run build failed (exit ${r.status})`);
  }
  const root = join(repoRoot, 'dist');
  if (!existsSync(join(root, 'vm', 'state.bin.zst'))) throw new BuildError('dist/vm has no boot snapshot: run npm run build');
  const server = await serveStatic({ root, base: BASE });
  log(SCOPE, `serving dist/ at ${server.url} (gzip/brotli, ranges)`);
  const first: Visit[] = [];
  const cached: Visit[] = [];
  const stock: Visit[] = [];
  const rss: number[] = [];
  const heap: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const { context, userDataDir } = await launchChromium();
      try {
        await context.addInitScript(LONG_TASKS);
        const page = context.pages()[0] ?? (await context.newPage());
        const v1 = await visit(page, server, 'goto');
        first.push(v1);
        log(SCOPE, `run ${i + 1}/${runs} first visit: prompt ${(v1.promptMs / 1000).toFixed(2)} s, lesson ${(v1.lessonMs / 1000).toFixed(2)} s, ${(v1.bytes / MB).toFixed(2)} MB`);
        // Let the service worker finish caching before the network-free reload.
        await page.waitForTimeout(1500);
        const v2 = await visit(page, server, 'reload');
        cached.push(v2);
        await page.waitForTimeout(2000);
        rss.push(rendererRssMiB(userDataDir));
        heap.push(await jsHeapMiB(context, page));
        log(SCOPE, `run ${i + 1}/${runs} cached: prompt ${(v2.promptMs / 1000).toFixed(2)} s, lesson ${(v2.lessonMs / 1000).toFixed(2)} s, ${(v2.bytes / MB).toFixed(2)} MB`);
        const v3 = await visit(page, server, 'reload', '?v86=stock');
        stock.push(v3);
        log(SCOPE, `run ${i + 1}/${runs} cached, stock v86: prompt ${(v3.promptMs / 1000).toFixed(2)} s, lesson ${(v3.lessonMs / 1000).toFixed(2)} s`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await server.close();
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const col = (xs: Visit[], f: (v: Visit) => number, fmt: (n: number) => string) => (xs.length ? fmt(median(xs.map(f))) : '-');
  const rows: [string, string, string, string, string][] = [
    ['navigation -> interactive prompt', col(cached, (v) => v.promptMs, s), col(first, (v) => v.promptMs, s), col(stock, (v) => v.promptMs, s), '<= 3 s cached'],
    ['navigation -> lesson ready', col(cached, (v) => v.lessonMs, s), col(first, (v) => v.lessonMs, s), col(stock, (v) => v.lessonMs, s), 'a few s after the prompt'],
    ['transfer until the lesson is ready', col(cached, (v) => v.bytes, (b) => `${(b / MB).toFixed(2)} MB`), col(first, (v) => v.bytes, (b) => `${(b / MB).toFixed(2)} MB`), '-', '<= 15 MB first visit'],
    ['long tasks until the prompt (count)', col(cached, (v) => v.longTasks, String), col(first, (v) => v.longTasks, String), col(stock, (v) => v.longTasks, String), '0 over 200 ms'],
    ['longest task until the prompt', col(cached, (v) => v.longestTaskMs, (n) => `${Math.round(n)} ms`), col(first, (v) => v.longestTaskMs, (n) => `${Math.round(n)} ms`), col(stock, (v) => v.longestTaskMs, (n) => `${Math.round(n)} ms`), '<= 200 ms'],
    ['guest command round trip (exec true)', col(cached, (v) => v.execMs, (n) => `${Math.round(n)} ms`), col(first, (v) => v.execMs, (n) => `${Math.round(n)} ms`), col(stock, (v) => v.execMs, (n) => `${Math.round(n)} ms`), '-'],
  ];
  const head: [string, string, string, string, string] = ['medians of ' + runs + ' run(s)', 'cached', 'first visit', 'cached, stock v86 (baseline)', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(`tab memory with the guest running: renderer RSS ${Math.round(median(rss))} MiB (page + VM worker), page JS heap ${median(heap).toFixed(1)} MiB`);
}

runMain(SCOPE, main);
