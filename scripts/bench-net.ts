// Networking benchmark, in the guest (restored from the boot snapshot). Each row is timed by the
// guest's own clock (or, for the rows that cross v86's virtual network, by the host's) and
// printed as a median beside this run's baseline, `docker run --rm busybox true`, with the host's
// load. BENCH_RUNS sets the run count (default 5).
//
// Rows are a list: a new measurement (the page-side preview rows, for example) is one more entry
// in ROWS with a name, an optional setup, and a function that returns one sample in ms.
import { cpus, loadavg } from 'node:os';
import { log, runMain } from './lib/progress.ts';
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const SCOPE = 'bench:net';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type Exec = (cmd: string) => Promise<string>;

export interface BenchRow {
  name: string;
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

/** One HTTP/1.0 GET from v86's network side to a guest port (the road the page's preview takes). */
function httpGet(vm: VmCore, port: number, path: string): Promise<{ ms: number; bytes: number }> {
  const net = vm.network;
  if (!net) throw new Error('the guest has no network adapter');
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const conn = net.connect(port);
    let bytes = 0;
    const timer = setTimeout(() => reject(new Error(`no answer from guest port ${port}`)), 60_000);
    conn.on('connect', () => conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\n\r\n`)));
    conn.on('data', (d) => (bytes += d?.length ?? 0));
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ms: performance.now() - t, bytes });
    };
    conn.on('close', end);
    conn.on('shutdown', end);
  });
}

export const ROWS: BenchRow[] = [
  { name: 'baseline: docker run --rm busybox true', sample: (exec) => guestMs(exec, 'docker run --rm busybox true') },
  { name: 'docker run --rm -p 8080:80 busybox true', sample: (exec) => guestMs(exec, 'docker run --rm -p 8080:80 busybox true') },
  {
    name: 'network create + run --network + rm + network rm',
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
    const samples = ROWS.map(() => [] as number[]);
    const load: number[] = [];
    for (const row of ROWS) await row.setup?.(exec, vm);
    // one round not counted: the first start of each kind reads its files through 9p
    for (const row of ROWS) await row.sample(exec, vm);
    for (let i = 0; i < RUNS; i++) {
      // each round starts at another row, so no row always follows the same one
      for (let k = 0; k < ROWS.length; k++) {
        const j = (i + k) % ROWS.length;
        samples[j]!.push(await ROWS[j]!.sample(exec, vm));
      }
      load.push(loadavg()[0]!);
      log(SCOPE, `run ${i + 1}/${RUNS}: ${ROWS.map((r, j) => `${samples[j]!.at(-1)!.toFixed(0)} ms`).join(', ')}; load ${load.at(-1)!.toFixed(1)}`);
    }
    const width = Math.max(...ROWS.map((r) => r.name.length));
    const base = median(samples[0]!);
    console.log(`median of ${RUNS} (host load ${median(load).toFixed(1)} on ${cpus().length} cores):`);
    for (const [j, row] of ROWS.entries()) {
      const m = median(samples[j]!);
      console.log(`  ${row.name.padEnd(width)}  ${m.toFixed(0).padStart(6)} ms${j > 0 && j < 3 ? `  (${m - base >= 0 ? '+' : ''}${(m - base).toFixed(0)} ms over the baseline)` : ''}`);
    }
  } finally {
    await vm.destroy();
  }
}

runMain(SCOPE, main);
