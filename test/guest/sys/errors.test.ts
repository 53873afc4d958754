import { describe, expect, it } from 'vitest';
import { SyscallError, callText, errorText, goErrorText, isErrno } from '../../../src/guest/sys/errors.ts';
import { ERRNO_NAMES, errnoName, errnoNumber } from '../../../src/guest/sys/errno.ts';
import { decodeWaitStatus, exitCodeOf } from '../../../src/guest/sys/wait.ts';
import { decodeUtf8, encodeUtf8 } from '../../../src/guest/sys/utf8.ts';
import { makedev, major, minor } from '../../../src/guest/sys/constants.ts';

describe('SyscallError', () => {
  it('names the errno and the call', () => {
    const e = SyscallError.of(22, 'pivot_root', ['.', '.']);
    expect(e.message).toBe('EINVAL: pivot_root(".", ".")');
    expect(e).toMatchObject({ code: 'EINVAL', errno: 22, call: 'pivot_root(".", ".")', name: 'SyscallError' });
    expect(e).toBeInstanceOf(Error);
    expect(isErrno(e, 'EINVAL')).toBe(true);
    expect(isErrno(new Error('EINVAL'), 'EINVAL')).toBe(false);
  });

  it('renders arguments of every kind', () => {
    expect(callText('mount', [null, '/x', undefined, 0x4000n, [1, 2], new Uint8Array(3)])).toBe('mount(null, "/x", undefined, 0x4000, [1, 2], <3 bytes>)');
  });

  it('maps errno names and numbers both ways', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(111)).toBe('ECONNREFUSED');
    expect(errnoName(9999)).toBe('E9999');
    expect(errnoNumber('ENOENT')).toBe(2);
    expect(() => errnoNumber('EWHAT')).toThrow();
    // the name table is built on first use: every entry comes back to its number
    for (const n of Object.keys(ERRNO_NAMES).map(Number)) expect(errnoNumber(errnoName(n))).toBe(n);
  });
});

describe('wait status decoding', () => {
  it('decodes exits, signals, stops', () => {
    expect(decodeWaitStatus(5, 42 << 8)).toEqual({ pid: 5, kind: 'exited', code: 42 });
    expect(decodeWaitStatus(5, 9)).toEqual({ pid: 5, kind: 'signaled', signal: 9, coreDumped: false });
    expect(decodeWaitStatus(5, 0x80 | 11)).toEqual({ pid: 5, kind: 'signaled', signal: 11, coreDumped: true });
    expect(decodeWaitStatus(5, (19 << 8) | 0x7f)).toEqual({ pid: 5, kind: 'stopped', signal: 19 });
    expect(exitCodeOf(decodeWaitStatus(5, 15))).toBe(143);
  });
});

describe('utf8 and device numbers', () => {
  it('round-trips text, including astral characters and bad bytes', () => {
    for (const s of ['', 'plain', 'héllo ✓', '🐳 whale', 'a\u0000b']) {
      expect(decodeUtf8(encodeUtf8(s))).toBe(s);
      expect(Buffer.from(encodeUtf8(s))).toEqual(Buffer.from(s, 'utf8'));
    }
    expect(decodeUtf8(Uint8Array.from([0x61, 0xff, 0x62]))).toBe('a\ufffdb');
  });

  it('packs device numbers like the kernel', () => {
    expect(makedev(1, 3)).toBe(0x103);
    expect(makedev(136, 300)).toBe(((300 & 0xff) | (136 << 8) | ((300 & ~0xff) << 12)) >>> 0);
    expect([major(makedev(136, 300)), minor(makedev(136, 300))]).toEqual([136, 300]);
  });
});

describe('Go wording for the errors a learner causes', () => {
  it('renders ENOSPC as Go\'s PathError does, path first', () => {
    expect(errorText(SyscallError.named('ENOSPC', 'open', ['/var/lib/docker/a "b"', 577, 420]))).toBe('open /var/lib/docker/a "b": no space left on device');
    expect(errorText(SyscallError.named('ENOSPC', 'write', [7]))).toBe('write: no space left on device');
    expect(goErrorText(SyscallError.named('EDQUOT', 'mkdir', ['/x', 0o755]))).toBe('mkdir /x: disk quota exceeded');
  });

  it('leaves other errors as they were', () => {
    expect(goErrorText(SyscallError.named('ENOENT', 'open', ['/x']))).toBeNull();
    expect(errorText(SyscallError.named('ENOENT', 'open', ['/x']))).toBe('ENOENT: open("/x")');
    expect(errorText(new Error('plain'))).toBe('plain');
    expect(errorText('text')).toBe('text');
  });
});
