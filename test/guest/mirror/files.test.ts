import { describe, expect, it } from 'vitest';
import { archivePath, httpDate, parseHttpDate, parseRange, serveArchiveFile, type FileRequest } from '../../../src/guest/mirror/files.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';

const PREFIXES = ['/debian/', '/debian-security/'];
const ROOT = '/mnt/host/mirror';
const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

function archive(): FakeSyscalls {
  const sys = new FakeSyscalls();
  sys.mkdir('/mnt');
  sys.mkdir('/mnt/host');
  sys.mkdir(ROOT);
  sys.mkdir(`${ROOT}/dists`);
  sys.mkdir(`${ROOT}/dists/bookworm`);
  sys.writeFile(`${ROOT}/dists/bookworm/InRelease`, '0123456789');
  sys.utimes(`${ROOT}/dists/bookworm/InRelease`, 0, Date.UTC(2023, 5, 10));
  return sys;
}

const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): FileRequest => ({ method, path, headers });

describe('mirror file answers', () => {
  it('serves a file under /debian/ with length, type and Last-Modified; HEAD has no body', () => {
    const sys = archive();
    const r = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease'));
    expect(r.status).toBe(200);
    expect(text(r.body)).toBe('0123456789');
    expect(r.headers['Content-Length']).toBe('10');
    expect(r.headers['Last-Modified']).toBe('Sat, 10 Jun 2023 00:00:00 GMT');
    const h = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease', {}, 'HEAD'));
    expect([h.status, h.body, h.headers['Content-Length']]).toEqual([200, null, '10']);
    // the security path is the same archive
    expect(serveArchiveFile(sys, ROOT, PREFIXES, get('/debian-security/dists/bookworm/InRelease')).status).toBe(200);
  });

  it('answers 404 outside the archive, for folders and for escapes; 405 for other methods', () => {
    const sys = archive();
    for (const p of ['/debian/dists/trixie/InRelease', '/debian/dists', '/ubuntu/dists/bookworm/InRelease', '/debian/../etc/passwd', '/debian/%2e%2e/x'])
      expect(serveArchiveFile(sys, ROOT, PREFIXES, get(p)).status, p).toBe(404);
    const post = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease', {}, 'POST'));
    expect([post.status, post.headers['Allow']]).toEqual([405, 'GET, HEAD']);
  });

  it('says 304 when the client has the file already (apt-get update the second time)', () => {
    const sys = archive();
    const same = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease', { 'if-modified-since': 'Sat, 10 Jun 2023 00:00:00 GMT' }));
    expect([same.status, same.body]).toEqual([304, null]);
    const older = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease', { 'if-modified-since': 'Fri, 09 Jun 2023 00:00:00 GMT' }));
    expect(older.status).toBe(200);
  });

  it('serves byte ranges, honours If-Range, and refuses unsatisfiable ones', () => {
    const sys = archive();
    const r = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease', { range: 'bytes=4-' }));
    expect([r.status, text(r.body), r.headers['Content-Range'], r.headers['Content-Length']]).toEqual([206, '456789', 'bytes 4-9/10', '6']);
    const stale = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease', { range: 'bytes=4-', 'if-range': 'Mon, 01 Jan 2024 00:00:00 GMT' }));
    expect(stale.status).toBe(200);
    const bad = serveArchiveFile(sys, ROOT, PREFIXES, get('/debian/dists/bookworm/InRelease', { range: 'bytes=10-' }));
    expect([bad.status, bad.headers['Content-Range']]).toEqual([416, 'bytes */10']);
  });

  it('parses and formats HTTP dates and ranges', () => {
    expect(parseHttpDate(httpDate(Date.UTC(2026, 11, 5, 9, 3, 7)))).toBe(Date.UTC(2026, 11, 5, 9, 3, 7));
    expect(parseHttpDate('yesterday')).toBeNull();
    expect(parseRange('bytes=-3', 10)).toEqual([7, 9]);
    expect(parseRange('bytes=2-4', 10)).toEqual([2, 4]);
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(archivePath('/debian/pool/main/c/curl/curl_7.88.1-10%2Bdeb12u8_i386.deb', PREFIXES)).toBe('pool/main/c/curl/curl_7.88.1-10+deb12u8_i386.deb');
  });
});
