// npm run bench:vm [-- --runs N]: medians of cold boot to prompt (and to dockerd up), snapshot restore to first
// command answered and command round trip; snapshot and kernel sizes; Node RSS. Restore and cold
// boot also run v86's stock path (stockV86) alternately with ours, as the same-run baseline; each
// figure is printed beside its target and the previous run's figure on this machine. RSS is
// measured in a fresh Node process per guest (this script again, with --rss-child), ours and
// stock alternately: in one process the later emulators would share it with earlier ones' garbage.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST_FILES } from '../src/vm/assets.ts';
import type { VmCore } from '../src/vm/core.ts';
import { createNodeVm, distPath, missingBootFile } from '../src/vm/node.ts';
import { cacheDir } from './lib/cache.ts';
import { BuildError, log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';

const SCOPE = 'bench:vm';

interface Row {
  name: string;
  value: number;
  unit: 'ms' | 'MB' | 'MiB' | 'M';
  target?: number;
  runs?: number;
}

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

/** A timed command that failed would time well: every one is checked. */
async function execTrue(vm: VmCore): Promise<void> {
  const r = await vm.exec('true');
  if (r.exitCode !== 0) throw new BuildError(`exec true in the guest exited ${r.exitCode}: ${r.stderr}`);
}

async function restoreRuns(runs: number, stockV86: boolean): Promise<{ restore: number[]; rtt: number[] }> {
  const restore: number[] = [];
  const rtt: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const vm = createNodeVm({ shares: {}, stockV86 });
    await vm.boot();
    if (vm.lastBoot?.mode !== 'snapshot') throw new BuildError(`the snapshot was not used: ${vm.lastBoot?.fallbackReason ?? 'unknown reason'}`);
    await execTrue(vm);
    restore.push(performance.now() - t0);
    for (let k = 0; k < 10; k++) {
      const t = performance.now();
      await execTrue(vm);
      rtt.push(performance.now() - t);
    }
    await vm.destroy();
    log(SCOPE, `restore run ${i + 1}/${runs}${stockV86 ? ' (stock v86)' : ''}: ${(restore[i] as number).toFixed(0)} ms`);
  }
  return { restore, rtt };
}

interface RssSample {
  /** The child's RSS once its modules are loaded, before any emulator. */
  idle: number;
  /** With the guest restored and a command answered. */
  booted: number;
}

/** --rss-child ours|stock: one guest in this fresh process; prints an RssSample as JSON. */
async function rssChild(stockV86: boolean): Promise<void> {
  const idle = process.memoryUsage().rss;
  const vm = createNodeVm({ shares: {}, stockV86 });
  await vm.boot();
  if (vm.lastBoot?.mode !== 'snapshot') throw new BuildError(`the snapshot was not used: ${vm.lastBoot?.fallbackReason ?? 'unknown reason'}`);
  await execTrue(vm);
  const booted = process.memoryUsage().rss;
  await vm.destroy();
  process.stdout.write(`${JSON.stringify({ idle, booted } satisfies RssSample)}\n`);
}

/** This script again in a new Node process (tsx's loader flags included) for one RSS sample. */
function rssSample(stockV86: boolean): RssSample {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--rss-child', stockV86 ? 'stock' : 'ours'], { encoding: 'utf8', timeout: 300_000 });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new BuildError(`the RSS child (${stockV86 ? 'stock' : 'ours'}) failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
  const s = JSON.parse(line) as RssSample;
  log(SCOPE, `RSS in a fresh process${stockV86 ? ' (stock v86)' : ''}: ${(s.booted / 1048576).toFixed(0)} MiB booted, ${(s.idle / 1048576).toFixed(0)} MiB before the boot`);
  return s;
}

/**
 * A cold boot's prompt (the shell answers: boot() reports 'ready') and its end: boot() then waits
 * for dockerd, which a cold guest starts after the shell.
 */
interface ColdSample {
  ms: number;
  engineMs: number;
  instr: number;
}

async function coldRun(run: number, runs: number, stockV86: boolean): Promise<ColdSample> {
  const vm = createNodeVm({ shares: {}, stockV86 });
  const t0 = performance.now();
  let prompt: number | null = null;
  await vm.boot({ snapshot: false, onProgress: (p) => void (p.phase === 'ready' && (prompt ??= performance.now() - t0)) });
  const engineMs = performance.now() - t0;
  const s = { ms: prompt ?? engineMs, engineMs, instr: instructions(vm) / 1e6 };
  await vm.destroy();
  log(SCOPE, `cold boot run ${run}/${runs}${stockV86 ? ' (stock v86)' : ''}: prompt ${(s.ms / 1000).toFixed(2)} s, engine up ${(engineMs / 1000).toFixed(2)} s, ${s.instr.toFixed(0)} M guest instructions`);
  return s;
}

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined) return '-';
  return unit === 'ms' ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ${unit}`;
}

async function main(): Promise<void> {
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
    const rssOurs: RssSample[] = [];
    const rssStock: RssSample[] = [];
    for (let i = 0; i < runs; i++) {
      rssOurs.push(rssSample(false));
      rssStock.push(rssSample(true));
    }
    const mib = (xs: number[]) => median(xs) / 1048576;
    rows.push({ name: 'Node RSS with a booted guest (fresh process)', value: mib(rssOurs.map((s) => s.booted)), unit: 'MiB', runs });
    rows.push({ name: '  baseline: with stock v86 restore', value: mib(rssStock.map((s) => s.booted)), unit: 'MiB', runs });
    rows.push({ name: '  baseline: the same process before the boot', value: mib([...rssOurs, ...rssStock].map((s) => s.idle)), unit: 'MiB', runs: runs * 2 });
    rows.push({ name: 'compressed snapshot', value: statSync(snap).size / 1e6, unit: 'MB', target: 10 });
  } else log(SCOPE, `no ${DIST_FILES.snapshot}: restore figures skipped (npm run build:vm makes it)`);
  const cold: ColdSample[] = [];
  const coldStock: ColdSample[] = [];
  for (let i = 1; i <= runs; i++) {
    cold.push(await coldRun(i, runs, false));
    coldStock.push(await coldRun(i, runs, true));
  }
  const med = (xs: ColdSample[], pick: (s: ColdSample) => number) => median(xs.map(pick));
  rows.push({ name: 'cold boot to prompt', value: med(cold, (s) => s.ms), unit: 'ms', target: 2500, runs });
  rows.push({ name: '  baseline: guest unpacks its initramfs', value: med(coldStock, (s) => s.ms), unit: 'ms', runs });
  rows.push({ name: 'cold boot to the engine up', value: med(cold, (s) => s.engineMs), unit: 'ms', runs });
  rows.push({ name: '  baseline: guest unpacks its initramfs', value: med(coldStock, (s) => s.engineMs), unit: 'ms', runs });
  rows.push({ name: 'cold boot guest instructions', value: med(cold, (s) => s.instr), unit: 'M', runs });
  rows.push({ name: '  baseline: guest unpacks its initramfs', value: med(coldStock, (s) => s.instr), unit: 'M', runs });
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
}

const child = process.argv.indexOf('--rss-child');
if (child >= 0)
  runMain(`${SCOPE} rss`, async () => {
    await rssChild(process.argv[child + 1] === 'stock');
    process.exit(0);
  });
else runMain(SCOPE, main);
