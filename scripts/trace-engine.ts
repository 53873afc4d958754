// Profiles one guest command through the engine with the runtime's syscall trace (WB_TRACE, see
// src/guest/sys/trace.ts): restores the boot snapshot, restarts dockerd with tracing on, warms up,
// runs the command traced, and prints the merged timeline of every process (CLI, dockerd, shim,
// container init) with the gaps between calls, then the time spent per process.
//   npx tsx scripts/trace-engine.ts ['docker run --rm busybox true'] [--raw] [--min-gap MS]
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';
import { log, runMain } from './lib/progress.ts';

const args = process.argv.slice(2);
const raw = args.includes('--raw');
const gapAt = args.indexOf('--min-gap');
const MIN_GAP = gapAt >= 0 ? Number(args[gapAt + 1]) : 3;
const cmd = args.filter((a, i) => !a.startsWith('--') && (gapAt < 0 || i !== gapAt + 1))[0] ?? 'docker run --rm busybox true';
const TRACE = '/tmp/wb.trace';

async function sh(vm: VmCore, c: string, timeoutMs = 120_000): Promise<string> {
  const r = await vm.exec(c, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`guest: \`${c}\` exited ${r.exitCode}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

interface Line {
  t: number;
  pid: string;
  role: string;
  text: string;
}

function parse(text: string): Line[] {
  const out: Line[] = [];
  for (const l of text.split('\n')) {
    const m = /^(\d+\.\d+) (\d+) (\S+) (.*)$/.exec(l);
    if (m) out.push({ t: Number(m[1]), pid: m[2]!, role: m[3]!, text: m[4]! });
  }
  return out.sort((a, b) => a.t - b.t);
}

function report(lines: Line[]): void {
  if (lines.length === 0) return;
  const t0 = lines[0]!.t;
  let prev = t0;
  const byPid = new Map<string, { role: string; first: number; last: number; calls: number; inCalls: number }>();
  for (const l of lines) {
    const gap = l.t - prev;
    const dur = Number(/ (\d+\.\d+)(?: \S+)?$/.exec(l.text)?.[1] ?? 0);
    if (raw || gap >= MIN_GAP || dur >= MIN_GAP || l.text.startsWith('#')) {
      process.stdout.write(`${(l.t - t0).toFixed(1).padStart(8)} +${gap.toFixed(1).padStart(6)}  ${l.pid.padStart(5)} ${l.role.padEnd(15)} ${l.text}\n`);
    }
    prev = l.t;
    const p = byPid.get(l.pid) ?? { role: l.role, first: l.t, last: l.t, calls: 0, inCalls: 0 };
    p.last = l.t;
    if (!l.text.startsWith('#') && !l.text.startsWith('>') && !l.text.startsWith('<')) {
      p.calls++;
      p.inCalls += dur;
    }
    byPid.set(l.pid, p);
  }
  process.stdout.write(`\ntotal ${(prev - t0).toFixed(1)} ms\n  pid role            first     last   calls  ms in calls\n`);
  for (const [pid, p] of byPid) {
    process.stdout.write(`${pid.padStart(5)} ${p.role.padEnd(15)} ${(p.first - t0).toFixed(1).padStart(7)} ${(p.last - t0).toFixed(1).padStart(8)} ${String(p.calls).padStart(7)} ${p.inCalls.toFixed(1).padStart(12)}\n`);
  }
}

runMain('trace:engine', async () => {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing: run npm run build:vm`);
  const vm = createNodeVm({ log: (m) => log('vm', m) });
  try {
    await vm.boot();
    log('trace:engine', 'restarting dockerd with WB_TRACE');
    await sh(vm, [
      'docker pull -q busybox >/dev/null',
      'kill $(pidof dockerd); while [ -S /var/run/docker.sock ] && pidof dockerd >/dev/null; do sleep 0.1; done',
      `WB_TRACE=${TRACE} setsid /usr/bin/dockerd -H unix:///var/run/docker.sock --data-root /var/lib/docker --registry /mnt/host/registry --pull-mode lazy </dev/null >>/var/log/dockerd.log 2>&1 &`,
      'i=0; until docker version >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done',
    ].join('\n'));
    await sh(vm, `${cmd} >/dev/null 2>&1; ${cmd} >/dev/null 2>&1; true`);
    log('trace:engine', `tracing: ${cmd}`);
    // (dockerd writes its entries out a second after its last activity: the sleep waits for that)
    const out = await sh(vm, `: > ${TRACE}; read a _ </proc/uptime; WB_TRACE=${TRACE} ${cmd} >/dev/null 2>&1; read b _ </proc/uptime; echo "uptime $a $b"; sleep 1.5; cat ${TRACE}`);
    const up = /uptime (\S+) (\S+)/.exec(out);
    report(parse(out));
    if (up) log('trace:engine', `${cmd}: ${((Number(up[2]) - Number(up[1])) * 1000).toFixed(0)} ms by /proc/uptime (traced: tracing itself adds time)`);
  } finally {
    await vm.destroy();
  }
});
