// How much guest code one of v86's JIT modules may span. v86 ships 3 pages; VmCore sets 1 in both
// drivers (VmCoreOptions.jitMaxPages).
//
// V8 optimizes every module v86 generates with TurboFan on background threads, and its time grows
// faster than the function: a 3-page module is one function of 100-250 KB. Measured on this 2-core
// host (bench:tab, and guests restored alternately in Node):
// - Chromium took 1-6 s per large module, and its compile threads used more CPU than the emulator
//   (82 s against 28 s for one run of commands); with 1 page, 44 s against 22 s, and the guest's
//   commands ran 1.5-5 times faster.
// - Node's older V8 is 5-10 times quicker per module, but right after a restore, while everything
//   is compiled anew, the same two pulls, two runs and a ps took 10.2-13.1 s with 3 pages and
//   6.4-6.8 s with 1.
// Fewer extra basic blocks per module (v86's other limit) made no difference.
import type { V86Emulator } from './v86-types.ts';

/** Guest code pages per JIT module: v86's MAX_PAGES. */
export const JIT_MAX_PAGES = 1;

/** v86 0.5's get_jit_config/set_jit_config key for MAX_PAGES (src/rust/jit.rs). */
const KEY_MAX_PAGES = 1;

interface V86JitExports {
  get_jit_config(key: number): number;
  set_jit_config(key: number, value: number): void;
}

function jitExports(emu: V86Emulator): Partial<V86JitExports> | undefined {
  return (emu as unknown as { v86?: { cpu?: { wm?: { exports?: Partial<V86JitExports> } } } }).v86?.cpu?.wm?.exports;
}

/** The emulator's current limit, or null when this v86 has no such setting. */
export function jitMaxPages(emu: V86Emulator): number | null {
  const exports = jitExports(emu);
  return typeof exports?.get_jit_config === 'function' ? exports.get_jit_config(KEY_MAX_PAGES) : null;
}

/** Sets the limit on a loaded emulator before it runs; a v86 without the setting keeps its own. */
export function setJitMaxPages(emu: V86Emulator, maxPages: number): void {
  const exports = jitExports(emu);
  if (typeof exports?.set_jit_config === 'function') exports.set_jit_config(KEY_MAX_PAGES, maxPages);
}
