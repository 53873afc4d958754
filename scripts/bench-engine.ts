// Engine benchmarks (medians with run counts). Natively: our `runc run` of a busybox bundle
// against Debian's runc and crun on the same bundle (installed with apt-get when missing), as a
// ratio. Ours runs twice: the host-native build of the runtime (whalebone-host: the same bytecode
// and C, compiled for this machine; the fair comparison, and the ratio's) and the guest's i386
// binary, which this host runs through qemu-user. In the guest (restored from the boot snapshot, dockerd already running):
// `docker run --rm busybox true`, `docker ps`, and pulls (the image removed between runs) two ways:
// lazy, as the guest's dockerd pulls (layers used unpacked in place on the registry share: no
// layer bytes move), and full, by a second dockerd with --pull-mode copy (each layer blob read,
// its sha256 and diff_id checked, unpacked into guest memory); timed inside the guest, beside the
// guest's own baselines (a process start, the CLI's start). The full pull hashes and inflates in
// QuickJS (measured at load 9: busybox's 1 MB in 158 s, nginx's 35 MB not done in 10 minutes), so
// it pulls BENCH_FULL_PULL (default busybox, beside a lazy pull of the same image; none: no full
// pull, which takes about a minute a run); nginx works but takes long.
// `docker run` is timed back to back and, apart, 2 s apart as a learner types: dockerd keeps a
// standby shim only once starts have paused.
// The first commands after a restore, a second apart as a learner types them, with and without the
// app's JIT warm-up (src/vm/warm-up.ts; guests booted alternately, BENCH_GUEST_RUNS of each).
// BENCH_RUNS sets the native run count, BENCH_GUEST_RUNS the guest's; BENCH_ONLY=native|guest|first.
// BENCH_AGAINST=<another vm-images/dist> (e.g. main's worktree's): only `docker --version`,
// `docker ps` and `docker run --rm busybox true` in the guest, ours and that build's guest booted
// alternately round by round (one VM at a time), so the before/after medians share the machine's
// load.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, runMain } from './lib/progress.ts';
import { median } from './lib/stats.ts';
import { BINARY, HOST_BINARY, busyboxBundle } from '../test/guest/helpers/native.ts';
import { createNodeVm, distPath, missingBootFile } from '../src/vm/node.ts';
import { DIST_FILES } from '../src/vm/assets.ts';
import type { VmCore } from '../src/vm/core.ts';
import { WARM_UP_AFTER_MS } from '../src/vm/warm-up.ts';
import { STANDBY_AFTER_QUIET_MS } from '../src/guest/daemon/shim-launcher.ts';
import { sleep } from './lib/sleep.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
const GUEST_RUNS = Number(process.env['BENCH_GUEST_RUNS'] ?? 7);
const ONLY = process.env['BENCH_ONLY'];
const FULL_PULL = process.env['BENCH_FULL_PULL'] ?? 'busybox';
const AGAINST = process.env['BENCH_AGAINST'];

function time(cmd: string, args: string[], cwd: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: 'pipe', encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function ensureTool(name: string): string | null {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (which.status === 0) return which.stdout.trim();
  log('bench:engine', `installing ${name} with apt-get ...`);
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', name], { stdio: 'ignore' });
  if (r.status !== 0) return null;
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim() || null;
}

async function native(): Promise<void> {
  if (!existsSync(BINARY)) {
    log('bench:engine', `no runtime binary at ${BINARY}: run npm run build:runtime`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-'));
  try {
    const bundle = await busyboxBundle(join(dir, 'bundle'), (s) => {
      s.process!.args = ['true'];
    });
    // the same config for every runtime: Debian's runc and crun want a terminal off and no ambient caps
    const cfg = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { process: { capabilities: { ambient?: string[] } } };
    delete cfg.process.capabilities.ambient;
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(cfg));
    const runtimes: [string, string[]][] = [];
    const OURS = `whalebone runc (${process.arch} host build)`;
    if (existsSync(HOST_BINARY)) runtimes.push([OURS, [HOST_BINARY, 'runc', '--root', join(dir, 'st-wbh')]]);
    else log('bench:engine', `no host build at ${HOST_BINARY}: run npm run build:runtime`);
    runtimes.push(['whalebone runc (i386 guest binary through qemu-user)', [BINARY, 'runc', '--root', join(dir, 'st-wb')]]);
    for (const tool of ['runc', 'crun']) {
      const p = ensureTool(tool);
      if (p) runtimes.push([`debian ${tool}`, [p, '--root', join(dir, `st-${tool}`)]]);
      else log('bench:engine', `${tool} not available: skipped`);
    }
    const results: Record<string, number> = {};
    for (const [name, [cmd, ...pre]] of runtimes) {
      const xs: number[] = [];
      try {
        time(cmd!, [...pre, 'run', '-b', bundle, 'warm'], dir);
      } catch (e) {
        // e.g. crun refuses hosts with hybrid cgroups
        log('bench:engine', `${name} cannot run here, skipped: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      for (let i = 0; i < RUNS; i++) xs.push(time(cmd!, [...pre, 'run', '-b', bundle, `b${i}`], dir));
      results[name] = median(xs);
      log('bench:engine', `${name} run busybox true: median ${median(xs).toFixed(1)} ms over ${RUNS} runs`);
    }
    const ours = results[OURS];
    for (const other of ['debian runc', 'debian crun']) {
      if (ours !== undefined && results[other] !== undefined) log('bench:engine', `ratio whalebone (host build)/${other.split(' ')[1]}: ${(ours / results[other]).toFixed(2)} (below 1 = faster; target: below 1 against runc)`);
    }
    log('bench:engine', `note: the ratio uses whalebone-host, our runtime compiled for ${process.arch}; the guest's i386 binary pays qemu-user emulation on every call here, the other runtimes are native`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs cmd in the guest; returns its stdout or throws with its output. */
async function guestSh(vm: VmCore, cmd: string, timeoutMs = 120_000): Promise<string> {
  const r = await vm.exec(cmd, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`guest: \`${cmd}\` exited ${r.exitCode}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * Times cmd in the guest with /proc/uptime around it (10 ms steps), so the serial round trip of
 * the control channel is not counted. `before` runs untimed first (e.g. rmi before a pull).
 * Also returns the host CPU time the emulator spent on the exec (user + system of this process):
 * the guest's clock is wall time, so on a busy host every guest figure grows with the host's
 * load; the emulator's CPU time grows much less (measured: 2.5x wall, 1.4x CPU from load 6 to
 * 20), though not zero (caches, v86's JIT), and leaves out the guest's idle waits.
 */
async function guestTime(vm: VmCore, cmd: string, before = ''): Promise<{ ms: number; cpuMs: number }> {
  if (before) await guestSh(vm, `${before} >/dev/null 2>&1; true`);
  const c0 = process.cpuUsage();
  const out = await guestSh(vm, `read a _ </proc/uptime; ${cmd} >/dev/null 2>&1 || { echo "failed: ${cmd.replace(/"/g, '\\"')}" >&2; exit 1; }; read b _ </proc/uptime; echo "$a $b"`, 900_000);
  const c = process.cpuUsage(c0);
  const [a, b] = out.trim().split(' ').map(Number) as [number, number];
  return { ms: (b - a) * 1000, cpuMs: (c.user + c.system) / 1000 };
}

/** A second dockerd in the guest that pulls as Docker does (--pull-mode copy), on its own socket and state. */
const COPY_DIR = '/tmp/bench-copy';
const COPY_HOST = `DOCKER_HOST=unix://${COPY_DIR}/docker.sock`;
const START_COPY_DAEMON = [
  `mkdir -p ${COPY_DIR}`,
  `/usr/bin/dockerd -H unix://${COPY_DIR}/docker.sock --data-root ${COPY_DIR}/lib --exec-root ${COPY_DIR}/run --pidfile ${COPY_DIR}/docker.pid --registry /mnt/host/registry --pull-mode copy --bridge none </dev/null >${COPY_DIR}/dockerd.log 2>&1 &`,
  `i=0; until ${COPY_HOST} docker version >/dev/null 2>&1; do i=$((i + 1)); [ $i -gt 300 ] && { echo "the copy-mode dockerd did not answer:"; cat ${COPY_DIR}/dockerd.log; exit 1; } >&2; sleep 0.2; done`,
].join('\n');
const STOP_COPY_DAEMON = `kill $(cat ${COPY_DIR}/docker.pid) 2>/dev/null; rm -rf ${COPY_DIR}`;

/** Bytes a full pull of repo:tag reads: its layer blobs (compressed), from the registry on the host. */
function layerBytes(repo: string, tag: string): number | null {
  try {
    const dir = join(distPath(DIST_FILES.registry), repo);
    const blob = (digest: string) => readFileSync(join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, '')), 'utf8');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
    if (!desc) return null;
    const manifest = JSON.parse(blob(desc.digest)) as { layers: { size: number }[] };
    return manifest.layers.reduce((n, l) => n + l.size, 0);
  } catch {
    return null;
  }
}

interface GuestFigure {
  name: string;
  cmd: string;
  before?: string;
  target?: number;
  /** A pause before each run, as a learner's typing gives (runs back to back otherwise). */
  gapMs?: number;
}

async function guest(): Promise<void> {
  const missing = missingBootFile();
  if (missing) {
    log('bench:engine', `guest figures skipped: ${missing} is missing (run npm run build:vm)`);
    return;
  }
  const vm = createNodeVm({ log: (m) => log('vm', m) });
  try {
    await vm.boot();
    // warm up: the first pull reads the registry over 9p, the first run pages the binary in
    await guestSh(vm, 'docker pull -q busybox && docker run --rm busybox true && docker ps >/dev/null');
    const fullPull = FULL_PULL !== 'none';
    if (fullPull) await guestSh(vm, START_COPY_DAEMON);
    const blobs = fullPull ? layerBytes(FULL_PULL, 'latest') : null;
    const figures: GuestFigure[] = [
      { name: 'guest process start (/bin/true)', cmd: '/bin/true' },
      { name: 'docker CLI start (docker --version)', cmd: 'docker --version' },
      { name: 'docker ps', cmd: 'docker ps', target: 300 },
      { name: 'docker run --rm busybox true', cmd: 'docker run --rm busybox true', target: 1000 },
      // dockerd starts a standby shim once starts have paused for STANDBY_AFTER_QUIET_MS (checked
      // every half second), so back-to-back runs above spawn their shim and a learner's do not
      { name: 'docker run --rm busybox true, 2 s apart (a standby shim ready)', cmd: 'docker run --rm busybox true', gapMs: STANDBY_AFTER_QUIET_MS + 1000 },
      { name: 'docker run --rm --network none busybox true', cmd: 'docker run --rm --network none busybox true' },
      // The guest's own dockerd pulls lazily: it records each layer's unpacked folder on the 9p
      // share and copies or checks no layer bytes, so this is mostly metadata work.
      { name: 'docker pull nginx, lazy (layers used in place on the share: no layer bytes read or checked; rmi before each)', cmd: 'docker pull nginx', before: 'docker rmi -f nginx', target: 5000 },
      ...(FULL_PULL === 'nginx' || !fullPull ? [] : [{ name: `docker pull ${FULL_PULL}, lazy (as above)`, cmd: `docker pull ${FULL_PULL}`, before: `docker rmi -f ${FULL_PULL}` }]),
      ...(!fullPull ? [] : [{
        name: `docker pull ${FULL_PULL}, full (--pull-mode copy: ${blobs === null ? 'every layer blob' : `${(blobs / 1e6).toFixed(1)} MB of layer blobs`} read over 9p, sha256 and diff_id checked, unpacked into tmpfs; rmi before each)`,
        cmd: `${COPY_HOST} docker pull ${FULL_PULL}`,
        before: `${COPY_HOST} docker rmi -f ${FULL_PULL}`,
      }]),
    ];
    // the exec round trip itself (serial line, shell, /proc/uptime reads): the CPU figures include it
    const idle: number[] = [];
    for (let i = 0; i < GUEST_RUNS; i++) idle.push((await guestTime(vm, ':')).cpuMs);
    const base = median(idle);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    log('bench:engine', `guest figures: wall time in the guest (grows with the host's load), then the emulator's CPU time for the exec (grows less; host load ${load}; an empty exec costs ${base.toFixed(0)} ms of CPU [${idle.map((x) => x.toFixed(0)).join(' ')}], included below)`);
    for (const f of figures) {
      const xs: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < GUEST_RUNS; i++) {
        if (f.gapMs) await sleep(f.gapMs);
        const r = await guestTime(vm, f.cmd, f.before);
        xs.push(r.ms);
        cpu.push(r.cpuMs);
      }
      const med = median(xs);
      const verdict = f.target ? ` (target <= ${f.target} ms: ${med <= f.target ? 'met' : 'NOT met'})` : '';
      if (f.cmd.startsWith(COPY_HOST)) {
        // what the last full pull left in guest memory (the image's unpacked layers)
        const kb = Number((await guestSh(vm, `du -sk ${COPY_DIR}/lib | cut -f1`)).trim());
        log('bench:engine', `  the full pull's unpacked layers take ${(kb / 1024).toFixed(1)} MiB of the guest's tmpfs`);
      }
      log('bench:engine', `guest ${f.name}: median ${med.toFixed(0)} ms over ${GUEST_RUNS} runs [${xs.map((x) => x.toFixed(0)).join(' ')}]${verdict}; emulator CPU median ${median(cpu).toFixed(0)} ms [${cpu.map((x) => x.toFixed(0)).join(' ')}]`);
    }
    if (fullPull) await guestSh(vm, STOP_COPY_DAEMON);
  } finally {
    await vm.destroy();
  }
}

/** The CLI start, ps and run figures of this build's guest and another's (BENCH_AGAINST), booted alternately. */
async function guestAgainst(otherDist: string): Promise<void> {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing (run npm run build:vm)`);
  const cmds = ['docker --version', 'docker ps', 'docker run --rm busybox true'];
  const builds: [string, string | undefined][] = [['this build', undefined], [`against ${otherDist}`, otherDist]];
  const xs: Record<string, number[]> = {};
  for (let round = 0; round < GUEST_RUNS; round++) {
    for (const [label, dist] of builds) {
      const vm = createNodeVm({ ...(dist ? { dist } : {}) });
      try {
        await vm.boot();
        if (vm.lastBoot?.mode !== 'snapshot') throw new Error(`${label}: the snapshot was not used: ${vm.lastBoot?.fallbackReason ?? ''}`);
        await guestSh(vm, 'docker pull -q busybox && docker run --rm busybox true && docker ps >/dev/null');
        for (const cmd of cmds) {
          // five in a row inside the guest, as one figure per round
          const r = await guestTime(vm, `for i in 1 2 3 4 5; do ${cmd} >/dev/null || exit 1; done`);
          (xs[`${label}|${cmd}`] ??= []).push(r.ms / 5);
        }
      } finally {
        await vm.destroy();
      }
    }
    log('bench:engine', `round ${round + 1}/${GUEST_RUNS} done (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
  }
  for (const cmd of cmds) {
    for (const [label] of builds) {
      const v = xs[`${label}|${cmd}`]!;
      log('bench:engine', `guest ${cmd}, ${label}: median ${median(v).toFixed(0)} ms over ${v.length} rounds of 5 [${v.map((x) => x.toFixed(0)).join(' ')}]`);
    }
  }
}

/** What a learner types first after a restore (busybox pulled beforehand), a second apart. */
const FIRST_COMMANDS = ['docker run --rm busybox true', 'docker ps', 'docker run --rm busybox true', 'docker images', 'docker run --rm busybox true'];

/** The first commands after a restore, in guests with and without the JIT warm-up, booted alternately. */
async function firstCommands(): Promise<void> {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing (run npm run build:vm)`);
  const modes: [string, boolean][] = [['without the warm-up', false], ['with the warm-up', true]];
  const xs: Record<string, number[][]> = {};
  const warmUpMs: number[] = [];
  for (let round = 0; round < GUEST_RUNS; round++) {
    for (const [label, warmUp] of modes) {
      const vm = createNodeVm({ warmUp });
      try {
        await vm.boot();
        await guestSh(vm, 'docker pull -q busybox >/dev/null');
        if (warmUp) {
          // The learner reads for a while: the warm-up starts (a moment after the boot) and ends.
          // It starts once no command is in flight, so this waits idle first (by then it has
          // started, having waited WARM_UP_AFTER_MS since the restore), then polls with short ones.
          const t0 = Date.now();
          await sleep(WARM_UP_AFTER_MS);
          for (const end = Date.now() + 60_000; (await vm.exec("ps -o args | grep -q '^sh -c [r]enice -n 19'")).exitCode === 0; await sleep(400))
            if (Date.now() > end) throw new Error('the warm-up did not end within 60 s');
          warmUpMs.push(Date.now() - t0);
        }
        const script = FIRST_COMMANDS.map((c) => `sleep 1; read a _ </proc/uptime; ${c} >/dev/null || exit 1; read b _ </proc/uptime; echo "$a $b"`).join('\n');
        const out = await guestSh(vm, script, 300_000);
        const ms = out.trim().split('\n').map((l) => {
          const [a, b] = l.split(' ').map(Number) as [number, number];
          return (b - a) * 1000;
        });
        (xs[label] ??= []).push(ms);
      } finally {
        await vm.destroy();
      }
    }
    log('bench:engine', `first commands: round ${round + 1}/${GUEST_RUNS} done (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
  }
  log('bench:engine', `the warm-up was over ${median(warmUpMs).toFixed(0)} ms after the pull (median) [${warmUpMs.map((x) => x.toFixed(0)).join(' ')}]`);
  FIRST_COMMANDS.forEach((cmd, i) => {
    const cells = modes.map(([label]) => {
      const v = xs[label]!.map((run) => run[i]!);
      return `${label} ${median(v).toFixed(0)} ms [${v.map((x) => x.toFixed(0)).join(' ')}]`;
    });
    log('bench:engine', `first commands after a restore, #${i + 1} ${cmd}: ${cells.join('; ')}`);
  });
}

runMain('bench:engine', async () => {
  if (AGAINST) {
    await guestAgainst(AGAINST);
    return;
  }
  if (ONLY === 'first') {
    await firstCommands();
    return;
  }
  if (ONLY !== 'guest') await native();
  if (ONLY !== 'native') {
    await guest();
    await firstCommands();
  }
});
