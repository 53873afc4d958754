// Engine benchmarks (medians). Natively: our `runc run` of a busybox bundle against Debian's
// runc and crun on the same bundle (installed with apt-get when missing), as a ratio. In the
// guest (when the VM and the engine in it are available): docker run --rm, docker ps, docker pull.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, runMain } from './lib/progress.ts';
import { BINARY, busyboxBundle } from '../test/guest/helpers/native.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

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
    const runtimes: [string, string[]][] = [['whalebone runc', [BINARY, 'runc', '--root', join(dir, 'st-wb')]]];
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
    const ours = results['whalebone runc']!;
    for (const other of ['debian runc', 'debian crun']) {
      if (results[other] !== undefined) log('bench:engine', `ratio whalebone/${other.split(' ')[1]}: ${(ours / results[other]).toFixed(2)} (below 1 = faster)`);
    }
    log('bench:engine', 'note: on hosts that run i386 binaries through qemu-user, ours pays emulation on every call; the other runtimes are native amd64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain('bench:engine', async () => {
  await native();
  log('bench:engine', 'guest figures (docker run --rm, ps, pull in v86): not measured yet: the guest image does not carry the engine with the offline registry wired in');
});
