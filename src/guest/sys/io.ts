// Small helpers over Syscalls for whole writes and text.
import type { Fd, Syscalls } from './syscalls.ts';
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
