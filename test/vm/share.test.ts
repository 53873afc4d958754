import { describe, expect, it } from 'vitest';
import { indexFileKeys } from '../../src/vm/share.ts';
import type { V86FsIndex } from '../../src/vm/v86-types.ts';

const DIR = 0o040755;
const FILE = 0o100644;
const LINK = 0o120777;

describe('indexFileKeys (what a shared folder holds, from its index)', () => {
  it('lists regular files under nested folders by path, and by their own key where the index names one', () => {
    const index: V86FsIndex = {
      version: 3,
      size: 30,
      fsroot: [
        ['bin', 0, 0, DIR, 0, 0, [['ip', 10, 0, FILE | 0o111, 0, 0]]],
        ['lib', 0, 0, DIR, 0, 0, [
          ['i386-linux-gnu', 0, 0, DIR, 0, 0, [['libc.so.6', 20, 0, FILE, 0, 0, 'blobs/ab12']]],
          ['ld-linux.so.2', 0, 0, LINK, 0, 0, 'i386-linux-gnu/ld-linux.so.2'],
        ]],
        ['empty', 0, 0, DIR, 0, 0],
      ],
    };
    expect(indexFileKeys(index)).toEqual(['bin/ip', 'blobs/ab12']);
  });
});
