import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, linkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TarError, TarReader, type TarEntry } from '../../../src/guest/util/tar.ts';
import { utf8Decode } from '../../../src/guest/util/text.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(archive: Uint8Array, chunk: number): { entries: TarEntry[]; files: Map<string, string> } {
  const entries: TarEntry[] = [];
  const files = new Map<string, string>();
  const r = new TarReader((e) => {
    entries.push(e);
    let body = '';
    return { data: (c) => (body += utf8Decode(c)), end: () => files.set(e.path, body) };
  });
  for (let i = 0; i < archive.length; i += chunk) r.push(archive.subarray(i, i + chunk));
  r.end();
  return { entries, files };
}

describe('TarReader', () => {
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc', 'hostname'), 'box\n');
  const longDir = join(root, 'a'.repeat(60), 'b'.repeat(60));
  mkdirSync(longDir, { recursive: true });
  writeFileSync(join(longDir, 'c'.repeat(80)), 'deep');
  writeFileSync(join(root, 'big'), 'x'.repeat(70_000));
  symlinkSync('/etc/hostname', join(root, 'link'));
  linkSync(join(root, 'big'), join(root, 'hard'));

  for (const format of ['gnu', 'pax', 'ustar'] as const) {
    it(`reads ${format} archives in any chunk size`, () => {
      const tarFile = join(dir, `t-${format}.tar`);
      const args = ['-C', root, `--format=${format}`, '-cf', tarFile, '.'];
      try {
        execFileSync('tar', args, { stdio: 'pipe' });
      } catch {
        // ustar cannot hold the 200+ character path: drop it
        if (format !== 'ustar') throw new Error('tar failed');
        execFileSync('tar', ['-C', root, '--format=ustar', '-cf', tarFile, './etc', './big', './link', './hard']);
      }
      const archive = new Uint8Array(readFileSync(tarFile));
      for (const chunk of [1, 511, 4096, archive.length]) {
        const { entries, files } = read(archive, chunk);
        expect(files.get('./etc/hostname')).toBe('box\n');
        // one of the two names holds the data, the other is a hard link to it
        const big = entries.find((e) => (e.path === './big' || e.path === './hard') && e.type === 'file')!;
        expect(files.get(big.path)).toHaveLength(70_000);
        const link = entries.find((e) => e.path === './link')!;
        expect(link.type).toBe('symlink');
        expect(link.linkname).toBe('/etc/hostname');
        const hard = entries.find((e) => (e.path === './hard' || e.path === './big') && e.type === 'link');
        expect(hard?.linkname).toBe(big.path);
        if (format !== 'ustar') {
          const deep = [...files.keys()].find((p) => p.endsWith('c'.repeat(80)));
          expect(deep && files.get(deep)).toBe('deep');
        }
        expect(entries.find((e) => e.path === './etc/')?.type ?? entries.find((e) => e.path === './etc')?.type).toBe('dir');
      }
    });
  }

  it('rejects a bad checksum and a truncated archive', () => {
    const tarFile = join(dir, 'c.tar');
    execFileSync('tar', ['-C', root, '-cf', tarFile, './big']);
    const archive = new Uint8Array(readFileSync(tarFile));
    const bad = archive.slice();
    bad[0] = 0x41;
    expect(() => read(bad, 512)).toThrow(TarError);
    expect(() => read(archive.subarray(0, 4096), 512)).toThrow(/truncated/);
  });
});
