// npx tsx scripts/measure-tab-memory.ts [--dist DIR] [--snapshots] [--reset]: what the playground
// tab's memory is made of (#17). Serves a built app (default dist/), visits it once to fill the
// caches, then opens a new tab as bench:app does and, once the lesson is ready, prints: each
// renderer process's resident memory (anonymous / file / shared) and its largest mappings, the
// JS heaps of the page and of the VM worker (through CDP, attached to the worker from the page's
// session), and with --snapshots the largest objects of each heap (ArrayBuffer stores included)
// with what keeps them. --reset also measures after a Reset. A measuring script, not a test.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../test/app/chromium.ts';
import { serveStatic } from '../test/app/static-server.ts';
import { repoRoot } from './lib/cache.ts';
import { profileRenderers } from './lib/renderers.ts';
import { sleep } from './lib/sleep.ts';

const BASE = '/bench/whalebone/';
const MiB = 1024 * 1024;
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

interface Proc {
  pid: number;
  kind: string;
  rss: number;
  anon: number;
  file: number;
  shmem: number;
  pss: number;
  /** Start time in clock ticks after boot (which renderer is newer). */
  started: number;
}

function renderers(userDataDir: string): Proc[] {
  const out: Proc[] = [];
  for (const { pid, cmdline } of profileRenderers(userDataDir)) {
    try {
      const st = readFileSync(`/proc/${pid}/status`, 'utf8') + readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').replace(/^Rss:/m, 'RollupRss:');
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(st)?.[1] ?? 0) / 1024;
      out.push({ pid, kind: cmdline.includes('--extension-process') ? 'extension' : 'renderer', rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem'), pss: kb('Pss'), started: Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]) });
    } catch {
      // gone
    }
  }
  return out;
}

/** The worker and compositor threads of a process, by name. */
function threadNames(pid: number): string {
  const threads = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const name = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
    if (/Worker|Compositor/i.test(name)) threads.set(name, (threads.get(name) ?? 0) + 1);
  }
  return [...threads].map(([n, c]) => `${n} x${c}`).join(', ');
}

/** The mappings of a process with the most resident memory. */
function topMappings(pid: number, n = 12): string[] {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const maps: { head: string; size: number; rss: number }[] = [];
  let cur: { head: string; size: number; rss: number } | null = null;
  for (const line of text.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      cur = { head: line.replace(/\s+/g, ' ').slice(0, 110), size: 0, rss: 0 };
      maps.push(cur);
    } else if (cur && line.startsWith('Size:')) cur.size = Number(/(\d+)/.exec(line)![1]) / 1024;
    else if (cur && line.startsWith('Rss:')) cur.rss = Number(/(\d+)/.exec(line)![1]) / 1024;
  }
  const total = maps.reduce((a, m) => a + m.rss, 0);
  const small = maps.filter((m) => m.rss < 4).reduce((a, m) => a + m.rss, 0);
  return [
    `  mappings: ${maps.length}, resident ${total.toFixed(0)} MiB, of which ${small.toFixed(0)} MiB in mappings under 4 MiB`,
    ...maps
      .sort((a, b) => b.rss - a.rss)
      .slice(0, n)
      .map((m) => `  ${m.rss.toFixed(1).padStart(7)} MiB resident of ${m.size.toFixed(0).padStart(7)} MiB  ${m.head}`),
  ];
}

/** A CDP session for a worker, through the page's session (Target.sendMessageToTarget). */
class TargetSession {
  private id = 0;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  constructor(
    private readonly parent: CDPSession,
    readonly sessionId: string,
    readonly title: string,
  ) {}
  receive(message: string): void {
    const m = JSON.parse(message) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown };
    if (m.id !== undefined) {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new Error(m.error.message));
      else w?.resolve(m.result);
    } else if (m.method) this.onEvent?.(m.method, m.params);
  }
  onEvent: ((method: string, params: unknown) => void) | null = null;
  send<T>(method: string, params: object = {}): Promise<T> {
    const id = ++this.id;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      void this.parent.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) });
    });
  }
}

interface Heap {
  send<T>(method: string, params?: object): Promise<T>;
  on(method: string, f: (params: { chunk: string }) => void): void;
}

function pageHeap(s: CDPSession): Heap {
  return { send: (m, p) => s.send(m as never, p as never) as never, on: (m, f) => s.on(m as never, f as never) };
}
function workerHeap(t: TargetSession): Heap {
  const handlers = new Map<string, (p: { chunk: string }) => void>();
  t.onEvent = (m, p) => handlers.get(m)?.(p as { chunk: string });
  return { send: (m, p) => t.send(m, p), on: (m, f) => void handlers.set(m, f) };
}

/** Largest objects of a heap snapshot, with a retainer path for each. */
async function snapshotSummary(h: Heap, label: string): Promise<string[]> {
  let json = '';
  h.on('HeapProfiler.addHeapSnapshotChunk', (p) => (json += p.chunk));
  await h.send('HeapProfiler.enable');
  await h.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  const snap = JSON.parse(json) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const nf = snap.snapshot.meta.node_fields.length;
  const ef = snap.snapshot.meta.edge_fields.length;
  const types = snap.snapshot.meta.node_types[0];
  const etypes = snap.snapshot.meta.edge_types[0];
  const N = snap.nodes.length / nf;
  const iType = snap.snapshot.meta.node_fields.indexOf('type');
  const iName = snap.snapshot.meta.node_fields.indexOf('name');
  const iSize = snap.snapshot.meta.node_fields.indexOf('self_size');
  const iEc = snap.snapshot.meta.node_fields.indexOf('edge_count');
  const eType = snap.snapshot.meta.edge_fields.indexOf('type');
  const eName = snap.snapshot.meta.edge_fields.indexOf('name_or_index');
  const eTo = snap.snapshot.meta.edge_fields.indexOf('to_node');
  const retainers: { from: number; edge: string }[][] = Array.from({ length: N }, () => []);
  let e = 0;
  let total = 0;
  const byType = new Map<string, number>();
  for (let n = 0; n < N; n++) {
    const size = snap.nodes[n * nf + iSize]!;
    total += size;
    const key = `${types[snap.nodes[n * nf + iType]!]}:${snap.strings[snap.nodes[n * nf + iName]!]!.slice(0, 40)}`;
    byType.set(key, (byType.get(key) ?? 0) + size);
    for (let k = 0; k < snap.nodes[n * nf + iEc]!; k++, e += ef) {
      const to = snap.edges[e + eTo]! / nf;
      const t = etypes[snap.edges[e + eType]!];
      const nameOrIndex = snap.edges[e + eName]!;
      const edge = t === 'element' || t === 'hidden' ? `[${nameOrIndex}]` : String(snap.strings[nameOrIndex]);
      if (t !== 'weak') retainers[to]!.push({ from: n, edge });
    }
  }
  const nodeName = (n: number) => `${types[snap.nodes[n * nf + iType]!]} ${snap.strings[snap.nodes[n * nf + iName]!]!.slice(0, 50)}`;
  const path = (n: number) => {
    const parts: string[] = [];
    const seen = new Set<number>([n]);
    let cur = n;
    for (let d = 0; d < 7; d++) {
      const r = retainers[cur]!.find((x) => !seen.has(x.from));
      if (!r) break;
      parts.push(`.${r.edge} <- ${nodeName(r.from)}`);
      seen.add(r.from);
      cur = r.from;
    }
    return parts.join(' ');
  };
  const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => snap.nodes[b * nf + iSize]! - snap.nodes[a * nf + iSize]!);
  const out = [`${label}: heap snapshot ${(total / MiB).toFixed(1)} MiB in ${N} nodes; largest kinds:`];
  for (const [k, v] of [...byType].sort((a, b) => b[1] - a[1]).slice(0, 12)) out.push(`  ${(v / MiB).toFixed(1).padStart(7)} MiB  ${k}`);
  out.push('  largest objects:');
  for (const n of order.slice(0, 14)) out.push(`  ${(snap.nodes[n * nf + iSize]! / MiB).toFixed(2).padStart(8)} MiB  ${nodeName(n)}  ${path(n)}`);
  await h.send('HeapProfiler.disable');
  return out;
}

async function waitMark(page: Page, name: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const t = await page.evaluate((n) => performance.getEntriesByName(`whalebone:${n}`).length > 0 || performance.getEntriesByName('whalebone:vm-failed').length > 0, name).catch(() => false);
    if (t) return;
    if (Date.now() > deadline) throw new Error(`no ${name} mark`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const root = resolve(repoRoot, arg('--dist') ?? 'dist');
  const server = await serveStatic({ root, base: BASE });
  const { context, userDataDir } = await launchChromium();
  try {
    let page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url, { waitUntil: 'commit' });
    await waitMark(page, 'lesson-ready');
    await page.locator('[data-testid=offline]').waitFor({ timeout: 300_000 }).catch(() => console.log('never offline-ready'));
    console.log('== first visit, offline-ready');
    for (const p of renderers(userDataDir)) console.log(`renderer ${p.pid}: RSS ${p.rss.toFixed(0)} MiB (anon ${p.anon.toFixed(0)}); threads ${threadNames(p.pid)}`);
    await page.close();
    await sleep(3000);
    console.log('== first tab closed, 3 s later');
    for (const p of renderers(userDataDir)) console.log(`renderer ${p.pid}: RSS ${p.rss.toFixed(0)} MiB (anon ${p.anon.toFixed(0)}); threads ${threadNames(p.pid)}`);
    page = await context.newPage();
    await page.goto(server.url, { waitUntil: 'commit' });
    await waitMark(page, 'lesson-ready');
    // as bench:app: five exec round trips, then 2 s
    await page.evaluate(async () => {
      const s = (globalThis as unknown as { whalebone: { session: { vm: { exec(c: string): Promise<unknown> } } } }).whalebone.session;
      for (let i = 0; i < 5; i++) await s.vm.exec('true');
    });
    await sleep(2000);
    const report = async (label: string) => {
      console.log(`\n== ${label}`);
      for (const p of renderers(userDataDir)) {
        console.log(`renderer ${p.pid} (started at tick ${p.started}): RSS ${p.rss.toFixed(0)} MiB (anon ${p.anon.toFixed(0)}, file ${p.file.toFixed(0)}, shmem ${p.shmem.toFixed(0)}), PSS ${p.pss.toFixed(0)} MiB`);
        console.log(`  threads: ${threadNames(p.pid)}`);
        if (p.rss > 100 && process.argv.includes('--maps')) for (const l of topMappings(p.pid)) console.log(l);
      }
      const all = renderers(userDataDir);
      console.log(`sum: RSS ${all.reduce((a, p) => a + p.rss, 0).toFixed(0)} MiB, PSS ${all.reduce((a, p) => a + p.pss, 0).toFixed(0)} MiB`);
      const cdp = await context.newCDPSession(page);
      console.log('page heap', JSON.stringify(await cdp.send('Runtime.getHeapUsage')), 'DOM', JSON.stringify(await cdp.send('Memory.getDOMCounters')));
      const workers: TargetSession[] = [];
      cdp.on('Target.receivedMessageFromTarget', (m) => workers.find((w) => w.sessionId === m.sessionId)?.receive(m.message));
      cdp.on('Target.attachedToTarget', (m) => {
        workers.push(new TargetSession(cdp, m.sessionId, `${m.targetInfo.type} ${m.targetInfo.title || m.targetInfo.url}`));
      });
      await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
      await sleep(500);
      for (const w of workers) {
        const u = await w.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage').catch((e: Error) => e.message);
        console.log(`worker ${w.title}: heap`, JSON.stringify(u));
      }
      if (process.argv.includes('--snapshots')) {
        for (const l of await snapshotSummary(pageHeap(cdp), 'page')) console.log(l);
        for (const w of workers) for (const l of await snapshotSummary(workerHeap(w), w.title).catch((e: Error) => [e.message])) console.log(l);
        await sleep(1000);
        for (const p of renderers(userDataDir)) console.log(`after the snapshots (GC): renderer ${p.pid}: RSS ${p.rss.toFixed(0)} MiB (anon ${p.anon.toFixed(0)})`);
      }
      await cdp.detach();
    };
    await report('cached tab, lesson ready');
    if (process.argv.includes('--reset')) {
      await page.locator('[data-testid=reset]').click();
      await page.locator('[data-testid=vm-status][data-ready=true]').waitFor({ timeout: 120_000 });
      await sleep(3000);
      await report('after Reset');
    }
  } finally {
    await context.close();
    await server.close();
  }
}

await main();
