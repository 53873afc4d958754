// A sampling profiler for the guest: where the CPU goes while a command runs, by process and by
// function, in our runtime (QuickJS and wbnative) and in the kernel.
//
// v86's main loop asks the host's clock (the wasm import `microtick`) after each batch of guest
// instructions to see whether its time slice is over; at each such call this script records the
// guest's instruction pointer and the kernel's current task. Those samples fall every so many
// instructions, wherever the guest is. The guest's RDTSC also calls microtick, from deeper in
// v86's wasm: those samples would pile up on the kernel's clock reads, so only calls made
// straight from the main loop count.
//
// Symbols: the runtime is relinked from its cached objects without -s (its code must match the
// guest's binary byte for byte, which is checked), the kernel's come from System.map in the
// kernel's build tree when it is still there (else all kernel samples count as "kernel").
//
//   npm run profile:guest -- ['docker run --rm busybox true'] [--runs N] [--by process|function|both] [--top N] [--timeline]
//                            [--setup 'docker rm -f web; docker create --name web nginx; sleep 1.2']
//
// --setup runs a command before each run with the sampling paused: only the command itself is
// profiled (say `docker start web`, with the create and the standby shim's second in the setup).
// --timeline also prints, in order, which process had the CPU (slices of 5 ms or more, host time
// slowed by the sampling): who runs between a command's return and the work it started.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, runMain } from './lib/progress.ts';
import { cacheDir } from './lib/cache.ts';
import { kernelSystemMap } from './lib/kernel-tree.ts';
import { run } from './lib/exec.ts';
import { CC, toolchain } from './runtime-build/toolchain.ts';
import { quickjs } from './runtime-build/quickjs.ts';
import { zlib } from './runtime-build/zlib.ts';
import { createNodeVm, distPath, missingBootFile } from '../src/vm/node.ts';

const SCOPE = 'profile:guest';
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? dflt) : dflt;
};
const cmd = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--')) ?? 'docker run --rm busybox true';
const RUNS = Number(opt('--runs', '10'));
const BY = opt('--by', 'both');
const TOP = Number(opt('--top', '40'));
const TIMELINE = argv.includes('--timeline');
const SETUP = opt('--setup', '');

type SymTab = [addr: number, name: string][];

/** Text symbols from `nm -n` output, sorted by address. */
function textSymbols(nmOut: string): SymTab {
  const out: SymTab = [];
  for (const l of nmOut.split('\n')) {
    const p = l.split(' ');
    if (p.length === 3 && /^[tTwW]$/.test(p[1]!)) out.push([parseInt(p[0]!, 16), p[2]!]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function lookup(tab: SymTab, addr: number): string {
  let lo = 0;
  let hi = tab.length - 1;
  if (hi < 0 || addr < tab[0]![0]) return '?';
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tab[mid]![0] <= addr) lo = mid;
    else hi = mid - 1;
  }
  return tab[lo]![1];
}

/** The runtime's symbols: its cached objects relinked without -s, checked against the guest's binary. */
async function runtimeSymbols(): Promise<SymTab> {
  const guestBin = join(distPath('runtime'), 'whalebone');
  const base = cacheDir('runtime-binary');
  const mine = readFileSync(guestBin);
  const dir = readdirSync(base)
    .map((d) => join(base, d))
    .find((d) => existsSync(join(d, 'whalebone')) && readFileSync(join(d, 'whalebone')).equals(mine));
  if (!dir) throw new Error(`no cached objects for ${guestBin} under ${base}: run npm run build:runtime`);
  const tc = await toolchain();
  const [qjs, z] = [await quickjs(tc), await zlib(tc)];
  const objs = readdirSync(dir).filter((f) => f.endsWith('.o')).sort().map((f) => join(dir, f));
  const out = join(tmpdir(), `whalebone-symbols-${process.pid}`);
  await run(CC, [...tc.linkHead, ...objs, qjs.libI386, z.libI386, ...tc.linkTail, '-Wl,--gc-sections', '-o', out]);
  const text = (file: string): Buffer => {
    execFileSync('objcopy', ['-O', 'binary', '--only-section=.text', file, `${out}.text`]);
    return readFileSync(`${out}.text`);
  };
  const same = text(out).equals(text(guestBin));
  rmSync(`${out}.text`, { force: true });
  if (!same) throw new Error('the relinked runtime does not match the guest binary: run npm run build:runtime');
  try {
    return textSymbols(execFileSync('nm', ['-n', out], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  } finally {
    rmSync(out, { force: true });
  }
}

interface Sample {
  eip: number;
  halted: boolean;
  comm: string;
  /** Host milliseconds since sampling began. */
  t: number;
}

/** The v86 CPU's fields read here (offsets in its wasm memory, from v86's cpu.js). */
const EIP_OFFSET = 556;
const IN_HLT_OFFSET = 616;

runMain(SCOPE, async () => {
  const missing = missingBootFile();
  if (missing) throw new Error(`${missing} is missing: run npm run build:vm`);
  log(SCOPE, 'relinking the runtime with symbols ...');
  const usyms = await runtimeSymbols();
  const map = kernelSystemMap();
  const ksyms = map ? textSymbols(map) : [];
  const symbolAt = (name: string): number | null => {
    const m = map ? new RegExp(`^([0-9a-f]+) \\S ${name}$`, 'm').exec(map) : null;
    return m ? parseInt(m[1]!, 16) : null;
  };
  const currentTask = symbolAt('current_task');
  const perCpuOffset = symbolAt('__per_cpu_offset');
  const initTask = symbolAt('init_task');
  if (!map) log(SCOPE, 'no System.map in the kernel build tree: kernel samples are not broken down, processes are not named');

  let memory: WebAssembly.Memory | null = null;
  let cpu: { read8(a: number): number; read32s(a: number): number } | null = null;
  let sampling = false;
  let sampleStart = 0;
  const samples: Sample[] = [];
  let commOffset = -1;
  const PAGE_OFFSET = 0xc0000000;
  const readStr = (phys: number): string => {
    let s = '';
    for (let i = 0; i < 16; i++) {
      const c = cpu!.read8(phys + i);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  };
  /** The current task's name, through the kernel's per-CPU current_task (one CPU: offset [0]). */
  const comm = (): string => {
    if (!cpu || currentTask === null || perCpuOffset === null) return '?';
    const off = cpu.read32s(perCpuOffset - PAGE_OFFSET) >>> 0;
    const task = cpu.read32s(((currentTask + off) >>> 0) - PAGE_OFFSET) >>> 0;
    if (task < PAGE_OFFSET) return '?';
    if (commOffset < 0) {
      // task_struct's layout depends on the config: find comm in init_task, whose name is known
      // (a running task's name could also match a stray field: "sh" is two bytes)
      if (initTask === null) return '?';
      for (let o = 0; o < 4000 && commOffset < 0; o += 4) if (readStr(initTask - PAGE_OFFSET + o) === 'swapper/0') commOffset = o;
      if (commOffset < 0) return '?';
    }
    return readStr(task - PAGE_OFFSET + commOffset);
  };

  // Wrap microtick in the imports v86 instantiates its wasm with.
  Error.stackTraceLimit = 4;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (m: unknown, i?: WebAssembly.Imports) => Promise<unknown>;
  (WebAssembly as unknown as { instantiate: typeof instantiate }).instantiate = async (m, imports) => {
    const env = imports?.['env'] as Record<string, unknown> | undefined;
    const tick = env?.['microtick'];
    if (env && typeof tick === 'function') {
      env['microtick'] = (): number => {
        if (sampling && memory) {
          // [1] is the wasm function that asked; straight from the main loop when [2] is JS
          const frames = (new Error().stack ?? '').split('\n');
          if (frames[2]?.includes('wasm-function') && !frames[3]?.includes('wasm-function')) {
            const v = new DataView(memory.buffer);
            samples.push({ eip: v.getUint32(EIP_OFFSET, true), halted: v.getUint8(IN_HLT_OFFSET) !== 0, comm: comm(), t: performance.now() - sampleStart });
          }
        }
        return (tick as () => number)();
      };
    }
    const r = (await instantiate(m, imports)) as { exports?: WebAssembly.Exports; instance?: WebAssembly.Instance };
    for (const v of Object.values(r.instance?.exports ?? r.exports ?? {})) if (v instanceof WebAssembly.Memory) memory = v;
    return r;
  };

  const vm = createNodeVm({ log: (m) => log('vm', m) });
  try {
    await vm.boot();
    cpu = (vm as unknown as { emu: { v86: { cpu: typeof cpu } } }).emu.v86.cpu;
    const quietSetup = `${SETUP} >/dev/null 2>&1`;
    const setup = SETUP ? `${quietSetup}; ` : '';
    const warm = await vm.exec(`${setup}${cmd} >/dev/null 2>&1; ${setup}${cmd} >/dev/null 2>&1; ${setup}${cmd}`, { timeoutMs: 300_000 });
    if (warm.exitCode !== 0) throw new Error(`\`${cmd}\` exited ${warm.exitCode}: ${warm.stderr || warm.stdout}`);
    log(SCOPE, `sampling ${RUNS} runs of: ${cmd}${SETUP ? ` (each after, unsampled: ${SETUP})` : ''}`);
    sampleStart = performance.now();
    let ms = 0;
    const sampled = async (script: string): Promise<void> => {
      const t0 = Date.now();
      sampling = true;
      await vm.exec(script, { timeoutMs: 900_000 });
      sampling = false;
      ms += Date.now() - t0;
    };
    if (SETUP) {
      for (let i = 0; i < RUNS; i++) {
        await vm.exec(quietSetup, { timeoutMs: 300_000 });
        await sampled(`${cmd} >/dev/null 2>&1`);
      }
    } else await sampled(`i=0; while [ $i -lt ${RUNS} ]; do ${cmd} >/dev/null 2>&1; i=$((i + 1)); done`);
    if (samples.length === 0) throw new Error('no samples: v86 no longer calls microtick from its main loop?');
    const TEXT_START = usyms[0]?.[0] ?? 0;
    const TEXT_END = usyms.at(-1)?.[0] ?? 0;
    const where = (s: Sample): [group: string, fn: string] => {
      if (s.halted) return ['idle', '(halted)'];
      if (s.eip >= PAGE_OFFSET) return ['kernel', ksyms.length ? `k:${lookup(ksyms, s.eip)}` : 'kernel'];
      if (s.eip >= TEXT_START && s.eip <= TEXT_END + 0x10000) return ['runtime', lookup(usyms, s.eip)];
      return ['other programs', '(other program)'];
    };
    const table = (title: string, key: (s: Sample) => string, top: number): void => {
      const counts = new Map<string, number>();
      for (const s of samples) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
      process.stdout.write(`\n${title}\n`);
      for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) {
        process.stdout.write(`${((100 * n) / samples.length).toFixed(2).padStart(7)}%  ${k}\n`);
      }
    };
    log(SCOPE, `${samples.length} samples in ${ms} ms (${(ms / RUNS).toFixed(0)} ms a run, slowed by the sampling)`);
    table('by place', (s) => where(s)[0], 10);
    if (BY !== 'function') table('by process and place', (s) => `${s.comm.padEnd(16)} ${where(s)[0]}`, TOP);
    if (BY !== 'process') table('by function', (s) => where(s)[1], TOP);
    if (BY === 'both') table('by process and function', (s) => `${s.comm.padEnd(16)} ${where(s)[1]}`, TOP);
    if (TIMELINE) {
      process.stdout.write('\ntimeline (start ms, length ms, process, share of it in the kernel)\n');
      const name = (s: Sample): string => (s.halted ? '(idle)' : s.comm);
      for (let i = 0; i < samples.length; ) {
        let j = i;
        while (j < samples.length && name(samples[j]!) === name(samples[i]!)) j++;
        const first = samples[i]!;
        const len = (samples[j]?.t ?? samples[j - 1]!.t) - first.t;
        if (len >= 5) {
          const kernel = samples.slice(i, j).filter((x) => where(x)[0] === 'kernel').length / (j - i);
          process.stdout.write(`${first.t.toFixed(0).padStart(7)} ${len.toFixed(0).padStart(6)}  ${name(first).padEnd(16)} ${(100 * kernel).toFixed(0)}%\n`);
        }
        i = j;
      }
    }
  } finally {
    await vm.destroy();
  }
});
