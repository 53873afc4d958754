// Putting a saved v86 state into an emulator that was created for it and never run, faster than
// v86's restore_state does on its own, and keeping the state's decompressed bytes on the way so
// that the loader can store them: a raw state restores without its zstd step next time.
import type { V86Cpu, V86Emulator } from './v86-types.ts';

const MiB = 1024 * 1024;

/** A never-run emulator has written guest RAM only below 1 MiB (the firmware images). */
export const FIRMWARE_RAM_BYTES = 1 * MiB;

/** The first word of a zstd frame, as v86 tests it (little-endian 0xFD2FB528). */
const ZSTD_MAGIC = 0xfd2fb528;
/** The first word of a raw v86 state (0x86768676 as an int32), then its format version. */
const STATE_MAGIC = -2039052682;
const STATE_VERSION = 6;

export function isZstd(state: ArrayBuffer): boolean {
  return state.byteLength >= 4 && new DataView(state).getUint32(0, true) === ZSTD_MAGIC;
}

/**
 * A raw v86 state whose header is intact and whose length is the one it names: what a loader
 * checks before restoring bytes it kept from an earlier restore.
 */
export function isWholeRawState(state: ArrayBuffer): boolean {
  if (state.byteLength < 16) return false;
  const v = new DataView(state);
  return v.getInt32(0, true) === STATE_MAGIC && v.getInt32(4, true) === STATE_VERSION && v.getInt32(8, true) === state.byteLength;
}

export interface RestoreOptions {
  /**
   * Called with the decompressed state when the state was zstd and restore_state read all of it
   * (not called for a raw state, nor when the bytes it read do not make a whole state).
   */
  onRaw?: (raw: ArrayBuffer) => void;
}

/** The parts of v86's CPU that the fast restore replaces for the duration of restore_state. */
interface RestorableCpu extends V86Cpu {
  /** A view of one word in wasm memory (v86 builds its views with bound constructors). */
  memory_size: { readonly [0]: number };
  unpack_memory(bitmap: { view: Uint8Array }, packed: Uint8Array): void;
  wasm_memory: WebAssembly.Memory;
  zstd_read(ctx: number, length: number): number;
}

function restorable(cpu: Partial<RestorableCpu> | undefined): cpu is RestorableCpu {
  return (
    cpu !== undefined &&
    typeof cpu.zero_memory === 'function' &&
    typeof cpu.unpack_memory === 'function' &&
    typeof cpu.zstd_read === 'function' &&
    typeof cpu.mem8?.fill === 'function' &&
    typeof (cpu.mem8 as { subarray?: unknown }).subarray === 'function' &&
    typeof cpu.memory_size?.[0] === 'number' &&
    cpu.wasm_memory instanceof WebAssembly.Memory
  );
}

/**
 * restore_state into an emulator created for it and never run, with three of v86's steps done
 * another way (its own restore_state when the CPU does not have the expected shape):
 *
 * - v86 first zeroes all of guest RAM through wasm, which on fresh memory commits every page:
 *   about a second and the full guest size in resident memory for a 256 MiB guest, although only
 *   the firmware's first MiB was ever written. Clearing that MiB is equivalent there.
 * - v86 copies the saved pages in one 4 KiB page at a time through the Proxy it keeps over guest
 *   RAM (7,000-9,000 calls for our states); runs of consecutive pages go in one copy each here.
 * - With onRaw, each block restore_state decompresses is copied out as it is read, which in order
 *   is the raw state.
 */
export async function restoreIntoFresh(emu: V86Emulator, state: ArrayBuffer, opts: RestoreOptions = {}): Promise<void> {
  const cpu = emu.v86?.cpu as Partial<RestorableCpu> | undefined;
  if (!restorable(cpu)) {
    await emu.restore_state(state);
    return;
  }
  const { zero_memory: zero, unpack_memory: unpack, zstd_read: read } = cpu;
  const capture = opts.onRaw && isZstd(state) ? new RawCapture() : null;
  cpu.zero_memory = (addr: number, length: number) => {
    if (addr === 0 && length === cpu.mem8.length) cpu.mem8.fill(0, 0, Math.min(length, FIRMWARE_RAM_BYTES));
    else zero.call(cpu, addr, length);
  };
  cpu.unpack_memory = (bitmap, packed) => {
    cpu.zero_memory(0, cpu.memory_size[0]);
    copyPages(ramView(cpu), bitmap.view, packed, cpu.memory_size[0] >>> 12);
  };
  if (capture)
    cpu.zstd_read = (ctx: number, length: number) => {
      const ptr = read.call(cpu, ctx, length);
      capture.add(new Uint8Array(cpu.wasm_memory.buffer, ptr >>> 0, length));
      return ptr;
    };
  try {
    await emu.restore_state(state);
  } finally {
    cpu.zero_memory = zero;
    cpu.unpack_memory = unpack;
    cpu.zstd_read = read;
  }
  const raw = capture?.whole();
  if (raw) opts.onRaw?.(raw);
}

/** Guest RAM as a plain Uint8Array (v86's mem8 is a Proxy; a view of it is not). */
function ramView(cpu: RestorableCpu): Uint8Array {
  return (cpu.mem8 as unknown as Uint8Array).subarray(0);
}

/**
 * Copies the pages the bitmap marks (bit i: page i was saved) from packed, where they follow
 * each other in page order, into ram.
 */
export function copyPages(ram: Uint8Array, bitmap: Uint8Array, packed: Uint8Array, pages: number): void {
  let from = 0;
  let page = 0;
  const saved = (p: number) => (bitmap[p >>> 3]! >>> (p & 7)) & 1;
  while (page < pages) {
    if ((page & 7) === 0 && bitmap[page >>> 3] === 0) {
      page += 8;
      continue;
    }
    if (!saved(page)) {
      page++;
      continue;
    }
    let end = page + 1;
    while (end < pages && saved(end)) end++;
    const bytes = (end - page) << 12;
    ram.set(packed.subarray(from, from + bytes), page << 12);
    from += bytes;
    page = end;
  }
}

/** The decompressed stream, block by block; its header (the first 16 bytes read) gives its length. */
class RawCapture {
  private out: Uint8Array | null = null;
  private at = 0;
  private broken = false;

  add(block: Uint8Array): void {
    if (this.broken) return;
    if (!this.out) {
      const whole = block.length >= 16 ? new DataView(block.buffer, block.byteOffset, 16).getInt32(8, true) : 0;
      if (whole < 16) {
        this.broken = true;
        return;
      }
      this.out = new Uint8Array(whole);
    }
    if (this.at + block.length > this.out.length) {
      this.broken = true;
      return;
    }
    this.out.set(block, this.at);
    this.at += block.length;
  }

  whole(): ArrayBuffer | null {
    if (this.broken || !this.out || this.at !== this.out.length) return null;
    return isWholeRawState(this.out.buffer as ArrayBuffer) ? (this.out.buffer as ArrayBuffer) : null;
  }
}
