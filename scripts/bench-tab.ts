// `npm run bench:tab`: the same guest commands timed inside the guest in Node and in a Chromium
// tab, to show how much slower the guest runs in the tab and where the tab's CPU goes.
//
// Each column boots the boot snapshot and waits for the first lesson (the tab: the app from
// dist/, a fresh profile), then runs every command REPS times, timed by the guest's own clock
// (/proc/uptime, 10 ms steps), so the host's exec round trip is not counted. Columns:
//   node             the VM driver in this process (what bench:engine measures; one-page JIT modules too)
//   tab, 3-page JIT  the tab with v86's own JIT region limit (?jit-pages=3): the baseline
//   tab              Chromium as a learner runs it (one guest page per JIT module: src/vm/jit.ts)
//   tab liftoff-only the same tab with V8 told never to optimize WebAssembly with TurboFan
//                    (--js-flags=--liftoff-only): a diagnosis, not something a page can ask for
// For each tab it also prints the CPU seconds of the renderer's threads while the commands ran
// (/proc/<pid>/task/*/stat), grouped by thread name: V8's background compile jobs run on
// ThreadPoolForeg threads, the emulator on a DedicatedWorker thread.
//
// Flags: --reps N (default 3), --no-build (use dist/ as it is), --no-liftoff.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/app/chromium.ts';
import { serveStatic } from '../test/app/static-server.ts';
import { createNodeVm } from '../src/vm/node.ts';
import { repoRoot } from './lib/cache.ts';
import { BuildError, log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { profileRenderers } from './lib/renderers.ts';

const SCOPE = 'bench:tab';

/** name, guest command: each is timed inside the guest. */
const COMMANDS: readonly (readonly [string, string])[] = [
  ['shell loop, 20 000 rounds (CPU only)', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'],
  ['20 x /bin/true (fork and exec)', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true; done'],
  ['docker --version (the CLI start)', 'docker --version >/dev/null'],
  ['docker ps', 'docker ps >/dev/null'],
  ['docker pull -q busybox (present)', 'docker pull -q busybox >/dev/null'],
  ['docker run --rm busybox true', 'docker run --rm busybox true'],
  ['sleep 0.1 (timers)', 'sleep 0.1'],
];

interface GuestExec {
  exec(cmd: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** One shell script: every command REPS times, each line "index|centiseconds". */
function script(reps: number): string {
  const lines = ['now() { read u r </proc/uptime; echo "${u%.*}${u#*.}"; }'];
  COMMANDS.forEach(([, cmd], i) => {
    for (let r = 0; r < reps; r++) lines.push(`a=$(now); ${cmd}; b=$(now); echo "${i}|$((b - a))"`);
  });
  return lines.join('\n');
}

/** Milliseconds per command, in COMMANDS order. */
async function timeCommands(vm: GuestExec, reps: number): Promise<number[][]> {
  // The image is pulled once first, so every column starts from the same guest state.
  const warm = await vm.exec('docker pull -q busybox >/dev/null');
  if (warm.exitCode !== 0) throw new BuildError(`docker pull busybox failed in the guest: ${warm.stderr}`);
  const r = await vm.exec(script(reps));
  if (r.exitCode !== 0) throw new BuildError(`the guest's commands failed (exit ${r.exitCode}): ${r.stderr.slice(0, 400)}`);
  const out: number[][] = COMMANDS.map(() => []);
  for (const line of r.stdout.trim().split('\n')) {
    const [i, cs] = line.split('|');
    out[Number(i)]?.push(Number(cs) * 10);
  }
  return out;
}

/** CPU ticks (1/100 s) per thread name of one process. */
function threadTicks(pid: number): Map<string, number> {
  const by = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return by;
  }
  for (const tid of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      by.set(name, (by.get(name) ?? 0) + Number(f[11]) + Number(f[12]));
    } catch {
      // the thread ended
    }
  }
  return by;
}

interface TabResult {
  times: number[][];
  cpu: Map<string, number>;
  wallMs: number;
}

async function waitForLesson(page: Page): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const state = await page
      .evaluate(() => (performance.getEntriesByName('whalebone:vm-failed').length ? 'failed' : performance.getEntriesByName('whalebone:lesson-ready').length ? 'ready' : 'wait'))
      .catch(() => 'wait');
    if (state === 'ready') return;
    if (state === 'failed') throw new BuildError('the VM failed to boot in the tab');
    if (Date.now() > deadline) throw new BuildError('no whalebone:lesson-ready mark within 300 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function tabColumn(url: string, reps: number, extraArgs: string[]): Promise<TabResult> {
  const { context, userDataDir } = await launchChromium(undefined, extraArgs);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await waitForLesson(page);
    const vm: GuestExec = {
      exec: (cmd) =>
        page.evaluate(
          (c) =>
            (globalThis as unknown as { whalebone: { session: { vm: { exec(c: string, o: object): Promise<{ exitCode: number; stdout: string; stderr: string }> } } } }).whalebone.session.vm.exec(c, { timeoutMs: 900_000 }),
          cmd,
        ),
    };
    const pids = profileRenderers(userDataDir).map((r) => r.pid);
    const before = pids.map(threadTicks);
    const t0 = performance.now();
    const times = await timeCommands(vm, reps);
    const wallMs = performance.now() - t0;
    const cpu = new Map<string, number>();
    pids.forEach((pid, i) => {
      for (const [name, ticks] of threadTicks(pid)) {
        const d = ticks - (before[i]!.get(name) ?? 0);
        if (d > 0) cpu.set(name, (cpu.get(name) ?? 0) + d / 100);
      }
    });
    return { times, cpu, wallMs };
  } finally {
    await context.close();
  }
}

runMain(SCOPE, async () => {
  const reps = Number(arg('--reps') ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new BuildError('--reps needs a positive integer');
  if (!process.argv.includes('--no-build')) {
    log(SCOPE, 'building the app (npm run build) ...');
    const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new BuildError(`npm run build failed (exit ${r.status})`);
  }
  const root = resolve(repoRoot, 'dist');
  if (!existsSync(join(root, 'vm', 'state.bin.zst'))) throw new BuildError('dist/vm has no boot snapshot: run npm run build');

  log(SCOPE, `node: ${COMMANDS.length} commands x ${reps} ...`);
  const vm = createNodeVm({});
  let node: number[][];
  try {
    await vm.boot();
    node = await timeCommands({ exec: (c) => vm.exec(c, { timeoutMs: 900_000 }) }, reps);
  } finally {
    await vm.destroy();
  }

  const server = await serveStatic({ root, base: '/' });
  const tabs: [string, TabResult][] = [];
  try {
    log(SCOPE, "tab with v86's own JIT regions (?jit-pages=3, the baseline) ...");
    tabs.push(['tab, 3-page JIT', await tabColumn(`${server.url}?jit-pages=3`, reps, [])]);
    log(SCOPE, 'tab ...');
    tabs.push(['tab', await tabColumn(server.url, reps, [])]);
    if (!process.argv.includes('--no-liftoff')) {
      log(SCOPE, 'tab with --js-flags=--liftoff-only (diagnosis) ...');
      tabs.push(['tab liftoff-only', await tabColumn(server.url, reps, ['--js-flags=--liftoff-only'])]);
    }
  } finally {
    await server.close();
  }

  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\nguest time per command, median of ${reps} (ms), timed inside the guest; host load ${load}`);
  const head = ['command', 'node', ...tabs.map(([n]) => n)];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(40) : h.padStart(17))).join(''));
  COMMANDS.forEach(([name], i) => {
    const cols = [node[i]!, ...tabs.map(([, t]) => t.times[i]!)].map((xs) => `${Math.round(median(xs))}`.padStart(17));
    console.log(name.padEnd(40) + cols.join(''));
  });
  for (const [name, t] of tabs) {
    const top = [...t.cpu].sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log(`${name}: ${(t.wallMs / 1000).toFixed(1)} s for all commands; renderer CPU s by thread: ${top.map(([n, s]) => `${n} ${s.toFixed(1)}`).join(', ')}`);
  }
});
