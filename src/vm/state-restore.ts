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

/** A raw state's header: magic, format version, whole length, then the info block's length. */
const HEADER_BYTES = 16;

/** Whether a raw state's first 16 bytes are a v86 header of this version naming this length. */
export function isRawStateHeader(head: Uint8Array, byteLength: number): boolean {
  if (head.length < HEADER_BYTES) return false;
  const v = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
  return v.getInt32(0, true) === STATE_MAGIC && v.getInt32(4, true) === STATE_VERSION && v.getInt32(8, true) === byteLength;
}

/**
 * A raw v86 state whose header is intact and whose length is the one it names: what a loader
 * checks before restoring bytes it kept from an earlier restore.
 */
export function isWholeRawState(state: ArrayBuffer): boolean {
  return state.byteLength >= HEADER_BYTES && isRawStateHeader(new Uint8Array(state, 0, HEADER_BYTES), state.byteLength);
}

/**
 * A raw state left in its file (a decompressed copy a loader kept), read while it is restored.
 * Restored from an ArrayBuffer, a raw state crosses fresh memory three times: read whole, each of
 * its buffers sliced out again by restore_state, then copied into guest RAM; on these hosts the
 * page faults of that fresh memory are most of the restore (about 90 ms per 30 MB, several times
 * that while the browser starts the page). From a file, the small parts are read and the saved
 * pages go straight into guest RAM.
 */
export interface RawStateFile {
  readonly byteLength: number;
  /** Fills into with the file's bytes from at on; throws when the file ends first. */
  read(into: Uint8Array, at: number): void;
  /** Lets go of the file (idempotent); the restore calls it when done. */
  close(): void;
}

/**
 * A RawStateFile over a positional read that may return less than asked (a file descriptor, a
 * sync access handle); what: the file's name in errors.
 */
export function rawStateFile(byteLength: number, readAt: (into: Uint8Array, at: number) => number, release: () => void, what: string): RawStateFile {
  let open = true;
  return {
    byteLength,
    read(into, at) {
      if (!open) throw new Error(`${what} is closed`);
      for (let done = 0; done < into.length; ) {
        const n = readAt(into.subarray(done), at + done);
        if (n === 0) throw new Error(`${what} ends at byte ${at + done}`);
        done += n;
      }
    },
    close() {
      if (open) release();
      open = false;
    },
  };
}

/** Whether a state file is rawBytes long and starts with the header of a whole raw state that long. */
export function isWholeStateFile(file: RawStateFile, rawBytes: number): boolean {
  if (file.byteLength !== rawBytes) return false;
  const head = new Uint8Array(HEADER_BYTES);
  try {
    file.read(head, 0);
  } catch {
    return false;
  }
  return isRawStateHeader(head, file.byteLength);
}

/** A state as the core restores it: bytes (zstd or raw), or a raw state in a file. */
export type StateBytes = ArrayBuffer | RawStateFile;

export function isStateFile(state: StateBytes): state is RawStateFile {
  return typeof (state as Partial<RawStateFile>).read === 'function';
}

/** The whole state as bytes (for v86's own restore_state); a file is read and closed. */
export function stateBytes(state: StateBytes): ArrayBuffer {
  if (!isStateFile(state)) return state;
  try {
    const out = new Uint8Array(state.byteLength);
    state.read(out, 0);
    return out.buffer;
  } finally {
    state.close();
  }
}

export interface RestoreOptions {
  /** Called with the decompressed state after a zstd state was restored (not for a raw state). */
  onRaw?: (raw: ArrayBuffer) => void;
}

/** The parts of v86's CPU the fast restore uses: its zstd decoder, set_state, and two steps it replaces. */
interface RestorableCpu extends V86Cpu {
  /** A view of one word in wasm memory (v86 builds its views with bound constructors). */
  memory_size: { readonly [0]: number };
  unpack_memory(bitmap: { view: Uint8Array }, packed: Uint8Array): void;
  wasm_memory: WebAssembly.Memory;
  zstd_create_ctx(compressedBytes: number): number;
  zstd_get_src_ptr(ctx: number): number;
  zstd_read(ctx: number, length: number): number;
  zstd_read_free(ptr: number, length: number): void;
  zstd_free_ctx(ctx: number): void;
  set_state(state: unknown[]): void;
}

function restorable(cpu: Partial<RestorableCpu> | undefined): cpu is RestorableCpu {
  return (
    cpu !== undefined &&
    typeof cpu.zero_memory === 'function' &&
    typeof cpu.unpack_memory === 'function' &&
    typeof cpu.zstd_create_ctx === 'function' &&
    typeof cpu.zstd_get_src_ptr === 'function' &&
    typeof cpu.zstd_read === 'function' &&
    typeof cpu.zstd_read_free === 'function' &&
    typeof cpu.zstd_free_ctx === 'function' &&
    typeof cpu.set_state === 'function' &&
    typeof cpu.mem8?.fill === 'function' &&
    typeof (cpu.mem8 as { subarray?: unknown }).subarray === 'function' &&
    typeof cpu.memory_size?.[0] === 'number' &&
    cpu.wasm_memory instanceof WebAssembly.Memory
  );
}

/**
 * What v86's restore_state does, into an emulator created for it and never run, done another way
 * in four places (v86's own restore_state when the CPU does not have the expected shape):
 *
 * - v86 first zeroes all of guest RAM through wasm, which on fresh memory commits every page:
 *   about a second and the full guest size in resident memory for a 256 MiB guest, although only
 *   the firmware's first MiB was ever written. Clearing that MiB is equivalent there.
 * - v86 copies the saved pages in one 4 KiB page at a time through the Proxy it keeps over guest
 *   RAM (7,000-9,000 calls for our states); runs of consecutive pages go in one copy each here.
 * - v86 copies each buffer out of a raw state, and decompresses a zstd state's large buffers into
 *   new ones: a second pass over 30 MB of fresh memory, whose page faults cost about as much as
 *   the copy into RAM. Here the saved pages go from the state straight into RAM (restoreFromFile).
 * - A zstd state is decompressed whole, with v86's decoder, into one buffer: the raw state, which
 *   onRaw gets.
 */
export async function restoreIntoFresh(emu: V86Emulator, state: StateBytes, opts: RestoreOptions = {}): Promise<void> {
  const cpu = emu.v86?.cpu as Partial<RestorableCpu> | undefined;
  if (!restorable(cpu)) {
    await emu.restore_state(stateBytes(state));
    return;
  }
  if (isStateFile(state)) {
    try {
      restoreFromFile(cpu, state);
    } finally {
      state.close();
    }
    return;
  }
  if (!isZstd(state)) {
    restoreFromFile(cpu, inMemory(new Uint8Array(state)));
    return;
  }
  const raw = decompress(cpu, state);
  restoreFromFile(cpu, inMemory(raw));
  opts.onRaw?.(raw.buffer as ArrayBuffer);
}

/** A raw state in memory, read as restoreFromFile reads a file. */
function inMemory(raw: Uint8Array): RawStateFile {
  return {
    byteLength: raw.length,
    read(into, at) {
      if (at + into.length > raw.length) throw new Error(`the state ends at byte ${raw.length}`);
      into.set(raw.subarray(at, at + into.length));
    },
    close() {},
  };
}

/** How much of a zstd state one call into v86's decoder yields (as v86 itself reads them). */
const ZSTD_CHUNK = 1 * MiB;

/** A zstd state decompressed whole by v86's own decoder (in its wasm): the raw state. */
function decompress(cpu: RestorableCpu, state: ArrayBuffer): Uint8Array {
  const ctx = cpu.zstd_create_ctx(state.byteLength);
  try {
    new Uint8Array(cpu.wasm_memory.buffer, cpu.zstd_get_src_ptr(ctx) >>> 0, state.byteLength).set(new Uint8Array(state));
    const take = (into: Uint8Array) => {
      const ptr = cpu.zstd_read(ctx, into.length);
      // A view made after the call: the decoder may have grown wasm memory (detaching older views).
      into.set(new Uint8Array(cpu.wasm_memory.buffer, ptr >>> 0, into.length));
      cpu.zstd_read_free(ptr, into.length);
    };
    const head = new Uint8Array(HEADER_BYTES);
    take(head);
    const length = new DataView(head.buffer).getInt32(8, true);
    if (!isRawStateHeader(head, length)) throw new Error('the compressed state is not a v86 state of this version');
    const raw = new Uint8Array(length);
    raw.set(head);
    for (let at = HEADER_BYTES; at < length; at += ZSTD_CHUNK) take(raw.subarray(at, Math.min(length, at + ZSTD_CHUNK)));
    return raw;
  } finally {
    cpu.zstd_free_ctx(ctx);
  }
}

/** zero_memory for a never-run emulator: clearing all of RAM is clearing the firmware's MiB. */
function firmwareOnlyZero(cpu: RestorableCpu, zero: RestorableCpu['zero_memory']): RestorableCpu['zero_memory'] {
  return (addr: number, length: number) => {
    if (addr === 0 && length === cpu.mem8.length) cpu.mem8.fill(0, 0, Math.min(length, FIRMWARE_RAM_BYTES));
    else zero.call(cpu, addr, length);
  };
}

/** A buffer this large is left in the file until unpack_memory asks for it: only guest RAM is. */
const IN_FILE_MIN_BYTES = 4 * MiB;

/**
 * What v86's restore_state does with a raw state (header, info block, buffers, revived typed
 * arrays, set_state), reading from the file: the largest buffer, the saved guest pages, is not
 * read until unpack_memory, which reads each run of pages into guest RAM where it belongs.
 */
function restoreFromFile(cpu: RestorableCpu, file: RawStateFile): void {
  const head = new Uint8Array(HEADER_BYTES);
  file.read(head, 0);
  if (!isRawStateHeader(head, file.byteLength)) throw new Error('the state file is not a whole v86 state of this version');
  const infoBytes = new Uint8Array(new DataView(head.buffer).getInt32(12, true));
  file.read(infoBytes, HEADER_BYTES);
  const info = JSON.parse(new TextDecoder().decode(infoBytes)) as { state: unknown; buffer_infos: { offset: number; length: number }[] };
  const base = (HEADER_BYTES + infoBytes.length + 3) & ~3;
  const largest = info.buffer_infos.reduce((best, b, i, all) => (b.length > all[best]!.length ? i : best), 0);
  const inFile = new Map<ArrayBufferLike, number>();
  const buffers = info.buffer_infos.map((b, i) => {
    const buf = new ArrayBuffer(b.length);
    if (i === largest && b.length >= IN_FILE_MIN_BYTES) inFile.set(buf, base + b.offset);
    else file.read(new Uint8Array(buf), base + b.offset);
    return buf;
  });
  const { zero_memory: zero, unpack_memory: unpack } = cpu;
  cpu.zero_memory = firmwareOnlyZero(cpu, zero);
  cpu.unpack_memory = (bitmap, packed) => {
    cpu.zero_memory(0, cpu.memory_size[0]);
    const at = inFile.get(packed.buffer);
    const pages = cpu.memory_size[0] >>> 12;
    if (at === undefined || packed.byteOffset !== 0) {
      copyPages(ramView(cpu), bitmap.view, packed, pages);
      return;
    }
    inFile.delete(packed.buffer);
    const ram = ramView(cpu);
    forEachRun(bitmap.view, pages, (page, count, from) => file.read(ram.subarray(page << 12, (page + count) << 12), at + from));
  };
  try {
    cpu.set_state(revive(info.state, buffers) as unknown[]);
  } finally {
    cpu.zero_memory = zero;
    cpu.unpack_memory = unpack;
  }
  // Anything but guest RAM left in the file would have been restored as zeros.
  if (inFile.size > 0) throw new Error('v86 used a state buffer other than guest RAM that was left in the file');
}

/** The typed arrays v86 saves its state's buffers as (and Map, saved by its entries). */
const STATE_TYPES = { Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array } as const;

/** The info block's state with each {__state_type__, buffer_id | args} made the object it names. */
function revive(value: unknown, buffers: ArrayBuffer[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    // In place: a lesson state's info block holds arrays of tens of thousands of entries.
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i], buffers);
    return value;
  }
  const { __state_type__: type, args, buffer_id: id } = value as { __state_type__?: string; args?: unknown; buffer_id?: number };
  if (type === 'Map') return new Map(args as [unknown, unknown][]);
  const make = type !== undefined && Object.hasOwn(STATE_TYPES, type) ? STATE_TYPES[type as keyof typeof STATE_TYPES] : null;
  if (!make) throw new Error(`the state names an unknown type ${JSON.stringify(type)}`);
  if (args !== undefined) return new make(args as ArrayLike<number>);
  const buffer = id === undefined ? undefined : buffers[id];
  if (!buffer) throw new Error(`the state names a missing buffer ${id}`);
  return new make(buffer);
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
  forEachRun(bitmap, pages, (page, count, from) => ram.set(packed.subarray(from, from + (count << 12)), page << 12));
}

/** Each run of consecutive saved pages: its first page, its length, and its offset in the packed pages. */
function forEachRun(bitmap: Uint8Array, pages: number, run: (page: number, count: number, from: number) => void): void {
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
    run(page, end - page, from);
    from += (end - page) << 12;
    page = end;
  }
}
