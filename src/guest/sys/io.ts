// Small helpers over Syscalls for whole writes and text.
import type { Fd, Syscalls } from './syscalls.ts';
import { isErrno } from './errors.ts';
import { decodeUtf8, encodeUtf8 } from './utf8.ts';

/** Writes all of data, looping over short writes. */
export function writeAll(sys: Syscalls, fd: Fd, data: Uint8Array | string): void {
  const b = typeof data === 'string' ? encodeUtf8(data) : data;
  for (let off = 0; off < b.length; ) off += sys.write(fd, b.subarray(off));
}

export function print(sys: Syscalls, text: string): void {
  writeAll(sys, 1, text);
}

export function printErr(sys: Syscalls, text: string): void {
  writeAll(sys, 2, text);
}

export function readText(sys: Syscalls, path: string): string {
  return decodeUtf8(sys.readFile(path));
}

/** One blocking read, retried when a signal interrupts it: the byte count, 0 at end of file. */
export function readRetry(sys: Syscalls, fd: Fd, buf: Uint8Array): number {
  for (;;) {
    try {
      return sys.read(fd, buf);
    } catch (e) {
      if (!isErrno(e, 'EINTR')) throw e;
    }
  }
}

/**
 * Reads a descriptor (blocking) to its end. For stdin, where opening /dev/stdin fails with ENXIO
 * when it is a socket (as Node's spawnSync and some shells give it).
 */
export function readAllFd(sys: Syscalls, fd: Fd): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = readRetry(sys, fd, buf);
    if (n === 0) break;
    parts.push(buf.slice(0, n));
    total += n;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads (blocking) up to the first newline or end of file: the first line, '' when none came. */
export function readLine(sys: Syscalls, fd: Fd, bufSize = 4096): string {
  const buf = new Uint8Array(bufSize);
  let text = '';
  for (;;) {
    const n = readRetry(sys, fd, buf);
    if (n === 0) break;
    text += decodeUtf8(buf.subarray(0, n));
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0] ?? '';
}

/**
 * One read from a non-blocking descriptor: the byte count; 0 at end of file (a read error, such
 * as EIO on a pty whose other side is gone, ends the stream too); null when nothing is there yet.
 */
export function readSome(sys: Syscalls, fd: Fd, buf: Uint8Array): number | null {
  try {
    return sys.read(fd, buf);
  } catch (e) {
    if (isErrno(e, 'EAGAIN') || isErrno(e, 'EINTR')) return null;
    return 0;
  }
}
