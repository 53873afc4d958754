// Offline Debian mirror benchmark, in the guest (restored from the boot snapshot): per run, a fresh
// debian:bookworm-slim container times `apt-get update` and then `apt-get install -y python3`
// inside itself (so container start is not counted), beside the run's baseline: the same
// container doing `true` (what any `docker run` costs here). Prints medians and the host's load.
// BENCH_RUNS sets the run count (default 3).
import { loadavg } from 'node:os';
import { log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const SCOPE = 'bench:mirror';

// Milliseconds from the guest's own clock, around each step.
const SCRIPT = [
  'now() { date +%s%N | cut -c1-13; }',
  't0=$(now); apt-get update >/dev/null 2>&1 || exit 11; t1=$(now)',
  'apt-get install -y python3 >/dev/null 2>&1 || exit 12; t2=$(now)',
  'echo "update=$((t1 - t0)) install=$((t2 - t1))"',
].join('\n');

async function main(): Promise<void> {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing: run npx tsx scripts/prepare.ts`);
  const vm = createNodeVm();
  await vm.boot();
  try {
    const exec = async (cmd: string) => {
      const r = await vm.exec(cmd, { timeoutMs: 1_800_000 });
      if (r.exitCode !== 0) throw new Error(`\`${cmd}\` exited ${r.exitCode}: ${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    await exec('docker pull -q debian:bookworm-slim');
    const base: number[] = [];
    const update: number[] = [];
    const install: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = Date.now();
      await exec('docker run --rm debian:bookworm-slim true');
      base.push(Date.now() - t);
      const out = await exec(`docker run --rm debian:bookworm-slim sh -c '${SCRIPT}'`);
      const m = /update=(\d+) install=(\d+)/.exec(out);
      if (!m) throw new Error(`no timings in: ${out}`);
      update.push(Number(m[1]));
      install.push(Number(m[2]));
      load.push(loadavg()[0]!);
      log(SCOPE, `run ${i + 1}/${RUNS}: apt-get update ${(Number(m[1]) / 1000).toFixed(1)} s, install python3 ${(Number(m[2]) / 1000).toFixed(1)} s, docker run true ${(base.at(-1)! / 1000).toFixed(1)} s, load ${load.at(-1)!.toFixed(1)}`);
    }
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`median of ${RUNS} (host load ${median(load).toFixed(1)} on ${(await import('node:os')).cpus().length} cores):`);
    console.log(`  baseline: docker run --rm debian:bookworm-slim true   ${s(median(base))}`);
    console.log(`  apt-get update (in the container)                     ${s(median(update))}`);
    console.log(`  apt-get install -y python3 (in the container)         ${s(median(install))}`);
  } finally {
    await vm.destroy();
  }
}

runMain(SCOPE, main);
