// npm run bench:vm [-- --runs N]: medians of cold boot to prompt, snapshot restore to first
// command answered and command round trip; snapshot and kernel sizes; Node RSS. Each figure is
// printed beside its target and the previous run on this machine (the baseline).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_FILES } from '../src/vm/assets.ts';
import { createNodeVm, distPath, missingBootFile } from '../src/vm/node.ts';
import { cacheDir } from './lib/cache.ts';
import { BuildError, log, runMain } from './lib/progress.ts';

const SCOPE = 'bench:vm';

interface Row {
  name: string;
  value: number;
  unit: 'ms' | 'MB' | 'MiB';
  target?: number;
  runs?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function argRuns(): number {
  const i = process.argv.indexOf('--runs');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 3;
  if (!Number.isInteger(n) || n < 1) throw new BuildError('--runs needs a positive integer');
  return n;
}

async function restoreRuns(runs: number): Promise<{ restore: number[]; rtt: number[]; rss: number }> {
  const restore: number[] = [];
  const rtt: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const vm = createNodeVm({ shares: {} });
    await vm.boot();
    if (vm.lastBoot?.mode !== 'snapshot') throw new BuildError(`the snapshot was not used: ${vm.lastBoot?.fallbackReason ?? 'unknown reason'}`);
    await vm.exec('true');
    restore.push(performance.now() - t0);
    for (let k = 0; k < 10; k++) {
      const t = performance.now();
      await vm.exec('true');
      rtt.push(performance.now() - t);
    }
    // The first guest only: later ones share the process with freed emulators not yet collected.
    if (i === 0) rss = process.memoryUsage().rss;
    await vm.destroy();
    log(SCOPE, `restore run ${i + 1}/${runs}: ${(restore[i] as number).toFixed(0)} ms`);
  }
  return { restore, rtt, rss };
}

async function coldRuns(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const vm = createNodeVm({ shares: {} });
    const t0 = performance.now();
    await vm.boot({ snapshot: false });
    out.push(performance.now() - t0);
    await vm.destroy();
    log(SCOPE, `cold boot run ${i + 1}/${runs}: ${((out[i] as number) / 1000).toFixed(2)} s`);
  }
  return out;
}

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined) return '-';
  return unit === 'ms' ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ${unit}`;
}

runMain(SCOPE, async () => {
  const missing = missingBootFile();
  if (missing) throw new BuildError(`${missing} is missing: run npm run build:vm first`);
  const runs = argRuns();
  const rows: Row[] = [];
  const snap = distPath(DIST_FILES.snapshot);
  if (existsSync(snap)) {
    const r = await restoreRuns(Math.max(runs, 3));
    rows.push({ name: 'snapshot restore to first command', value: median(r.restore), unit: 'ms', target: 1000, runs: r.restore.length });
    rows.push({ name: 'command round trip (exec true)', value: median(r.rtt), unit: 'ms', runs: r.rtt.length });
    rows.push({ name: 'Node RSS with a booted guest', value: r.rss / 1024 / 1024, unit: 'MiB' });
    rows.push({ name: 'compressed snapshot', value: statSync(snap).size / 1e6, unit: 'MB', target: 10 });
  } else log(SCOPE, `no ${DIST_FILES.snapshot}: restore figures skipped (npm run build:vm makes it)`);
  const cold = await coldRuns(runs);
  rows.push({ name: 'cold boot to prompt', value: median(cold), unit: 'ms', target: 6000, runs });
  rows.push({ name: 'bzImage', value: statSync(distPath(DIST_FILES.bzImage)).size / 1e6, unit: 'MB', target: 3 });

  const baselineFile = join(cacheDir('bench'), 'vm.json');
  const baseline = existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as Row[]) : [];
  const w = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`\n${'measure'.padEnd(w)}  ${'median'.padStart(10)}  ${'target'.padStart(10)}  ${'previous'.padStart(10)}  runs  ok\n`);
  for (const r of rows) {
    const prev = baseline.find((b) => b.name === r.name)?.value;
    const ok = r.target === undefined ? '' : r.value <= r.target ? 'yes' : 'NO';
    process.stdout.write(
      `${r.name.padEnd(w)}  ${fmt(r.value, r.unit).padStart(10)}  ${fmt(r.target, r.unit).padStart(10)}  ${fmt(prev, r.unit).padStart(10)}  ${String(r.runs ?? '').padStart(4)}  ${ok}\n`,
    );
  }
  writeFileSync(baselineFile, JSON.stringify(rows, null, 2));
  process.exit(0);
});
