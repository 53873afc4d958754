import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInTree, walkTree } from '../../../scripts/vm-build/tree.ts';
import { parseDepends } from '../../../scripts/vm-build/debs.ts';
import { parseReadelf } from '../../../scripts/vm-build/elf.ts';

describe('guest trees', () => {
  const root = mkdtempSync(join(tmpdir(), 'tree-test-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'sbin'));
  mkdirSync(join(root, 'lib/i386-linux-gnu'), { recursive: true });
  writeFileSync(join(root, 'bin/ip'), 'x');
  symlinkSync('/bin/ip', join(root, 'sbin/ip')); // absolute, as Debian ships it
  writeFileSync(join(root, 'lib/i386-linux-gnu/libc.so.6'), 'x');
  symlinkSync('i386-linux-gnu/libc.so.6', join(root, 'lib/libc.so.6'));
  symlinkSync('../lib', join(root, 'bin/lib'));
  symlinkSync('/nowhere', join(root, 'bin/dangling'));
  symlinkSync('loop2', join(root, 'bin/loop1'));
  symlinkSync('loop1', join(root, 'bin/loop2'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resolves absolute links inside the tree, not on the host', () => {
    expect(resolveInTree(root, 'sbin/ip')).toEqual(['sbin/ip', 'bin/ip']);
    expect(resolveInTree(root, '/lib/libc.so.6')).toEqual(['lib/libc.so.6', 'lib/i386-linux-gnu/libc.so.6']);
  });

  it('follows links in directory components', () => {
    expect(resolveInTree(root, 'bin/lib/i386-linux-gnu/libc.so.6')).toEqual(['bin/lib', 'lib/i386-linux-gnu/libc.so.6']);
  });

  it('returns null for missing, dangling and looping paths', () => {
    expect(resolveInTree(root, 'bin/nope')).toBeNull();
    expect(resolveInTree(root, 'bin/dangling')).toBeNull();
    expect(resolveInTree(root, 'bin/loop1')).toBeNull();
  });

  it('walks parents before children', () => {
    const all = walkTree(root);
    expect(all.indexOf('lib')).toBeLessThan(all.indexOf('lib/i386-linux-gnu/libc.so.6'));
    expect(all).toContain('sbin/ip');
  });
});

describe('package metadata', () => {
  it('reads package names from a Depends field', () => {
    expect(parseDepends('debconf (>= 0.5) | debconf-2.0, libc6 (>= 2.34), libfoo1:any, libcap2-bin')).toEqual([
      'debconf', 'debconf-2.0', 'libc6', 'libfoo1', 'libcap2-bin',
    ]);
    expect(parseDepends('')).toEqual([]);
  });

  it('reads NEEDED entries and the interpreter from readelf output', () => {
    const dyn = ' 0x00000001 (NEEDED)                     Shared library: [libbpf.so.1]\n 0x00000001 (NEEDED)                     Shared library: [libc.so.6]\n 0x0000000c (INIT)                       0x3000\n';
    const hdr = '  INTERP         0x0001b4 0x000001b4 0x000001b4 0x00013 0x00013 R   0x1\n      [Requesting program interpreter: /lib/ld-linux.so.2]\n';
    expect(parseReadelf(dyn, hdr)).toEqual({ needed: ['libbpf.so.1', 'libc.so.6'], interpreter: '/lib/ld-linux.so.2' });
    expect(parseReadelf('', '')).toEqual({ needed: [] });
  });
});
