// docker cp's unpacking into a directory that already has content: nothing lands outside it,
// whatever links are already there or the archive makes, and Docker's overwrite rules hold.
import { describe, expect, it } from 'vitest';
import { CopyError, extractInto } from '../../../src/guest/cp/extract.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { pathTar, tarHeader, tarPadding } from '../../../src/guest/util/layertar.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

function tarOf(sys: FakeSyscalls, path: string, name: string): Uint8Array {
  const parts: number[] = [];
  pathTar(sys, path, name, (c) => parts.push(...c));
  return Uint8Array.from(parts);
}

/** A tar's entries without its end blocks, so more can follow. */
const body = (tar: Uint8Array) => tar.subarray(0, tar.length - 1024);

function fileEntry(name: string, text: string): Uint8Array {
  const data = enc.encode(text);
  return Uint8Array.from([...tarHeader(name, data.length), ...data, ...tarPadding(data.length)]);
}

const end = new Uint8Array(1024);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

function extract(sys: FakeSyscalls, root: string, dir: string, tar: Uint8Array, opts: Partial<Parameters<typeof extractInto>[3]> = {}) {
  const x = extractInto(sys, root, dir, { owner: { uid: 0, gid: 0 }, noOverwriteDirNonDir: true, ...opts });
  x.push(tar);
  return x.finish();
}

describe('docker cp extraction', () => {
  it('copies a tree with its files, links and modes, under a new name', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/src/site/index.html', '<h1>hi</h1>', 0o644);
    sys.addFile('/src/site/run.sh', 'echo', 0o755);
    sys.addSymlink('/src/site/home', 'index.html');
    sys.addDir('/ctr/srv');
    const stats = extract(sys, '/ctr', '/srv', tarOf(sys, '/src/site', 'site'), { rename: { from: 'site', to: 'www' } });
    expect(dec.decode(sys.readFile('/ctr/srv/www/index.html'))).toBe('<h1>hi</h1>');
    expect(sys.stat('/ctr/srv/www/run.sh').mode & 0o777).toBe(0o755);
    expect(sys.readlink('/ctr/srv/www/home')).toBe('index.html');
    expect(stats.entries).toBe(4);
  });

  it('follows an absolute link already in the container as the container would, not to the host', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/host/etc');
    sys.addDir('/ctr/run');
    // as in Debian's images: /var/run -> /run, which on the host would be the host's /run
    sys.addSymlink('/ctr/var/run', '/run');
    sys.addSymlink('/ctr/escape', '/host/etc');
    extract(sys, '/ctr', '/', cat(fileEntry('var/run/pid', '1'), fileEntry('escape/passwd', 'x'), end));
    expect(dec.decode(sys.readFile('/ctr/run/pid'))).toBe('1');
    expect(sys.lstatOrNull('/host/etc/passwd')).toBeNull();
    expect(dec.decode(sys.readFile('/ctr/host/etc/passwd'))).toBe('x');
  });

  it('keeps writes through a link the archive itself makes inside the destination', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/work/link-src');
    sys.addSymlink('/work/link-src/evil', '/');
    sys.addDir('/dest');
    sys.addDir('/outside');
    extract(sys, '/dest', '', cat(body(tarOf(sys, '/work/link-src', '')), fileEntry('evil/outside/pwned', 'x'), end));
    expect(sys.lstatOrNull('/outside/pwned')).toBeNull();
    expect(dec.decode(sys.readFile('/dest/outside/pwned'))).toBe('x');
  });

  it('replaces a link in a file\'s place instead of writing through it', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/secret', 'keep');
    sys.addSymlink('/dest/f', '/secret');
    extract(sys, '/dest', '', cat(fileEntry('f', 'new'), end));
    expect(dec.decode(sys.readFile('/secret'))).toBe('keep');
    expect(dec.decode(sys.readFile('/dest/f'))).toBe('new');
  });

  it('refuses .. entries and keeps a directory from being replaced by a file', () => {
    const sys = new FakeSyscalls();
    sys.addDir('/dest/d');
    expect(() => extract(sys, '/dest', '', cat(fileEntry('../x', 'x'), end))).toThrow(CopyError);
    expect(() => extract(sys, '/dest', '', cat(fileEntry('d', 'x'), end))).toThrow('cannot overwrite directory "d" with non-directory');
    expect(sys.stat('/dest/d').mode & 0o170000).toBe(0o040000);
  });

  it('gives what it writes to root unless asked to keep the archive\'s owners', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/src/f', 'x');
    sys.chown('/src/f', 1000, 1000);
    sys.addDir('/a');
    sys.addDir('/b');
    extract(sys, '/a', '', tarOf(sys, '/src/f', 'f'));
    extract(sys, '/b', '', tarOf(sys, '/src/f', 'f'), { owner: 'archive' });
    expect(sys.stat('/a/f').uid).toBe(0);
    expect(sys.stat('/b/f').uid).toBe(1000);
  });
});
