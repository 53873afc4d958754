// npm run bench:vm [-- --runs N]: medians of cold boot to prompt, snapshot restore to first
// command answered and command round trip; snapshot and kernel sizes; Node RSS. Restore and cold
// boot also run v86's stock path (stockV86) alternately with ours, as the same-run baseline; each
// figure is printed beside its target and the previous run's figure on this machine.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_FILES } from '../src/vm/assets.ts';
import type { VmCore } from '../src/vm/core.ts';
import { createNodeVm, distPath, missingBootFile } from '../src/vm/node.ts';
import { cacheDir } from './lib/cache.ts';
import { BuildError, log, runMain } from './lib/progress.ts';

const SCOPE = 'bench:vm';

interface Row {
  name: string;
  value: number;
  unit: 'ms' | 'MB' | 'MiB' | 'M';
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

/** Guest instructions executed so far (v86's counter wraps at 2^32: fine for one boot). */
function instructions(vm: VmCore): number {
  const emu = (vm as unknown as { emu: { get_instruction_counter(): number } | null }).emu;
  return emu ? emu.get_instruction_counter() >>> 0 : 0;
}

async function restoreRuns(runs: number, stockV86: boolean): Promise<{ restore: number[]; rtt: number[]; rss: number }> {
  const restore: number[] = [];
  const rtt: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const vm = createNodeVm({ shares: {}, stockV86 });
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
    log(SCOPE, `restore run ${i + 1}/${runs}${stockV86 ? ' (stock v86)' : ''}: ${(restore[i] as number).toFixed(0)} ms`);
  }
  return { restore, rtt, rss };
}

async function coldRuns(runs: number, stockV86: boolean): Promise<{ ms: number[]; instr: number[] }> {
  const ms: number[] = [];
  const instr: number[] = [];
  for (let i = 0; i < runs; i++) {
    const vm = createNodeVm({ shares: {}, stockV86 });
    const t0 = performance.now();
    await vm.boot({ snapshot: false });
    ms.push(performance.now() - t0);
    instr.push(instructions(vm) / 1e6);
    await vm.destroy();
    log(SCOPE, `cold boot run ${i + 1}/${runs}${stockV86 ? ' (stock v86)' : ''}: ${((ms[i] as number) / 1000).toFixed(2)} s, ${(instr[i] as number).toFixed(0)} M guest instructions`);
  }
  return { ms, instr };
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
  // Each measure runs ours and v86's stock path alternately, so both see the same machine load.
  if (existsSync(snap)) {
    const ours: Awaited<ReturnType<typeof restoreRuns>>[] = [];
    const stock: Awaited<ReturnType<typeof restoreRuns>>[] = [];
    for (let i = 0; i < Math.max(runs, 3); i++) {
      ours.push(await restoreRuns(1, false));
      stock.push(await restoreRuns(1, true));
    }
    const restore = ours.flatMap((r) => r.restore);
    rows.push({ name: 'snapshot restore to first command', value: median(restore), unit: 'ms', target: 1000, runs: restore.length });
    rows.push({ name: '  baseline: stock v86 restore_state', value: median(stock.flatMap((r) => r.restore)), unit: 'ms', runs: stock.length });
    const rtt = ours.flatMap((r) => r.rtt);
    rows.push({ name: 'command round trip (exec true)', value: median(rtt), unit: 'ms', runs: rtt.length });
    rows.push({ name: 'Node RSS with a booted guest', value: (ours[0]?.rss ?? 0) / 1024 / 1024, unit: 'MiB' });
    rows.push({ name: '  baseline: with stock v86 restore', value: (stock[0]?.rss ?? 0) / 1024 / 1024, unit: 'MiB' });
    rows.push({ name: 'compressed snapshot', value: statSync(snap).size / 1e6, unit: 'MB', target: 10 });
  } else log(SCOPE, `no ${DIST_FILES.snapshot}: restore figures skipped (npm run build:vm makes it)`);
  const cold = { ms: [] as number[], instr: [] as number[] };
  const coldStock = { ms: [] as number[], instr: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const a = await coldRuns(1, false);
    const b = await coldRuns(1, true);
    cold.ms.push(...a.ms);
    cold.instr.push(...a.instr);
    coldStock.ms.push(...b.ms);
    coldStock.instr.push(...b.instr);
  }
  rows.push({ name: 'cold boot to prompt', value: median(cold.ms), unit: 'ms', target: 6000, runs });
  rows.push({ name: '  baseline: guest unpacks its initramfs', value: median(coldStock.ms), unit: 'ms', runs });
  rows.push({ name: 'cold boot guest instructions', value: median(cold.instr), unit: 'M', runs });
  rows.push({ name: '  baseline: guest unpacks its initramfs', value: median(coldStock.instr), unit: 'M', runs });
  rows.push({ name: 'bzImage', value: statSync(distPath(DIST_FILES.bzImage)).size / 1e6, unit: 'MB', target: 3 });

  const baselineFile = join(cacheDir('bench'), 'vm.json');
  const baseline = existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as Row[]) : [];
  const w = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`\n${'measure'.padEnd(w)}  ${'median'.padStart(10)}  ${'target'.padStart(10)}  ${'previous'.padStart(10)}  runs  ok\n`);
  for (const r of rows) {
    const prev = r.name.startsWith(' ') ? undefined : baseline.find((b) => b.name === r.name)?.value;
    const ok = r.target === undefined ? '' : r.value <= r.target ? 'yes' : 'NO';
    process.stdout.write(
      `${r.name.padEnd(w)}  ${fmt(r.value, r.unit).padStart(10)}  ${fmt(r.target, r.unit).padStart(10)}  ${fmt(prev, r.unit).padStart(10)}  ${String(r.runs ?? '').padStart(4)}  ${ok}\n`,
    );
  }
  writeFileSync(baselineFile, JSON.stringify(rows, null, 2));
  process.exit(0);
});
