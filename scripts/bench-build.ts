// docker build in the guest (restored from the boot snapshot, dockerd running), timed inside the
// guest with /proc/uptime: the seed Dockerfile cold (--no-cache, base image already pulled; its RUN
// steps' own times from the plain progress), the same build fully cached, a COPY of a 1 MB context
// plus its commit, and the guest's memory after the builds. Baseline in the same run: `docker run
// --rm busybox true`. Medians of BENCH_RUNS (default 3). The apt-get figures need the offline
// Debian mirror in the guest; without it the seed's RUN is a plain echo (said in the output).
import { readFileSync } from 'node:fs';
import { log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const TAG = 'bench:build';

async function sh(vm: VmCore, cmd: string, timeoutMs = 600_000): Promise<string> {
  const r = await vm.exec(cmd, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`guest: \`${cmd}\` exited ${r.exitCode}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Wall time in the guest around cmd (its output returned too). */
async function timed(vm: VmCore, cmd: string): Promise<{ ms: number; out: string }> {
  const out = await sh(vm, `read a _ </proc/uptime; ${cmd} >/tmp/bench.out 2>&1 || { cat /tmp/bench.out >&2; exit 1; }; read b _ </proc/uptime; echo "$a $b"; cat /tmp/bench.out`);
  const nl = out.indexOf('\n');
  const [a, b] = out.slice(0, nl).trim().split(' ').map(Number) as [number, number];
  return { ms: (b - a) * 1000, out: out.slice(nl + 1) };
}

const fmt = (xs: number[]): string => `median ${(median(xs) / 1000).toFixed(2)} s over ${xs.length} runs [${xs.map((x) => (x / 1000).toFixed(2)).join(' ')}]`;

runMain(TAG, async () => {
  const missing = missingBootFile();
  if (missing) {
    log(TAG, `skipped: ${missing} is missing (run npm run build:vm)`);
    return;
  }
  const vm = createNodeVm({ log: (m) => log('vm', m) });
  try {
    await vm.boot();
    await sh(vm, 'docker pull -q debian:bookworm-slim && docker pull -q busybox && docker run --rm busybox true');
    // apt-get update exits 0 even when nothing could be fetched: look for its errors instead
    const probe = await vm.exec('docker run --rm debian:bookworm-slim sh -c "apt-get update 2>&1"', { timeoutMs: 300_000 });
    const apt = probe.exitCode === 0 && !/^(Err:|W: Failed to fetch)/m.test(probe.stdout);
    const seed = apt
      ? 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y python3\nLABEL maintainer="Your name "\n'
      : 'FROM debian:bookworm-slim\nRUN echo hello > /hello\nLABEL maintainer="Your name "\n';
    if (!apt) log(TAG, 'no offline Debian mirror in this guest: the seed Dockerfile\'s RUN is an echo, so apt-get update/install are not measured');
    await sh(vm, `mkdir -p /root/bench/seed /root/bench/copy && printf '%s' '${seed.replace(/'/g, "'\\''")}' > /root/bench/seed/Dockerfile && head -c 1000000 /dev/urandom > /root/bench/copy/blob && printf 'FROM busybox\\nCOPY blob /blob\\n' > /root/bench/copy/Dockerfile`);

    const base: number[] = [];
    for (let i = 0; i < RUNS; i++) base.push((await timed(vm, 'docker run --rm busybox true')).ms);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    log(TAG, `host load ${load}; baseline docker run --rm busybox true: ${fmt(base)}`);

    const cold: number[] = [];
    const steps = new Map<string, number[]>();
    for (let i = 0; i < RUNS; i++) {
      const r = await timed(vm, 'cd /root/bench/seed && docker build --no-cache --progress=plain -t seed .');
      cold.push(r.ms);
      // the daemon's own time per RUN step: "#5 [2/3] RUN apt-get update" ... "#5 DONE 12.3s"
      for (const m of r.out.matchAll(/#(\d+) \[\d+\/\d+\] (RUN [^\n]*)\n(?:#\1 [^\n]*\n)*?#\1 DONE ([\d.]+)s/g)) {
        const xs = steps.get(m[2]!) ?? [];
        xs.push(Number(m[3]) * 1000);
        steps.set(m[2]!, xs);
      }
    }
    log(TAG, `seed Dockerfile cold (--no-cache, base pulled): ${fmt(cold)} (target <= 60 s: ${median(cold) <= 60_000 ? 'met' : 'NOT met'})`);
    for (const [name, xs] of steps) log(TAG, `  ${name}: ${fmt(xs)}`);

    const cached: number[] = [];
    for (let i = 0; i < RUNS; i++) cached.push((await timed(vm, 'cd /root/bench/seed && docker build -t seed .')).ms);
    log(TAG, `seed Dockerfile fully cached: ${fmt(cached)} (target <= 1.5 s: ${median(cached) <= 1500 ? 'met' : 'NOT met'})`);

    const copy: number[] = [];
    for (let i = 0; i < RUNS; i++) copy.push((await timed(vm, 'cd /root/bench/copy && docker build --no-cache -q -t copy1m .')).ms);
    log(TAG, `COPY of a 1 MB context + commit (whole docker build --no-cache): ${fmt(copy)} (target <= 2 s: ${median(copy) <= 2000 ? 'met' : 'NOT met'})`);

    const mem = await sh(vm, "grep -E '^(MemTotal|MemFree|MemAvailable|Cached|Shmem):' /proc/meminfo; du -sk /var/lib/docker | cut -f1");
    const kv = Object.fromEntries(mem.trim().split('\n').slice(0, -1).map((l) => { const [k, v] = l.split(/:\s+/); return [k!, Number.parseInt(v!, 10)]; }));
    const docker = Number(mem.trim().split('\n').pop());
    const mib = (k: number | undefined): string => `${((k ?? 0) / 1024).toFixed(0)} MiB`;
    log(TAG, `guest memory after the builds: total ${mib(kv['MemTotal'])}, available ${mib(kv['MemAvailable'])}, free ${mib(kv['MemFree'])}, page cache ${mib(kv['Cached'])} of which tmpfs/shmem ${mib(kv['Shmem'])}; /var/lib/docker ${mib(docker)}; 256 MiB ${kv['MemAvailable']! > 32 * 1024 ? 'suffices (over 32 MiB still available)' : 'is tight'}`);
  } finally {
    await vm.destroy();
  }
});
