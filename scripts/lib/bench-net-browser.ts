// bench:net's browser rows (BENCH_BROWSER=1): the port preview's whole road in headless Chromium,
// fetch('preview/8088/...') from the built app's page -> service worker -> the page -> the VM
// worker -> v86's network -> busybox httpd in a container on -p 8088:80, for 1 KB and 1 MB, beside
// wget of the same files inside the guest (the guest's clock) in the same run.
import type { Page } from 'playwright-core';
import { launchChromium } from '../../test/app/chromium.ts';
import { buildApp, serveBuilt } from '../../test/app/server.ts';
import { log } from './progress.ts';

const OUT_DIR = 'test-results/dist-bench-net';

interface Exec {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A command in the page's guest through the session (counted as busy); its stdout, or an error. */
export async function exec(page: Page, command: string): Promise<string> {
  const r: Exec = await page.evaluate(
    (cmd) => (globalThis as unknown as { whalebone: { session: { exec(c: string, o: object): Promise<Exec> } } }).whalebone.session.exec(cmd, { timeoutMs: 600_000 }),
    command,
  );
  if (r.exitCode !== 0) throw new Error(`\`${command}\` exited ${r.exitCode}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function guestMs(page: Page, cmd: string): Promise<number> {
  const out = await exec(page, `read t0 _ < /proc/uptime; ${cmd} >/dev/null || exit 9; read t1 _ < /proc/uptime; echo "$t0 $t1"`);
  const [a, b] = out.trim().split(' ').map(Number) as [number, number];
  return (b - a) * 1000;
}

async function pageFetchMs(page: Page, url: string, size: number): Promise<number> {
  const [ms, bytes, status] = await page.evaluate(async (u) => {
    const t = performance.now();
    const r = await fetch(u, { cache: 'no-store' });
    const b = await r.arrayBuffer();
    return [performance.now() - t, b.byteLength, r.status] as const;
  }, url);
  if (status !== 200 || bytes !== size) throw new Error(`${url}: HTTP ${status}, ${bytes} bytes (want ${size})`);
  return ms;
}

export async function browserPreviewSamples(runs: number, scope: string): Promise<{ name: string; vs?: string; samples: number[] }[]> {
  buildApp(OUT_DIR);
  const server = await serveBuilt(OUT_DIR);
  const { context } = await launchChromium();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // BENCH_V86=tuned|stock: the page's ?v86= switch, to compare v86's loops on this road
    const mode = process.env['BENCH_V86'];
    await page.goto(mode ? `${server.url}?v86=${encodeURIComponent(mode)}` : server.url);
    await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 900_000 });
    await exec(page, 'mkdir -p /tmp/www && head -c 1024 /dev/zero | tr "\\0" a > /tmp/www/1k && head -c 1048576 /dev/urandom > /tmp/www/1m');
    await exec(page, 'docker run -d --name benchweb -p 8088:80 -v /tmp/www:/www busybox httpd -f -p 80 -h /www >/dev/null');
    await exec(page, 'for i in $(seq 1 200); do wget -qO- localhost:8088/1k >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1');
    const url = (f: string) => new URL(`preview/8088/${f}`, server.url).href;
    const rows = [
      { name: 'browser baseline: wget 1 KB in the guest', sample: () => guestMs(page, 'wget -qO- localhost:8088/1k') },
      { name: 'browser: fetch preview/8088/1k from the page', vs: 'browser baseline: wget 1 KB in the guest', sample: () => pageFetchMs(page, url('1k'), 1024) },
      { name: 'browser baseline: wget 1 MB in the guest', sample: () => guestMs(page, 'wget -qO- localhost:8088/1m') },
      { name: 'browser: fetch preview/8088/1m from the page', vs: 'browser baseline: wget 1 MB in the guest', sample: () => pageFetchMs(page, url('1m'), 1048576) },
    ];
    for (const r of rows) await r.sample(); // warm-up, not counted
    const samples = rows.map(() => [] as number[]);
    for (let i = 0; i < runs; i++) {
      for (const [j, r] of rows.entries()) samples[j]!.push(await r.sample());
      log(scope, `browser run ${i + 1}/${runs}: ${samples.map((s) => `${s.at(-1)!.toFixed(0)} ms`).join(', ')}`);
    }
    return rows.map((r, j) => ({ name: r.name, ...(r.vs ? { vs: r.vs } : {}), samples: samples[j]! }));
  } finally {
    await context.close();
    await server.close();
  }
}
