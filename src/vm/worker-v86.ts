// v86 adjusted for a browser worker. Measured on this 2-core host (bench:app and bench:net's
// browser rows, same runs): v86's own loop and asynchronous JIT bring a restored guest to its
// prompt sooner (cached prompt 5.6 s against 6.9 s with the settings below from the lesson's
// start) and answer the terminal faster (exec round trip 248 ms against 484 ms), but the port
// preview's traffic is many times faster with synchronous JIT compiles and the same-thread yield
// (a 1 KB fetch 51 ms against 559-843 ms, 1 MB 2.0 s against 4.7-5.2 s). So the default keeps
// v86's own settings and moves to these at the first preview request (forTraffic); ?v86=tuned
// uses them from the start and ?v86=own-loop never: both kept to compare.
//
// Yield: v86's emulation loop runs about 1 ms of guest time, then yields to the event loop and
// asks to be called again. In Node it yields with setImmediate. In a browser worker v86 0.5 yields
// with scheduler.postTask where there is one (Chromium), else by a message round trip to a nested
// worker. Here the loop yields within the worker's own task queue: a message on a MessageChannel
// (a task like setImmediate, never clamped like a nested setTimeout, and queued with the
// messages that carry the page's requests), and setTimeout only when v86 asks to sleep until its
// next timer.
import type { V86Options } from 'v86';
import type { V86Constructor, V86Emulator } from './v86-types.ts';

/** The parts of v86's internal loop object (emulator.v86) that are replaced. */
interface V86Loop {
  yield(delayMs: number, tick: number): void;
  register_yield(): void;
  unregister_yield(): void;
  yield_callback(tick: number): void;
}

interface SameThreadLoop extends V86Loop {
  whaleboneChannel?: MessageChannel | null;
}

const patched = new WeakSet<object>();

/** The parts of v86's CPU object (emulator.v86.cpu) that the JIT patch uses. */
interface V86Cpu {
  codegen_finalize(index: number, start: number, state: number, ptr: number, len: number): void;
  codegen_finalize_finished(index: number, start: number, state: number): void;
  wasm_memory: WebAssembly.Memory;
  jit_imports: WebAssembly.ModuleImports;
  wm: { wasm_table: WebAssembly.Table };
}

const jitPatched = new WeakSet<object>();

/**
 * v86 compiles each hot block of guest code into a small wasm module with the asynchronous
 * WebAssembly.instantiate, so compiled code arrives only when the browser's background compile
 * threads get to it: on a loaded machine the guest ran interpreted (3 M instructions/s instead of
 * 100+) for tens of seconds after a restore. A worker may compile synchronously, so compile at
 * once; the result is installed in a microtask, after the emulator's wasm call has returned, as
 * the original promise callback would be.
 */
function patchJit(proto: V86Cpu): void {
  if (jitPatched.has(proto)) return;
  jitPatched.add(proto);
  const original = proto.codegen_finalize;
  proto.codegen_finalize = function (this: V86Cpu, index, start, state, ptr, len) {
    let instance: WebAssembly.Instance;
    try {
      const bytes = new Uint8Array(this.wasm_memory.buffer, ptr >>> 0, len >>> 0);
      instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: this.jit_imports });
    } catch {
      return original.call(this, index, start, state, ptr, len);
    }
    queueMicrotask(() => {
      this.wm.wasm_table.set(index + 1024, instance.exports.f as WebAssembly.ExportValue);
      this.codegen_finalize_finished(index, start, state);
    });
  };
}

function patchLoop(proto: SameThreadLoop): void {
  if (patched.has(proto)) return;
  patched.add(proto);
  proto.register_yield = function (this: SameThreadLoop) {
    const ch = new MessageChannel();
    ch.port1.onmessage = (e: MessageEvent<number>) => this.yield_callback(e.data);
    this.whaleboneChannel = ch;
  };
  proto.yield = function (this: SameThreadLoop, delayMs: number, tick: number) {
    if (delayMs < 1 && this.whaleboneChannel) this.whaleboneChannel.port2.postMessage(tick);
    else setTimeout(() => this.yield_callback(tick), Math.max(0, delayMs));
  };
  proto.unregister_yield = function (this: SameThreadLoop) {
    this.whaleboneChannel?.port1.close();
    this.whaleboneChannel?.port2.close();
    this.whaleboneChannel = null;
  };
}

/** Synchronous JIT compiles from now on (compiles already under way finish as v86 started them). */
export function syncJit(emulator: V86Emulator): void {
  const cpu = (emulator as unknown as { v86?: { cpu?: V86Cpu } }).v86?.cpu;
  if (cpu && typeof cpu.codegen_finalize === 'function') patchJit(Object.getPrototypeOf(cpu) as V86Cpu);
}

/**
 * The settings for the preview's traffic: synchronous JIT compiles and the same-thread yield.
 * On a running emulator, v86's pending tick went to its own scheduler, whose answer still comes
 * and is ignored by v86's tick counter: a new tick is started here.
 */
export function forTraffic(emulator: V86Emulator): void {
  syncJit(emulator);
  const loop = (emulator as unknown as { v86?: SameThreadLoop & { next_tick?: (delayMs: number) => void; running?: boolean } }).v86;
  if (!loop || typeof loop.yield !== 'function' || typeof loop.register_yield !== 'function' || typeof loop.next_tick !== 'function') return;
  const proto = Object.getPrototypeOf(loop) as SameThreadLoop;
  if (patched.has(proto) && loop.whaleboneChannel) return;
  loop.unregister_yield();
  patchLoop(proto);
  loop.register_yield();
  if (loop.running) loop.next_tick(0);
}

/**
 * Wraps v86's constructor so every emulator gets forTraffic's settings from the start. The first
 * instance has already started v86's own yield worker when the patch can be applied: it is
 * stopped and replaced before the emulator runs (the driver constructs with autostart off).
 */
export function tunedForWorker(V86: V86Constructor): V86Constructor {
  return class extends (V86 as unknown as new (o: V86Options) => V86Emulator) {
    constructor(options: V86Options) {
      super(options);
      const onLoaded = () => {
        this.remove_listener('emulator-loaded', onLoaded);
        forTraffic(this);
      };
      this.add_listener('emulator-loaded', onLoaded);
    }
  } as unknown as V86Constructor;
}
