// Native test of the C layer writer (src/guest/native/layer.c) in the real i386 runtime: its
// blob is a gzip whose content is byte for byte the JavaScript reference tar
// (src/guest/util/layertar.ts), its digests verify with Node's own gunzip and sha256, overlay
// whiteouts and opaque dirs come out in Docker's .wh. form, and the copy it makes alongside is
// an overlay lower dir with the whiteouts and the opaque mark kept.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../../scripts/runtime-build/bytecode.ts';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { TarReader, type TarEntry } from '../../../src/guest/util/tar.ts';

const runner = join(repoRoot, 'vm-images/dist/runtime/whalebone-run');
const skip = !existsSync(runner) ? 'whalebone-run is missing: run npm run build:runtime' : process.getuid?.() !== 0 ? 'needs root (mknod, trusted xattrs)' : '';
if (skip && process.env.CI === 'true') throw new Error(`layer native test cannot run: ${skip}`);

let work = '';
let probe = '';

function entries(tar: Uint8Array): (TarEntry & { data: string })[] {
  const out: (TarEntry & { data: string })[] = [];
  const r = new TarReader((e) => {
    const item = { ...e, data: '' };
    out.push(item);
    return { data: (c) => (item.data += Buffer.from(c).toString('utf8')), end: () => undefined };
  });
  r.push(tar);
  r.end();
  return out;
}

describe.skipIf(skip)('layer commit in C', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wb-layer-'));
    chmodSync(work, 0o755);
    probe = join(work, 'probe.js');
    await bundle(join(repoRoot, 'test/guest/native/probe.ts'), probe);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes the reference tar, gzip-compressed, with digests that verify', () => {
    const up = join(work, 'upper');
    mkdirSync(join(up, 'etc'), { recursive: true });
    mkdirSync(join(up, 'opq/sub'), { recursive: true });
    writeFileSync(join(up, 'hello'), 'hi\n');
    writeFileSync(join(up, 'etc/hostname'), 'box\n');
    chmodSync(join(up, 'etc/hostname'), 0o600);
    chownSync(join(up, 'etc/hostname'), 1234, 5678);
    writeFileSync(join(up, 'opq/sub/new'), 'fresh');
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    writeFileSync(join(up, 'big.bin'), big);
    linkSync(join(up, 'big.bin'), join(up, 'big-link.bin'));
    symlinkSync('/etc/hostname', join(up, 'link-to-host'));
    const longDir = join(up, 'd'.repeat(60), 'e'.repeat(60));
    mkdirSync(longDir, { recursive: true });
    writeFileSync(join(longDir, 'long-name.txt'), 'long');
    utimesSync(join(up, 'hello'), 1_600_000_000, 1_600_000_000);

    const blob = join(work, 'layer.tar.gz');
    const ref = join(work, 'ref.tar');
    const copy = join(work, 'copy');
    const r = spawnSync(runner, [probe, 'layer', up, blob, ref, copy], { encoding: 'utf8', timeout: 60_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (r.status !== 0 || !line) throw new Error(`probe exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    const res = JSON.parse(line.slice(7)) as {
      c: { digest: string; diffId: string; size: number; diffSize: number; contentSize: number };
      jsContentSize: number;
      missing: { code?: string; message?: string };
      copyOpaque: string | null; copyWhiteout: boolean; copyNote: string; list: string[]; noAttr: null; blobSha: string;
    };

    const gz = readFileSync(blob);
    const tar = gunzipSync(gz);
    const reference = readFileSync(ref);
    expect(tar.length).toBe(reference.length);
    expect(Buffer.compare(tar, reference)).toBe(0);
    expect(res.c.digest).toBe(`sha256:${createHash('sha256').update(gz).digest('hex')}`);
    expect(res.c.diffId).toBe(`sha256:${createHash('sha256').update(tar).digest('hex')}`);
    expect(res.c.size).toBe(gz.length);
    expect(res.c.diffSize).toBe(tar.length);
    expect(res.blobSha).toBe(res.c.digest.slice(7));
    // du -sb of the tree: files (the hard link counted per name), symlink targets, whiteouts 0
    expect(res.c.contentSize).toBe(3 + 4 + 5 + 300_000 * 2 + '/etc/hostname'.length + 4);
    expect(res.jsContentSize).toBe(res.c.contentSize);
    expect(gz.length).toBeLessThan(tar.length); // really compressed, unlike the reference's stored gzip

    // GNU tar reads it too, long names (PAX) and all
    const listed = spawnSync('tar', ['-tvf', ref], { encoding: 'utf8' });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`${'d'.repeat(60)}/${'e'.repeat(60)}/long-name.txt`);

    const es = entries(tar);
    const byName = new Map(es.map((e) => [e.path, e]));
    expect(es.map((e) => e.path)).toEqual([
      'big-link.bin', 'big.bin', `${'d'.repeat(60)}/`, `${'d'.repeat(60)}/${'e'.repeat(60)}/`,
      `${'d'.repeat(60)}/${'e'.repeat(60)}/long-name.txt`, 'etc/', 'etc/.wh.gone.conf', 'etc/hostname',
      '.wh.gone', 'hello', 'link-to-host', 'opq/', 'opq/.wh..wh..opq', 'opq/sub/', 'opq/sub/new',
    ]);
    expect(byName.get('big-link.bin')).toMatchObject({ type: 'file', size: 300_000 });
    expect(byName.get('big.bin')).toMatchObject({ type: 'link', linkname: 'big-link.bin' });
    expect(byName.get('etc/hostname')).toMatchObject({ type: 'file', mode: 0o600, uid: 1234, gid: 5678, data: 'box\n' });
    expect(byName.get('hello')).toMatchObject({ mtime: 1_600_000_000, data: 'hi\n' });
    expect(byName.get('link-to-host')).toMatchObject({ type: 'symlink', linkname: '/etc/hostname' });
    expect(byName.get('.wh.gone')).toMatchObject({ type: 'file', size: 0 });
    // the xattr travels in a PAX record; overlayfs's own trusted.overlay.* does not
    expect(tar.includes(Buffer.from('SCHILY.xattr.user.note=kept'))).toBe(true);
    expect(tar.includes(Buffer.from('trusted.overlay'))).toBe(false);

    // the copy: the same files, whiteouts as 0:0 devices, the opaque mark as the xattr
    expect(res.copyWhiteout).toBe(true);
    expect(res.copyOpaque).toBe('y');
    expect(readFileSync(join(copy, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(copy, 'etc/hostname'), 'utf8')).toBe('box\n');
    expect(res.copyNote).toBe('kept');
    expect(res.list).toContain('trusted.overlay.opaque');
    expect(res.noAttr).toBeNull();
    expect(res.missing.code).toBe('ENOENT');
  });
});
