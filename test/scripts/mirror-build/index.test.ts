import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  controlField, formatLock, packagesIndex, packagesStanza, parseLock, parsePackageList, parseRecursiveDepends, poolPath, releaseFile,
} from '../../../scripts/mirror-build/index.ts';

describe('mirror package list', () => {
  it('reads names, skips comments and blanks, and points at a bad line', () => {
    expect(parsePackageList('# tools\ncurl\n\n  jq   # json\ncurl\n')).toEqual(['curl', 'jq']);
    expect(() => parsePackageList('curl\nPython3\n', 'packages.txt')).toThrow('packages.txt:2: not a Debian package name: "Python3"');
  });

  it('the shipped list has every package the issue asks for', () => {
    const names = parsePackageList(readFileSync('vm-images/mirror/packages.txt', 'utf8'));
    for (const n of ['python3', 'python3-flask', 'python3-requests', 'curl', 'wget', 'ca-certificates', 'nginx-light', 'vim-tiny', 'nano', 'less', 'procps', 'iproute2', 'iputils-ping', 'dnsutils', 'jq', 'git', 'redis-server', 'sqlite3', 'netcat-openbsd', 'strace', 'tree', 'htop'])
      expect(names).toContain(n);
  });

  it('the lock covers the list (a changed list must be re-locked)', () => {
    const text = readFileSync('vm-images/mirror/packages.txt', 'utf8');
    const lock = parseLock(readFileSync('vm-images/mirror/mirror.lock', 'utf8'));
    expect(lock.listHash).toBe(createHash('sha256').update(text).digest('hex'));
    const locked = new Set(lock.entries.map((e) => e.name));
    for (const n of ['curl', 'python3', 'python3.11-minimal', 'libcurl4', 'redis-server']) expect(locked).toContain(n);
  });
});

describe('closure from apt-cache depends --recurse', () => {
  it('keeps the real packages apt visited and drops virtual ones and dependency lines', () => {
    const out = ['curl', '  Depends: libc6', '  Depends: libcurl4', 'libcurl4', '  Depends: libc6', '  |Depends: <debconf-2.0>', '    cdebconf', 'libc6', '<debconf-2.0>', 'cdebconf', ''].join('\n');
    expect(parseRecursiveDepends(out)).toEqual(['cdebconf', 'curl', 'libc6', 'libcurl4']);
  });
});

const CONTROL = 'Package: curl\nSource: curl\nVersion: 7.88.1-10+deb12u8\nArchitecture: i386\nDepends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u8)\nDescription: command line tool for transferring data with URL syntax\n curl is a command line tool.\n';

describe('archive indexes', () => {
  it('pool paths follow Debian (lib sources under libX)', () => {
    expect(poolPath('curl', 'curl_1_i386.deb')).toBe('pool/main/c/curl/curl_1_i386.deb');
    expect(poolPath('libxml2', 'libxml2_1_i386.deb')).toBe('pool/main/libx/libxml2/libxml2_1_i386.deb');
  });

  it('a Packages stanza carries the archive fields before the description', () => {
    const s = packagesStanza({ control: CONTROL, filename: 'pool/main/c/curl/curl.deb', size: 315, md5: 'a'.repeat(32), sha256: 'b'.repeat(64) });
    expect(s).toBe(
      'Package: curl\nSource: curl\nVersion: 7.88.1-10+deb12u8\nArchitecture: i386\nDepends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u8)\n' +
        `Filename: pool/main/c/curl/curl.deb\nSize: 315\nMD5sum: ${'a'.repeat(32)}\nSHA256: ${'b'.repeat(64)}\n` +
        'Description: command line tool for transferring data with URL syntax\n curl is a command line tool.\n',
    );
    expect(controlField(s, 'Version')).toBe('7.88.1-10+deb12u8');
    const two = packagesIndex([
      { control: CONTROL.replace(/curl/g, 'zz'), filename: 'z', size: 1, md5: '0', sha256: '0' },
      { control: CONTROL, filename: 'c', size: 1, md5: '0', sha256: '0' },
    ]);
    expect(two.indexOf('Package: curl')).toBe(0);
    expect(two).toContain('\n\nPackage: zz');
  });

  it('Release lists every index with its size and sums, dated as given', () => {
    const data = new TextEncoder().encode('Package: curl\n');
    const r = releaseFile({ suite: 'bookworm', date: new Date(Date.UTC(2023, 5, 10)), architectures: ['i386'], components: ['main'] }, [{ path: 'main/binary-i386/Packages', data }]);
    expect(r).toContain('Suite: bookworm\nCodename: bookworm\nDate: Sat, 10 Jun 2023 00:00:00 UTC\nArchitectures: i386\nComponents: main\n');
    const sha = createHash('sha256').update(data).digest('hex');
    expect(r).toContain(`SHA256:\n ${sha}       14 main/binary-i386/Packages\n`);
    expect(r).toMatch(/MD5Sum:\n [0-9a-f]{32}       14 main\/binary-i386\/Packages\n/);
  });

  it('lock files round-trip and report a bad line', () => {
    const e = [{ name: 'curl', version: '7.88.1-10+deb12u8', arch: 'i386', sha256: 'c'.repeat(64) }];
    const text = formatLock('d'.repeat(64), e);
    expect(parseLock(text)).toEqual({ listHash: 'd'.repeat(64), entries: e });
    expect(() => parseLock('curl 1 i386\n', 'mirror.lock')).toThrow('mirror.lock:1: expected "name version arch sha256"');
  });
});
