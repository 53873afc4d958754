import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskFolder } from '../../src/vm/node-share.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Descriptors of this process open on files under dir (Linux's /proc/self/fd). */
function openUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // the descriptor readdir itself used is gone by now
    }
  }
  return n;
}

describe('diskFolder (the share read from the host disk)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-share-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.txt'), '0123456789');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads at an offset and stops at the end of the file', async () => {
    const f = diskFolder(dir);
    expect(text(await f.read('sub/a.txt', 2, 3, 10))).toBe('234');
    expect(text(await f.read('sub/a.txt', 8, 100, 10))).toBe('89');
    expect((await f.read('sub/a.txt', 10, 4, 10)).length).toBe(0);
  });

  it('keeps a file open between reads and closes it on release', async () => {
    const f = diskFolder(dir);
    await f.read('sub/a.txt', 0, 1, 10);
    await f.read('sub/a.txt', 1, 1, 10);
    expect(openUnder(dir)).toBe(1);
    f.release?.('sub/a.txt');
    expect(openUnder(dir)).toBe(0);
    // a file replaced on disk after the guest closed it is read anew
    writeFileSync(join(dir, 'sub', 'a.txt'), 'abcdefghij');
    expect(text(await f.read('sub/a.txt', 0, 3, 10))).toBe('abc');
    f.release?.('sub/a.txt');
  });

  it('holds a bounded number of files open, closing the least recently read', async () => {
    const f = diskFolder(dir);
    for (let i = 0; i < 100; i++) writeFileSync(join(dir, `f${i}`), `file ${i}`);
    for (let i = 0; i < 100; i++) expect(text(await f.read(`f${i}`, 0, 16, 16))).toBe(`file ${i}`);
    const open = openUnder(dir);
    expect(open).toBeGreaterThan(0);
    expect(open).toBeLessThanOrEqual(32);
    // the oldest was closed and opens again on demand
    expect(text(await f.read('f0', 5, 2, 16))).toBe('0');
    for (let i = 0; i < 100; i++) f.release?.(`f${i}`);
    expect(openUnder(dir)).toBe(0);
  });

  it('refuses paths that leave the folder', async () => {
    const f = diskFolder(join(dir, 'sub'));
    await expect(f.read('../sub/a.txt', 0, 1, 10)).rejects.toThrow(/bad path/);
  });

  it('fails a read of a missing file without keeping anything open', async () => {
    const f = diskFolder(dir);
    await expect(f.read('nope', 0, 1, 1)).rejects.toThrow(/ENOENT/);
    expect(openUnder(dir)).toBe(0);
  });
});
