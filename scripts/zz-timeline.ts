import { launchChromium } from '../test/app/chromium.ts';
import { serveStatic } from '../test/app/static-server.ts';
import { join } from 'node:path';
const server = await serveStatic({ root: join(process.cwd(), 'dist'), base: '/bench/whalebone/' });
const { context } = await launchChromium();
let page = context.pages()[0] ?? (await context.newPage());
await page.goto(server.url);
await page.locator('[data-testid=offline]').waitFor({ timeout: 120_000 });
await page.waitForTimeout(3000);
await page.close();
for (let run = 0; run < 3; run++) {
  page = await context.newPage();
  const logs: [number, string][] = [];
  page.on('console', (m) => logs.push([Date.now(), m.text().slice(0, 200)]));
  await page.goto(server.url, { waitUntil: 'commit' });
  for (let i = 0; i < 100; i++) {
    const ok = await page.evaluate(() => performance.getEntriesByName('whalebone:prompt').length > 0).catch(() => false);
    if (ok) break;
    await page.waitForTimeout(50);
  }
  const r = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType('resource').map((e) => { const x = e as PerformanceResourceTiming; return `${Math.round(x.startTime)}-${Math.round(x.responseEnd)} ${x.name.split('/').pop()} ${x.transferSize}`; });
    const marks = performance.getEntriesByType('mark').map((m) => `${Math.round(m.startTime)} ${m.name}`);
    return { origin: performance.timeOrigin, nav: `resp ${Math.round(n.responseEnd)} domInteractive ${Math.round(n.domInteractive)} dcl ${Math.round(n.domContentLoadedEventEnd)} load ${Math.round(n.loadEventEnd)}`, res, marks };
  });
  console.log(`--- run ${run}`, r.nav);
  for (const x of r.res) console.log('  res', x);
  for (const x of r.marks) console.log('  mark', x);
  for (const [t, s] of logs) console.log('  log', Math.round(t - r.origin), s);
  await page.close();
}
await context.close();
await server.close();
