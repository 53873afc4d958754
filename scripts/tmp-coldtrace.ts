import { V86 } from 'v86';
import { VmCore, DEFAULT_MEMORY_MIB } from '../src/vm/core.ts';
import { nodeAssets } from '../src/vm/node.ts';
import type { V86Constructor } from '../src/vm/v86-types.ts';
const extra = process.argv[2] ?? '';
const base = nodeAssets();
const assets = { ...base, async kernel() { const k = await base.kernel(); return { ...k, cmdline: (process.env.CMDLINE ?? k.cmdline.trim()) + ' ' + extra }; } };
const vm = new VmCore({ V86: V86 as unknown as V86Constructor, assets, memoryMiB: DEFAULT_MEMORY_MIB, shares: {} });
const t0 = performance.now();
let line = '';
vm.onTerminal((d) => {
  for (const b of d) {
    if (b === 10) { const emu = (vm as unknown as { emu: { get_instruction_counter(): number } }).emu; console.log(`${((performance.now() - t0) / 1000).toFixed(3)} c${(process.cpuUsage().user/1e6).toFixed(2)} ${(emu.get_instruction_counter() / 1e6).toFixed(0)}M | ${line}`); line = ''; }
    else if (b !== 13) line += String.fromCharCode(b);
  }
});
const phases = new Map<string, number>();
const ksamples: number[] = [];
const firsts = new Map<string, number>();
const now0 = () => performance.now() - t0;
let lastI = 0; let lastT = performance.now();
const timer = setInterval(() => {
  const emu = (vm as unknown as { emu?: { v86?: { cpu: { instruction_pointer: Int32Array; in_hlt: Uint8Array; instruction_counter: Uint32Array } } } }).emu;
  const cpu = emu?.v86?.cpu; if (!cpu) return;
  const ip = cpu.instruction_pointer[0]! >>> 0;
  const ph = cpu.in_hlt[0] ? 'hlt' : ip >= 0xc0000000 ? 'kernel' : ip < 0x100000 ? 'bios/realmode' : ip < 0x08000000 ? 'low-phys(decompress?)' : 'user';
  const now = performance.now();
  if (ph === 'kernel') ksamples.push(ip);
  if (!firsts.has(ph)) { firsts.set(ph, 1); console.log(`FIRST ${ph} at ${((now0()) / 1000).toFixed(3)} s, ${(cpu.instruction_counter[0]! / 1e6).toFixed(1)}M instr`); }
  phases.set(ph, (phases.get(ph) ?? 0) + (now - lastT)); lastT = now;
}, 2);
await vm.boot({ snapshot: false, onProgress: (p) => console.log(`${((performance.now() - t0) / 1000).toFixed(3)} PROGRESS ${p.phase} ${p.message}`) });
const cu = process.cpuUsage(); console.log(`cpu ${((cu.user + cu.system) / 1e6).toFixed(2)} s`);
console.log(`${((performance.now() - t0) / 1000).toFixed(3)} BOOTED line='${line}'`);
clearInterval(timer); (await import('node:fs')).writeFileSync('/tmp/trace/ksamples.txt', ksamples.map((x) => x.toString(16)).join('\n')); console.log([...phases].map(([k,v])=>`${k}=${(v/1000).toFixed(2)}s`).join(' '));
await vm.destroy();
