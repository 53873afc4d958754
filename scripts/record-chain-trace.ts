// Records the engine chain trace of one docker command in the real guest, through the same path
// the app's Engine chain view uses (the control agent's switch, then reads), and writes it as a
// fixture for the condenser's unit test; with --bench it also times the command with tracing
// off and on (medians, same run).
//   npx tsx scripts/record-chain-trace.ts [--out FILE] [--bench N] ['docker run --rm busybox true']
import { writeFileSync } from 'node:fs';
import { createNodeVm, missingBootFile } from '../src/vm/node.ts';
import type { VmCore } from '../src/vm/core.ts';
import { log, runMain } from './lib/progress.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = opt('--out') ?? 'test/app/inspector/fixtures/docker-run-busybox-true.trace';
const bench = Number(opt('--bench') ?? 0);
const cmd = args.filter((a, i) => !a.startsWith('--') && !['--out', '--bench'].includes(args[i - 1] ?? ''))[0] ?? 'docker run --rm busybox true';

async function sh(vm: VmCore, c: string): Promise<string> {
  const r = await vm.exec(c, { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`guest: \`${c}\` exited ${r.exitCode}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** ms the command takes in the guest, by /proc/uptime around it. */
async function timed(vm: VmCore): Promise<number> {
  const o = await sh(vm, `read a _ </proc/uptime; ${cmd} >/dev/null 2>&1; read b _ </proc/uptime; echo "$a $b"`);
  const [a, b] = o.trim().split(' ').map(Number) as [number, number];
  return (b - a) * 1000;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

runMain('record:chain', async () => {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing: run npx tsx scripts/prepare.ts`);
  const vm = createNodeVm({ log: (m) => log('vm', m) });
  try {
    await vm.boot();
    await sh(vm, `docker pull -q busybox >/dev/null; ${cmd} >/dev/null 2>&1; true`);
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < bench; i++) off.push(await timed(vm));
    await vm.chainTrace('on');
    for (let i = 0; i < bench; i++) on.push(await timed(vm));
    if (bench) await new Promise((r) => setTimeout(r, 2000));
    await vm.chainTrace('read'); // what the timed runs wrote
    await sh(vm, `${cmd} >/dev/null 2>&1; sleep 1.5`);
    const t0 = performance.now();
    const a = await vm.chainTrace('read');
    const readMs = performance.now() - t0;
    writeFileSync(out, a.text);
    log('record:chain', `${a.text.split('\n').length - 1} lines, ${a.text.length} bytes -> ${out} (read took ${readMs.toFixed(0)} ms)`);
    await vm.chainTrace('off');
    if (bench) log('record:chain', `${cmd}: median of ${bench}, tracing off ${median(off).toFixed(0)} ms, on ${median(on).toFixed(0)} ms (${off.map((x) => x.toFixed(0)).join(' ')} / ${on.map((x) => x.toFixed(0)).join(' ')})`);
  } finally {
    await vm.destroy();
  }
});
