// Where docker cp puts a source, on Docker's table of cases.
import { describe, expect, it } from 'vitest';
import { CopyError } from '../../../src/guest/cp/extract.ts';
import { planCopy, splitCopyArg } from '../../../src/guest/cp/paths.ts';

describe('docker cp path rules', () => {
  const cases: [string, boolean, string, boolean | null, { dir: string; name: string } | string][] = [
    // source, is dir, destination, destination is dir (null: missing), plan or error
    ['/etc/hosts', false, '/tmp', true, { dir: '/tmp', name: 'hosts' }],
    ['/etc/hosts', false, '/tmp/h', false, { dir: '/tmp', name: 'h' }],
    ['/etc/hosts', false, '/tmp/new', null, { dir: '/tmp', name: 'new' }],
    ['/etc/hosts', false, '/tmp/new/', null, 'no such directory'],
    ['/etc/hosts', false, '/tmp/h/', false, 'not a directory'],
    ['/etc', true, '/tmp', true, { dir: '/tmp', name: 'etc' }],
    ['/etc/', true, '/tmp', true, { dir: '/tmp', name: 'etc' }],
    ['/etc/.', true, '/tmp', true, { dir: '/tmp', name: '' }],
    ['/etc', true, '/tmp/copy', null, { dir: '/tmp', name: 'copy' }],
    ['/etc/.', true, '/tmp/copy', null, { dir: '/tmp', name: 'copy' }],
    ['/etc', true, '/tmp/file', false, 'cannot copy directory'],
  ];
  for (const [src, srcDir, dst, dstDir, want] of cases) {
    it(`${src} -> ${dst} (${dstDir === null ? 'missing' : dstDir ? 'dir' : 'file'})`, () => {
      const run = () => planCopy({ path: src, isDir: srcDir }, { path: dst, isDir: dstDir });
      if (typeof want === 'string') {
        expect(run).toThrow(CopyError);
        expect(run).toThrow(want);
      } else expect(run()).toEqual(want);
    });
  }

  it('splits CONTAINER:PATH, and keeps ./a:b and /a:b local', () => {
    expect(splitCopyArg('web:/etc/nginx')).toEqual({ container: 'web', path: '/etc/nginx' });
    expect(splitCopyArg('web:etc')).toEqual({ container: 'web', path: 'etc' });
    expect(splitCopyArg('./a:b')).toEqual({ container: null, path: './a:b' });
    expect(splitCopyArg('/a:b')).toEqual({ container: null, path: '/a:b' });
    expect(splitCopyArg('file.txt')).toEqual({ container: null, path: 'file.txt' });
    expect(splitCopyArg('-')).toEqual({ container: null, path: '-' });
  });
});
