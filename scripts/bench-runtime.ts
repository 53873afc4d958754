// npm run bench:runtime [-- --runs N --guest-runs N --no-clean --no-guest --against BINARY]: the guest runtime's
// stripped size, native and in-guest start-up of `docker --version` (medians, each beside the cost
// of starting /bin/true the same way), clean and incremental build times. Every figure is printed
// with its target and the previous run on this machine (the baseline). --against times another
// whalebone binary (e.g. one built from an older commit) in the same guest, round by round, so a
// before/after comparison shares the run conditions (this machine's load varies a lot).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { cacheDir, repoRoot } from './lib/cache.ts';
import { BuildError, log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';

const SCOPE = 'bench:runtime';
const DIST = join(repoRoot, 'vm-images/dist/runtime');
const BINARY = join(DIST, 'whalebone');

interface Row {
  name: string;
  value: number | null;
  unit: 'ms' | 's' | 'MB';
  target?: number;
  note?: string;
}


function flag(name: string): boolean {
  return process.argv.includes(name);
}

function num(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(n) || n < 1) throw new BuildError(`${name} needs a positive integer`);
  return n;
}

/** Runs `npm run build:runtime` as a developer would; returns seconds. */
function timedBuild(env: NodeJS.ProcessEnv = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/build-runtime.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new BuildError(`build:runtime failed:\n${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** Median wall time of spawning argv `runs` times (after two warm-up runs). */
function spawnMedian(argv: string[], runs: number): number {
  const [cmd, ...args] = argv;
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd!, args, { encoding: 'utf8' });
    const dt = performance.now() - t0;
    if (r.status !== 0) throw new BuildError(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= 2) times.push(dt);
  }
  return median(times);
}

/** Why i386 binaries run under qemu-user here (binfmt_misc), or null when they run natively. */
function viaQemu(): string | null {
  const entry = '/proc/sys/fs/binfmt_misc/qemu-i386';
  if (!existsSync(entry) || !readFileSync(entry, 'utf8').startsWith('enabled')) return null;
  return 'i386 runs under qemu-user on this host (binfmt_misc qemu-i386; the kernel has IA-32 emulation off)';
}

function cleanBuild(): number {
  // A fresh cache, except the downloaded Debian files (the network is not what we measure).
  const fresh = mkdtempSync(join(tmpdir(), 'wb-bench-cache-'));
  try {
    for (const keep of ['apt', 'debs', 'sources']) symlinkSync(cacheDir(keep), join(fresh, keep));
    log(SCOPE, 'clean build (fresh cache; QuickJS compiles with -j2) ...');
    return timedBuild({ WHALEBONE_CACHE: fresh });
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

interface GuestTimes {
  baseline: number;
  docker: number;
  ps: number;
  against?: { docker: number; ps: number };
}

async function guestStartup(runs: number, against?: string): Promise<GuestTimes | string> {
  const { createNodeVm, missingBootFile } = await import('../src/vm/node.ts');
  const missing = missingBootFile();
  if (missing) return `${missing} is missing: run npm run build:vm`;
  // The binary just built (not the one baked into the guest image) comes over the 9p share and
  // is copied into the guest's tmpfs, so the figure is for the current code.
  const shares: Record<string, string> = { rt: DIST };
  if (against) shares.old = dirname(against);
  const vm = createNodeVm({ shares });
  try {
    log(SCOPE, 'booting the guest ...');
    await vm.boot();
    const install = (from: string, dir: string) =>
      `mkdir -p ${dir} && cp ${from} ${dir}/whalebone && chmod 755 ${dir}/whalebone && ln -sf whalebone ${dir}/docker && ${dir}/docker --version`;
    const steps = [install('/mnt/host/rt/whalebone', '/tmp/new')];
    if (against) steps.push(install(`/mnt/host/old/${basename(against)}`, '/tmp/old'));
    for (const step of steps) {
      const setup = await vm.exec(step, { timeoutMs: 60_000 });
      if (setup.exitCode !== 0 || !setup.stdout.includes('build whalebone'))
        return `a binary does not run in the guest (exit ${setup.exitCode}: ${setup.stderr.trim()})`;
    }
    // Timed inside the guest over a loop of 10 (busybox date has no sub-second format; /proc/uptime
    // counts hundredths), so the control channel's round trip is left out. Each round times every
    // command once, so all see the same load; medians over rounds.
    const once = async (cmd: string) => {
      // Each run's exit status is checked: a command that fails fast would otherwise time well.
      const [want, line] = cmd.split('|', 2) as [string, string];
      const r = await vm.exec(
        `a=$(cut -d' ' -f1 /proc/uptime); for i in 1 2 3 4 5 6 7 8 9 10; do ${line} >/dev/null 2>&1; s=$?; [ $s = ${want} ] || { echo "exited $s, not ${want}" >&2; exit 1; }; done; b=$(cut -d' ' -f1 /proc/uptime); echo $a $b`,
        { timeoutMs: 120_000 },
      );
      const [a, b] = r.stdout.trim().split(' ').map(Number);
      if (r.exitCode !== 0 || a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b))
        throw new BuildError(`guest: timing ${line} failed: ${r.stdout} ${r.stderr}`);
      return ((b - a) * 1000) / 10;
    };
    // `docker ps` with no daemon listening (the guest's dockerd runs, so the CLI is pointed at a
    // socket nobody serves): the CLI's load and its connect attempt, no engine work; it must
    // fail with Docker's exit 1 every time. Entries are "expected exit status|command".
    const noDaemon = 'DOCKER_HOST=unix:///tmp/bench-no-daemon.sock';
    const cmds: Record<string, string> = { baseline: '0|/bin/true', docker: '0|/tmp/new/docker --version', ps: `1|${noDaemon} /tmp/new/docker ps` };
    if (against) Object.assign(cmds, { oldDocker: '0|/tmp/old/docker --version', oldPs: `1|${noDaemon} /tmp/old/docker ps` });
    const xs: Record<string, number[]> = {};
    for (let i = 0; i < runs; i++) {
      log(SCOPE, `guest round ${i + 1}/${runs} ...`);
      for (const [k, cmd] of Object.entries(cmds)) (xs[k] ??= []).push(await once(cmd));
    }
    const m = (k: string) => median(xs[k]!);
    return {
      baseline: m('baseline'),
      docker: m('docker'),
      ps: m('ps'),
      ...(against ? { against: { docker: m('oldDocker'), ps: m('oldPs') } } : {}),
    };
  } finally {
    await vm.destroy();
  }
}

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (!v || v.startsWith('--')) throw new BuildError(`${name} needs a value`);
  return v;
}

runMain(SCOPE, async () => {
  const runs = num('--runs', 50);
  const guestRuns = num('--guest-runs', 5);
  const rows: Row[] = [];

  log(SCOPE, 'warm build ...');
  timedBuild();
  if (!existsSync(BINARY)) throw new BuildError(`${BINARY} was not built`);
  rows.push({ name: 'stripped binary size', value: statSync(BINARY).size / 1e6, unit: 'MB', target: 2 });

  const trueMs = spawnMedian(['/bin/true'], runs);
  const dockerMs = spawnMedian([BINARY, 'docker', '--version'], runs);
  const emulated = viaQemu();
  rows.push(
    emulated
      ? { name: `host start-up via qemu-i386, docker --version (${runs} runs)`, value: dockerMs, unit: 'ms', note: `${emulated}; the 5 ms target needs native i386 (see the guest figure); spawning /bin/true: ${trueMs.toFixed(2)} ms` }
      : { name: `native start-up, docker --version (${runs} runs)`, value: dockerMs, unit: 'ms', target: 5, note: `spawning /bin/true: ${trueMs.toFixed(2)} ms` },
  );

  // Incremental: touching a .ts (content unchanged: bundle + qjsc, link cached), and an edit
  // (the bytecode changes: bundle + qjsc + compile + link).
  utimesSync(join(repoRoot, 'src/guest/main.ts'), new Date(), new Date());
  rows.push({ name: 'incremental build, touch a .ts', value: timedBuild(), unit: 's' });
  rows.push({ name: 'incremental build, TypeScript edit', value: timedBuild({ WHALEBONE_BUILD_STAMP: `bench ${Date.now()}` }), unit: 's' });
  timedBuild(); // put the unstamped binary back

  rows.push(flag('--no-clean') ? { name: 'clean build', value: null, unit: 's', note: 'skipped (--no-clean)' } : { name: 'clean build', value: cleanBuild(), unit: 's' });

  if (flag('--no-guest')) rows.push({ name: 'guest start-up, docker --version', value: null, unit: 'ms', note: 'skipped (--no-guest)' });
  else {
    const against = opt('--against');
    if (against && !existsSync(against)) throw new BuildError(`--against ${against}: no such file`);
    const g = await guestStartup(guestRuns, against && resolve(against));
    if (typeof g === 'string') rows.push({ name: 'guest start-up, docker --version', value: null, unit: 'ms', note: `skipped: ${g}` });
    else {
      const minus = (v: number) => `${v.toFixed(0)} ms per run minus ${g.baseline.toFixed(0)} ms for /bin/true, in loops of 10`;
      rows.push({ name: `guest start-up, docker --version (${guestRuns} rounds)`, value: g.docker - g.baseline, unit: 'ms', target: 250, note: minus(g.docker) });
      rows.push({ name: `guest docker ps, no daemon (${guestRuns} rounds)`, value: g.ps - g.baseline, unit: 'ms', note: minus(g.ps) });
      if (g.against) {
        rows.push({ name: `  same guest, --against: docker --version`, value: g.against.docker - g.baseline, unit: 'ms', note: `${against}; not saved as a baseline` });
        rows.push({ name: `  same guest, --against: docker ps, no daemon`, value: g.against.ps - g.baseline, unit: 'ms', note: 'not saved as a baseline' });
      }
    }
  }

  const baseFile = join(cacheDir('bench'), 'runtime.json');
  const base = existsSync(baseFile) ? (JSON.parse(readFileSync(baseFile, 'utf8')) as Record<string, number>) : {};
  const fmt = (v: number, unit: string) => `${unit === 'MB' ? v.toFixed(2) : unit === 's' ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
  process.stdout.write('\nbench:runtime (medians)\n');
  for (const r of rows) {
    const key = r.name.replace(/ \(\d+ (runs|rounds)\)/, '');
    const parts = [r.value === null ? '—' : fmt(r.value, r.unit)];
    if (r.target !== undefined && r.value !== null) parts.push(`target ≤ ${r.target} ${r.unit} ${r.value <= r.target ? 'OK' : 'MISSED'}`);
    if (base[key] !== undefined && r.value !== null) parts.push(`baseline ${fmt(base[key]!, r.unit)}`);
    if (r.note) parts.push(r.note);
    process.stdout.write(`  ${r.name.padEnd(48)} ${parts.join('  |  ')}\n`);
    if (r.value !== null && !r.name.includes('--against')) base[key] = r.value;
  }
  writeFileSync(baseFile, JSON.stringify(base, null, 2));
});
