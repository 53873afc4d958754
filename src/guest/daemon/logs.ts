// Reading a container's json-file log (docker logs, attach's replay, build output): whole, or
// from a byte offset for a follower. The shim writes it; dockerd only reads.

import type { Syscalls } from '../sys/syscalls.ts';
import { utf8Decode } from '../util/text.ts';

export type LogEntry = { log: string; stream: string; time: string };

/** Every entry of the log (none when it is not there yet). */
export function readLog(sys: Syscalls, path: string): LogEntry[] {
  let text = '';
  try {
    text = utf8Decode(sys.readFile(path));
  } catch {
    return [];
  }
  return logEntries(text);
}

/** The complete lines after offset, and the offset after them (a half-written line waits). */
export function readLogFrom(sys: Syscalls, path: string, offset: number): { entries: LogEntry[]; next: number } {
  let bytes: Uint8Array;
  try {
    bytes = sys.readFile(path);
  } catch {
    return { entries: [], next: offset };
  }
  const slice = bytes.subarray(offset);
  const lastNl = slice.lastIndexOf(10);
  if (lastNl < 0) return { entries: [], next: offset };
  const text = utf8Decode(slice, 0, lastNl + 1);
  return { entries: logEntries(text), next: offset + lastNl + 1 };
}

/**
 * json-file lines. A line the shim could write only in part (the disk filled up) is skipped, as
 * Docker's reader skips a torn entry, rather than making the whole log unreadable.
 */
function logEntries(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const l of text.split('\n')) {
    if (l === '') continue;
    try {
      out.push(JSON.parse(l) as LogEntry);
    } catch {
      // torn
    }
  }
  return out;
}
