// Reliability figures in the guest (restored from the boot snapshot), printed:
// - leaks: guest memory, mounts, cgroups, veths, processes and dockerd's descriptors and memory
//   before and after BENCH_RELIABILITY_RUNS (default 200) `docker run --rm busybox true` in a row;
// - faults: dockerd killed with SIGKILL BENCH_RELIABILITY_KILLS times (default 5) with containers
//   running: time until it answers again (median) and containers lost (target: none);
// - load: containers started one by one up to BENCH_RELIABILITY_MAX (default 40) or the first
//   failure, with `docker ps` timed at each step of 5 against `docker ps` with none running.
import { readFileSync } from 'node:fs';
import { log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';

const RUNS = Number(process.env['BENCH_RELIABILITY_RUNS'] ?? 200);
const KILLS = Number(process.env['BENCH_RELIABILITY_KILLS'] ?? 5);
const MAX = Number(process.env['BENCH_RELIABILITY_MAX'] ?? 40);

async function guestSh(vm: VmCore, cmd: string, timeoutMs = 1_800_000): Promise<string> {
  const r = await vm.exec(cmd, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`guest: \`${cmd.slice(0, 200)}\` exited ${r.exitCode}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Wall time of cmd in the guest, in ms (/proc/uptime around it). */
async function guestTime(vm: VmCore, cmd: string): Promise<number> {
  const out = await guestSh(vm, `read a _ </proc/uptime; { ${cmd}; } >/dev/null 2>&1 || exit 1; read b _ </proc/uptime; echo "$a $b"`);
  const [a, b] = out.trim().split(' ').map(Number) as [number, number];
  return (b - a) * 1000;
}

const PROBE = [
  'd=$(cat /var/run/docker.pid)',
  'echo "memavailable_kb $(awk \'/MemAvailable/ {print $2}\' /proc/meminfo)"',
  'echo "mounts $(wc -l </proc/mounts)"',
  'echo "cgroups $(find /sys/fs/cgroup -type d | wc -l)"',
  'echo "veths $(ip -o link show type veth | wc -l)"',
  'echo "processes $(ls -d /proc/[0-9]* | wc -l)"',
  'echo "dockerd_fds $(ls /proc/$d/fd | wc -l)"',
  'echo "dockerd_rss_kb $(awk \'/VmRSS/ {print $2}\' /proc/$d/status)"',
].join('; ');

async function probe(vm: VmCore): Promise<Map<string, number>> {
  const out = await guestSh(vm, PROBE);
  return new Map(out.trim().split('\n').map((l) => { const [k, v] = l.split(' '); return [k!, Number(v)] as const; }));
}

runMain('bench:reliability', async () => {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing: run npm run build:vm`);
  const vm = createNodeVm({ log: (m) => log('vm', m) });
  try {
    await vm.boot();
    await guestSh(vm, 'docker pull -q busybox >/dev/null && docker run --rm busybox true');
    const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    log('bench:reliability', `host load ${load()}; guest wall times grow with it`);

    // leaks
    const before = await probe(vm);
    log('bench:reliability', `${RUNS} x docker run --rm busybox true ...`);
    const t0 = Date.now();
    const failed = Number((await guestSh(vm, `f=0; i=0; while [ $i -lt ${RUNS} ]; do docker run --rm busybox true >/dev/null 2>&1 || f=$((f + 1)); i=$((i + 1)); done; echo $f`)).trim());
    const perRun = (Date.now() - t0) / RUNS;
    const after = await probe(vm);
    console.log(`\nleaks after ${RUNS} docker run --rm (failed: ${failed}; ${perRun.toFixed(0)} ms per run, host clock)`);
    console.log('measure'.padEnd(18) + 'before'.padStart(10) + 'after'.padStart(10) + 'change'.padStart(10));
    for (const [k, v] of before) {
      const a = after.get(k) ?? NaN;
      console.log(k.padEnd(18) + String(v).padStart(10) + String(a).padStart(10) + `${a - v >= 0 ? '+' : ''}${a - v}`.padStart(10));
    }

    // faults
    await guestSh(vm, 'for n in 1 2 3; do docker run -d --name keep$n busybox sleep 100000 >/dev/null; done');
    const recover: number[] = [];
    let lost = 0;
    // A dockerd that never came back ends the loop after 60 s: that is a failure, not a time.
    for (let k = 0; k < KILLS; k++) {
      const old = (await guestSh(vm, 'cat /var/run/docker.pid')).trim();
      recover.push(await guestTime(vm, `kill -9 ${old}; i=0; while [ $i -lt 1200 ]; do p=$(cat /var/run/docker.pid 2>/dev/null); [ "$p" != "${old}" ] && docker version >/dev/null 2>&1 && break; sleep 0.05; i=$((i + 1)); done; [ $i -lt 1200 ]`));
      const running = Number((await guestSh(vm, "docker ps -q --filter name=keep | wc -l")).trim());
      lost += 3 - running;
      if (running < 3) await guestSh(vm, 'for n in 1 2 3; do docker start keep$n >/dev/null 2>&1; done; true');
    }
    console.log(`\nfaults: dockerd SIGKILLed ${KILLS} times with 3 containers running: back in ${median(recover).toFixed(0)} ms (median; each ${recover.map((x) => x.toFixed(0)).join(', ')}), containers lost: ${lost}`);
    await guestSh(vm, 'docker rm -f keep1 keep2 keep3 >/dev/null');

    // load
    const empty: number[] = [];
    for (let i = 0; i < 5; i++) empty.push(await guestTime(vm, 'docker ps'));
    const psEmpty = median(empty);
    console.log(`\nload (host load ${load()}): docker ps with none running ${psEmpty.toFixed(0)} ms (baseline, median of 5)`);
    let held = 0;
    for (let n = 1; n <= MAX; n++) {
      const r = await vm.exec(`docker run -d --name load${n} busybox sleep 100000`, { timeoutMs: 300_000 });
      if (r.exitCode !== 0) {
        console.log(`  container ${n} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
        break;
      }
      held = n;
      if (n % 5 === 0) {
        const xs: number[] = [];
        for (let i = 0; i < 3; i++) xs.push(await guestTime(vm, 'docker ps'));
        const mem = (await probe(vm)).get('memavailable_kb') ?? 0;
        console.log(`  ${String(n).padStart(3)} running: docker ps ${median(xs).toFixed(0)} ms (median of 3), guest MemAvailable ${(mem / 1024).toFixed(0)} MiB`);
      }
    }
    console.log(`  held ${held} running containers${held === MAX ? ` (the limit asked for; raise BENCH_RELIABILITY_MAX to go further)` : ''}`);
  } finally {
    await vm.destroy();
  }
});
