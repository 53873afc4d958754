import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCpio } from '../../../scripts/vm-build/cpio.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';

const cpioSkip = skipOutsideCi(spawnSync('cpio', ['--version']).status === 0 ? null : 'needs GNU cpio', 'reading the archive back with GNU cpio');

describe('newc cpio writer', () => {
  const archive = writeCpio([
    { path: '/', type: 'dir', mode: 0o755 },
    { path: 'bin', type: 'dir', mode: 0o755 },
    { path: 'bin/hello', type: 'file', mode: 0o755, data: new TextEncoder().encode('#!/bin/sh\necho hi\n') },
    { path: 'bin/odd', type: 'file', mode: 0o600, data: new Uint8Array([1, 2, 3]) },
    { path: 'sbin', type: 'symlink', target: 'bin' },
    { path: 'dev', type: 'dir', mode: 0o755 },
    { path: 'dev/console', type: 'char', mode: 0o600, major: 5, minor: 1 },
  ]);

  it('aligns every record to 4 bytes and ends with the trailer', () => {
    expect(archive.length % 4).toBe(0);
    const text = new TextDecoder('latin1').decode(archive);
    expect(text.startsWith('070701')).toBe(true);
    expect(text).toContain('TRAILER!!!');
  });

  it('rejects duplicates and paths that climb out', () => {
    expect(() => writeCpio([{ path: 'a', type: 'dir', mode: 0o755 }, { path: '/a/', type: 'dir', mode: 0o755 }])).toThrow('duplicate');
    expect(() => writeCpio([{ path: 'a/../b', type: 'dir', mode: 0o755 }])).toThrow('bad cpio path');
  });

  it.skipIf(cpioSkip !== null)(`is read back by GNU cpio with names, modes, links and devices intact${cpioSkip ? ` (skipped: ${cpioSkip})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpio-test-'));
    try {
      writeFileSync(join(dir, 'a.cpio'), archive);
      const list = execFileSync('cpio', ['-itv', '--quiet', '-F', join(dir, 'a.cpio')]).toString();
      expect(list).toMatch(/^crw------- .* 5, +1 .* dev\/console$/m);
      expect(list).toMatch(/^-rwxr-xr-x .* root +root .* bin\/hello$/m);
      const out = join(dir, 'x');
      execFileSync('sh', ['-c', `mkdir ${out} && cd ${out} && cpio -id --quiet --no-absolute-filenames --nonmatching 'dev/*' < ../a.cpio`]);
      expect(readFileSync(join(out, 'bin/hello'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
      expect(statSync(join(out, 'bin/odd')).mode & 0o777).toBe(0o600);
      expect([...readFileSync(join(out, 'bin/odd'))]).toEqual([1, 2, 3]);
      expect(readlinkSync(join(out, 'sbin'))).toBe('bin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
