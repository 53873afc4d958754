import { describe, expect, it } from 'vitest';
import { classify, fileBlocks, kernelRange, PAGE, pagesAt, savedPages } from '../../../scripts/lib/snapshot-pages.ts';

/** A raw v86 state (version 6) holding the given buffers, laid out as v86's save_state does. */
function rawState(buffers: Uint8Array[]): Uint8Array {
  let offset = 0;
  const infos = buffers.map((b) => {
    const info = { offset, length: b.length };
    offset += (b.length + 3) & ~3;
    return info;
  });
  const info = new TextEncoder().encode(JSON.stringify({ state: [], buffer_infos: infos }));
  const base = (16 + info.length + 3) & ~3;
  const out = new Uint8Array(base + offset);
  const v = new DataView(out.buffer);
  v.setInt32(0, -2039052682, true);
  v.setInt32(4, 6, true);
  v.setInt32(8, out.length, true);
  v.setInt32(12, info.length, true);
  out.set(info, 16);
  buffers.forEach((b, i) => out.set(b, base + infos[i]!.offset));
  return out;
}

const page = (fill: number) => new Uint8Array(PAGE).fill(fill);

describe('savedPages', () => {
  it("finds guest RAM's saved pages by the bitmap that counts them, apart from the other buffers", () => {
    // 16 pages of RAM; pages 1, 5 and 9 saved
    const bitmap = new Uint8Array([0b0010_0010, 0b0000_0010]);
    const packed = new Uint8Array([...page(1), ...page(5), ...page(9)]);
    const vga = new Uint8Array(8 * PAGE); // a zeroed buffer whose length is pages too: no bitmap counts it
    const s = savedPages(rawState([new Uint8Array([7, 7, 7]), bitmap, vga, packed]));
    expect(s.numbers).toEqual([1, 5, 9]);
    expect(s.ramPages).toBe(16);
    expect([...pagesAt(s, [1]).subarray(0, 4)]).toEqual([5, 5, 5, 5]);
    expect(s.others.map((b) => b.length)).toEqual([3, 8 * PAGE]);
  });

  it('refuses what is not a whole raw state', () => {
    const state = rawState([new Uint8Array([3]), page(1)]); // 2 bits set: no buffer of 2 pages
    expect(() => savedPages(state.subarray(0, state.length - 4))).toThrow(/not a whole raw v86 state/);
    expect(() => savedPages(state)).toThrow(/no buffer of saved RAM pages/);
  });
});

describe('classify', () => {
  it("names a file's pages, its last one zero-padded, then the kernel's range, then the rest", () => {
    const file = new Uint8Array(PAGE + 10).fill(3);
    file.fill(4, PAGE);
    const tail = new Uint8Array(PAGE);
    tail.fill(4, 0, 10);
    const bitmap = new Uint8Array([0b0000_1111]);
    const packed = new Uint8Array([...page(3), ...tail, ...page(8), ...page(9)]);
    const s = savedPages(rawState([bitmap, packed]));
    const c = classify(s, fileBlocks([{ path: '/bin/x', data: file }]), { start: 2 * PAGE, end: 3 * PAGE });
    expect([...c.files.entries()]).toEqual([['/bin/x', [0, 1]]]);
    expect(c.kernel).toEqual([2]);
    expect(c.other).toEqual([3]);
  });
});

describe('kernelRange', () => {
  it("gives _text to _end as physical addresses", () => {
    const map = 'c1000000 T _text\nc1000000 T startup_32\nc1700000 B _end\n';
    expect(kernelRange(map, 0xc0000000)).toEqual({ start: 0x1000000, end: 0x1700000 });
    expect(kernelRange('c1000000 T _text\n', 0xc0000000)).toBeNull();
  });
});
