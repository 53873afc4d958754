// The guest RAM pages a raw v86 state saved, and whose they are: a file of the guest's root (its
// tmpfs keeps each file in whole pages, so a file's 4 KiB blocks reappear as pages), the kernel's
// image (a physical range), or something else. `npm run analyze:snapshot` sorts the boot
// snapshot's bytes this way, to show what a smaller first download would have to leave out.
import { createHash } from 'node:crypto';
import { isRawStateHeader } from '../../src/vm/state-restore.ts';

export const PAGE = 4096;
const HEADER_BYTES = 16;

export interface SavedPages {
  /** Physical page numbers of the saved pages (v86 leaves out pages that are all zeros), ascending. */
  numbers: number[];
  /** Their bytes, PAGE each, in the same order. */
  packed: Uint8Array;
  /** Guest RAM's size in pages (the bitmap's bits). */
  ramPages: number;
  /** The state's other buffers (devices, VGA memory): their bytes. */
  others: Uint8Array[];
}

function popcount(bits: Uint8Array): number {
  let n = 0;
  for (const b of bits) {
    let x = b;
    while (x) {
      n += x & 1;
      x >>= 1;
    }
  }
  return n;
}

/**
 * Splits a raw (decompressed) v86 state into guest RAM's saved pages and everything else. v86
 * saves RAM as a bitmap of the pages that are not all zeros and those pages packed in order: the
 * pair is the largest buffer whose length is 4 KiB times the bits set in another buffer.
 */
export function savedPages(raw: Uint8Array): SavedPages {
  if (!isRawStateHeader(raw.subarray(0, HEADER_BYTES), raw.byteLength)) throw new Error('not a whole raw v86 state of the version this project restores');
  const infoLength = new DataView(raw.buffer, raw.byteOffset, HEADER_BYTES).getInt32(12, true);
  const info = JSON.parse(new TextDecoder().decode(raw.subarray(HEADER_BYTES, HEADER_BYTES + infoLength))) as { buffer_infos: { offset: number; length: number }[] };
  const base = (HEADER_BYTES + infoLength + 3) & ~3;
  const buffers = info.buffer_infos.map((b) => raw.subarray(base + b.offset, base + b.offset + b.length));
  let pair: { bitmap: number; packed: number } | null = null;
  const counts = buffers.map(popcount);
  buffers.forEach((p, pi) => {
    if (p.length === 0 || p.length % PAGE !== 0) return;
    const bi = counts.findIndex((c, i) => i !== pi && c * PAGE === p.length);
    if (bi >= 0 && (pair === null || p.length > buffers[pair.packed]!.length)) pair = { bitmap: bi, packed: pi };
  });
  if (pair === null) throw new Error('the state has no buffer of saved RAM pages with its bitmap');
  const { bitmap: bi, packed: pi } = pair;
  const bitmap = buffers[bi]!;
  const numbers: number[] = [];
  for (let page = 0; page < bitmap.length * 8; page++) if (bitmap[page >> 3]! & (1 << (page & 7))) numbers.push(page);
  return { numbers, packed: buffers[pi]!, ramPages: bitmap.length * 8, others: buffers.filter((_, i) => i !== bi && i !== pi) };
}

export interface FileBlock {
  path: string;
  /** The block's index in the file. */
  index: number;
}

const digest = (block: Uint8Array) => createHash('sha1').update(block).digest('base64');

/** Every 4 KiB block of each file by its content's hash; a file's last block is zero-padded, as in its last page. */
export function fileBlocks(files: { path: string; data: Uint8Array }[]): Map<string, FileBlock> {
  const out = new Map<string, FileBlock>();
  const tail = new Uint8Array(PAGE);
  for (const f of files) {
    for (let index = 0; index * PAGE < f.data.length; index++) {
      let block = f.data.subarray(index * PAGE, (index + 1) * PAGE);
      if (block.length < PAGE) {
        tail.fill(0);
        tail.set(block);
        block = tail;
      }
      const key = digest(block);
      if (!out.has(key)) out.set(key, { path: f.path, index });
    }
  }
  return out;
}

export interface PageClasses {
  /** Indexes into SavedPages.numbers of pages that are a file's block, by file. */
  files: Map<string, number[]>;
  /** Pages inside the kernel image's physical range. */
  kernel: number[];
  /** The rest: page tables, the kernel's allocations, processes' memory. */
  other: number[];
}

/** Sorts the saved pages: a file's block first, then the kernel image's range [start, end) in bytes, then the rest. */
export function classify(pages: SavedPages, blocks: Map<string, FileBlock>, kernel: { start: number; end: number } | null): PageClasses {
  const out: PageClasses = { files: new Map(), kernel: [], other: [] };
  pages.numbers.forEach((n, i) => {
    const owner = blocks.get(digest(pages.packed.subarray(i * PAGE, (i + 1) * PAGE)));
    if (owner) {
      const list = out.files.get(owner.path) ?? [];
      list.push(i);
      out.files.set(owner.path, list);
    } else if (kernel && n * PAGE >= kernel.start && n * PAGE < kernel.end) out.kernel.push(i);
    else out.other.push(i);
  });
  return out;
}

/** The pages at these indexes, concatenated. */
export function pagesAt(pages: SavedPages, indexes: number[]): Uint8Array {
  const out = new Uint8Array(indexes.length * PAGE);
  indexes.forEach((i, k) => out.set(pages.packed.subarray(i * PAGE, (i + 1) * PAGE), k * PAGE));
  return out;
}

/** The kernel image's physical range from System.map (_text to _end) and the kernel's PAGE_OFFSET. */
export function kernelRange(systemMap: string, pageOffset: number): { start: number; end: number } | null {
  const addr = (sym: string) => {
    const m = new RegExp(`^([0-9a-f]+) \\w ${sym}$`, 'm').exec(systemMap);
    return m ? parseInt(m[1]!, 16) : null;
  };
  const text = addr('_text');
  const end = addr('_end');
  if (text === null || end === null || text < pageOffset || end <= text) return null;
  return { start: text - pageOffset, end: end - pageOffset };
}
