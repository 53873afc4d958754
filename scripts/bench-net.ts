// Networking benchmark, in the guest (restored from the boot snapshot). Each row is timed by the
// guest's own clock (or, for the rows that cross v86's virtual network, by the host's) and
// printed as a median beside this run's baseline, `docker run --rm busybox true`, with the host's
// load. BENCH_RUNS sets the run count (default 5); BENCH_ONLY=<regex> samples only the rows whose
// names match (e.g. BENCH_ONLY=preview for the port preview's rows and their wget baselines);
// BENCH_BROWSER=1 adds the preview's road from a page in headless Chromium (scripts/lib/bench-net-browser.ts).
//
// Rows are a list: a new measurement (the page-side preview rows, for example) is one more entry
// in ROWS with a name, an optional setup, and a function that returns one sample in ms.
import { cpus, loadavg } from 'node:os';
import { log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';
import { PreviewGateway } from '../src/vm/http/preview.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const SCOPE = 'bench:net';

type Exec = (cmd: string) => Promise<string>;

export interface BenchRow {
  name: string;
  /** The row this one is compared with (its median is printed beside this one's). */
  vs?: string;
  /** Runs once before the samples. */
  setup?: (exec: Exec, vm: VmCore) => Promise<void>;
  /** One sample, in milliseconds. */
  sample: (exec: Exec, vm: VmCore) => Promise<number>;
}

/**
 * Times a guest command with the guest's clock (no serial round trip in the figure): busybox's
 * date has no nanoseconds, /proc/uptime has hundredths of a second.
 */
async function guestMs(exec: Exec, cmd: string): Promise<number> {
  const out = await exec(`read t0 _ < /proc/uptime; ${cmd} >/dev/null || exit 9; read t1 _ < /proc/uptime; echo "$t0 $t1"`);
  const [a, b] = out.trim().split(' ').map(Number) as [number, number];
  return (b - a) * 1000;
}

/**
 * One HTTP/1.0 GET from v86's network side to a guest port (the road the page's preview takes).
 * An answer that is not 200 is an error, not a fast sample.
 */
function httpGet(vm: VmCore, port: number, path: string): Promise<{ ms: number; bytes: number }> {
  const net = vm.network;
  if (!net) throw new Error('the guest has no network adapter');
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const conn = net.connect(port);
    let bytes = 0;
    let head = '';
    const timer = setTimeout(() => reject(new Error(`no answer from guest port ${port}`)), 60_000);
    conn.on('connect', () => conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\n\r\n`)));
    conn.on('data', (d) => {
      if (head.length < 64 && d) head += new TextDecoder().decode(d.subarray(0, 64));
      bytes += d?.length ?? 0;
    });
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = performance.now() - t;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      if (status !== '200') reject(new Error(`GET ${path} from guest port ${port}: ${status ? `HTTP ${status}` : `no HTTP answer (${bytes} bytes)`}`));
      else resolve({ ms, bytes });
    };
    conn.on('close', end);
    conn.on('shutdown', end);
  });
}

const PREVIEW_ROWS: BenchRow[] = [];

export const ROWS: BenchRow[] = [
  { name: 'baseline: docker run --rm busybox true', sample: (exec) => guestMs(exec, 'docker run --rm busybox true') },
  { name: 'docker run --rm -p 8080:80 busybox true', vs: 'baseline: docker run --rm busybox true', sample: (exec) => guestMs(exec, 'docker run --rm -p 8080:80 busybox true') },
  {
    name: 'network create + run --network + rm + network rm',
    vs: 'baseline: docker run --rm busybox true',
    sample: (exec) => guestMs(exec, 'docker network create benchnet >/dev/null && docker run --rm --network benchnet busybox true && docker network rm benchnet'),
  },
  {
    name: 'HTTP GET 1 KB, v86 network -> guest eth0 -> -p 8088:80',
    setup: async (exec) => {
      await exec('mkdir -p /tmp/www && head -c 1024 /dev/zero | tr "\\0" a > /tmp/www/1k && head -c 1048576 /dev/urandom > /tmp/www/1m');
      await exec('docker run -d --name benchweb -p 8088:80 -v /tmp/www:/www busybox httpd -f -p 80 -h /www >/dev/null');
      await exec('for i in $(seq 1 40); do wget -qO- localhost:8088/1k >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1');
    },
    sample: async (_exec, vm) => (await httpGet(vm, 8088, '/1k')).ms,
  },
  {
    name: 'HTTP GET 1 MB, v86 network -> guest eth0 -> -p 8088:80',
    sample: async (_exec, vm) => {
      const r = await httpGet(vm, 8088, '/1m');
      if (r.bytes < 1048576) log(SCOPE, `short 1 MB answer: ${r.bytes} bytes (v86 drops data that comes with a FIN)`);
      return r.ms;
    },
  },
];

/** The port preview's road without the browser: the page's gateway and the VM's HTTP client (keep-alive). */
const gateways = new WeakMap<VmCore, PreviewGateway>();
async function previewGet(vm: VmCore, path: string, size: number): Promise<number> {
  let gw = gateways.get(vm);
  if (!gw) gateways.set(vm, (gw = new PreviewGateway((port, r) => vm.http(port, r))));
  const t = performance.now();
  const r = await gw.handle({ port: 8088, method: 'GET', path, headers: [['Accept', '*/*']], prefix: '/preview/8088/' });
  const ms = performance.now() - t;
  if (r.status !== 200 || r.body.length !== size) throw new Error(`preview ${path}: HTTP ${r.status}, ${r.body.length} bytes (want ${size})`);
  return ms;
}

PREVIEW_ROWS.push(
  { name: 'preview baseline: wget 1 KB in the guest from localhost:8088', sample: (exec) => guestMs(exec, 'wget -qO- localhost:8088/1k') },
  { name: 'preview: gateway + HTTP client, 1 KB from -p 8088:80', vs: 'preview baseline: wget 1 KB in the guest from localhost:8088', sample: (_exec, vm) => previewGet(vm, '/1k', 1024) },
  { name: 'preview baseline: wget 1 MB in the guest from localhost:8088', sample: (exec) => guestMs(exec, 'wget -qO- localhost:8088/1m') },
  { name: 'preview: gateway + HTTP client, 1 MB from -p 8088:80', vs: 'preview baseline: wget 1 MB in the guest from localhost:8088', sample: (_exec, vm) => previewGet(vm, '/1m', 1048576) },
);
ROWS.push(...PREVIEW_ROWS);

async function main(): Promise<void> {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing: run npx tsx scripts/prepare.ts`);
  const vm = createNodeVm();
  await vm.boot();
  try {
    const exec: Exec = async (cmd) => {
      const r = await vm.exec(cmd, { timeoutMs: 600_000 });
      if (r.exitCode !== 0) throw new Error(`\`${cmd}\` exited ${r.exitCode}: ${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    await exec('docker pull -q busybox >/dev/null');
    // BENCH_ONLY=<regex> samples only the rows whose names match (every setup still runs).
    const only = process.env['BENCH_ONLY'] ? new RegExp(process.env['BENCH_ONLY']) : null;
    for (const row of ROWS) await row.setup?.(exec, vm);
    const rows = only ? ROWS.filter((r) => only.test(r.name)) : ROWS;
    if (!rows.length) throw new Error(`BENCH_ONLY=${process.env['BENCH_ONLY']} matches no row`);
    const samples = rows.map(() => [] as number[]);
    const load: number[] = [];
    // one round not counted: the first start of each kind reads its files through 9p
    for (const row of rows) await row.sample(exec, vm);
    for (let i = 0; i < RUNS; i++) {
      // each round starts at another row, so no row always follows the same one
      for (let k = 0; k < rows.length; k++) {
        const j = (i + k) % rows.length;
        samples[j]!.push(await rows[j]!.sample(exec, vm));
      }
      load.push(loadavg()[0]!);
      log(SCOPE, `run ${i + 1}/${RUNS}: ${rows.map((r, j) => `${samples[j]!.at(-1)!.toFixed(0)} ms`).join(', ')}; load ${load.at(-1)!.toFixed(1)}`);
    }
    const width = Math.max(...rows.map((r) => r.name.length));
    const medians = new Map(rows.map((r, j) => [r.name, median(samples[j]!)]));
    console.log(`median of ${RUNS} (host load ${median(load).toFixed(1)} on ${cpus().length} cores):`);
    for (const row of rows) {
      const m = medians.get(row.name)!;
      const base = row.vs ? medians.get(row.vs) : undefined;
      const note = base === undefined ? '' : `  (${m - base >= 0 ? '+' : ''}${(m - base).toFixed(0)} ms, x${(m / base).toFixed(2)} against "${row.vs}")`;
      console.log(`  ${row.name.padEnd(width)}  ${m.toFixed(0).padStart(6)} ms${note}`);
    }
  } finally {
    await vm.destroy();
  }
  // The same road from a page in Chromium (after the Node VM is gone: one emulator at a time).
  if (process.env['BENCH_BROWSER'] === '1') {
    const { browserPreviewSamples } = await import('./lib/bench-net-browser.ts');
    const rows = await browserPreviewSamples(RUNS, SCOPE);
    const width = Math.max(...rows.map((r) => r.name.length));
    const medians = new Map(rows.map((r) => [r.name, median(r.samples)]));
    console.log(`browser, median of ${RUNS} (host load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores):`);
    for (const row of rows) {
      const m = medians.get(row.name)!;
      const base = row.vs ? medians.get(row.vs) : undefined;
      console.log(`  ${row.name.padEnd(width)}  ${m.toFixed(0).padStart(6)} ms${base === undefined ? '' : `  (x${(m / base).toFixed(2)} against "${row.vs}")`}`);
    }
  }
}

runMain(SCOPE, main);
