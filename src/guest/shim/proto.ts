// The shim's control socket (EXEC_ROOT/s/ID, given with --socket): how dockerd attaches to a container's stdio,
// starts it, runs exec processes in it and resizes its terminals. Every message is a frame with
// Docker's 8-byte stream header (type byte, three zeros, big-endian length), so output frames
// (types 1 and 2) go to a non-tty client unchanged.

import type { OciProcess } from '../runc/spec.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';

export const enum FrameType {
  /** client -> shim, first frame of every connection: a JSON Hello. */
  Hello = 0,
  Stdout = 1,
  Stderr = 2,
  /** shim -> client: JSON {ExitCode} when the process ended; the shim closes after it. */
  Exit = 3,
  /** client -> shim: bytes for the process's stdin. */
  Stdin = 4,
  /** client -> shim: the client's stdin ended (closes the process's stdin when it was asked to). */
  StdinClose = 5,
  /** shim -> client: JSON {Pid} once started (start, exec). */
  Started = 6,
  /** shim -> client: JSON {message, exitCode}; the shim closes after it. */
  Error = 7,
}

export type Hello =
  /** Streams the container's output from now on; stdin frames go to the container's stdin. */
  | { op: 'attach'; stdin: boolean; stdout: boolean; stderr: boolean }
  /** Releases the created container (runc start). Answered by Started or Error. */
  | { op: 'start' }
  /** Runs a process in the container; streams its stdio as an attach does, then Exit. */
  | { op: 'exec'; execId: string; process: OciProcess; stdin: boolean; detach: boolean }
  /** Sets the terminal size of the container (no execId) or of an exec process. */
  | { op: 'resize'; execId?: string; h: number; w: number };

export function encodeFrame(type: number, payload: Uint8Array | string = new Uint8Array(0)): Uint8Array {
  const p = typeof payload === 'string' ? utf8Encode(payload) : payload;
  const out = new Uint8Array(8 + p.length);
  out[0] = type;
  const n = p.length;
  out[4] = (n >>> 24) & 0xff;
  out[5] = (n >>> 16) & 0xff;
  out[6] = (n >>> 8) & 0xff;
  out[7] = n & 0xff;
  out.set(p, 8);
  return out;
}

export function jsonFrame(type: number, value: unknown): Uint8Array {
  return encodeFrame(type, JSON.stringify(value));
}

export function frameJson<T>(payload: Uint8Array): T {
  return JSON.parse(utf8Decode(payload)) as T;
}

/** Cuts a byte stream into frames as bytes arrive. */
export class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  push(b: Uint8Array): { type: number; payload: Uint8Array }[] {
    if (b.length) {
      const nb = new Uint8Array(this.buf.length + b.length);
      nb.set(this.buf);
      nb.set(b, this.buf.length);
      this.buf = nb;
    }
    const out: { type: number; payload: Uint8Array }[] = [];
    let off = 0;
    while (this.buf.length - off >= 8) {
      const n = ((this.buf[off + 4]! << 24) | (this.buf[off + 5]! << 16) | (this.buf[off + 6]! << 8) | this.buf[off + 7]!) >>> 0;
      if (this.buf.length - off < 8 + n) break;
      out.push({ type: this.buf[off]!, payload: this.buf.slice(off + 8, off + 8 + n) });
      off += 8 + n;
    }
    if (off) this.buf = this.buf.slice(off);
    return out;
  }
  get pending(): number {
    return this.buf.length;
  }
}

/**
 * Docker's --detach-keys: "ctrl-p,ctrl-q" (the default), "ctrl-a,x"... as bytes. Throws on a
 * key Docker rejects.
 */
export function parseDetachKeys(spec: string): number[] {
  if (spec === '') return [];
  return spec.split(',').map((k) => {
    const key = k.trim();
    if (/^ctrl-[a-z@\[\\\]^_]$/i.test(key)) {
      const c = key.slice(5);
      if (/[a-z]/i.test(c)) return c.toLowerCase().charCodeAt(0) - 96;
      return { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 }[c]!;
    }
    if (key.length === 1) return key.charCodeAt(0);
    throw new Error(`Invalid detach keys (${spec}) provided`);
  });
}

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/**
 * Watches input for the detach sequence. push() returns the bytes to pass on (a partial match
 * is held back until it fails) and whether the sequence was completed.
 */
export class DetachWatcher {
  private held: number[] = [];
  constructor(private keys: number[]) {}
  push(b: Uint8Array): { pass: Uint8Array; detach: boolean } {
    if (this.keys.length === 0) return { pass: b, detach: false };
    const out: number[] = [];
    for (const byte of b) {
      if (byte === this.keys[this.held.length]) {
        this.held.push(byte);
        if (this.held.length === this.keys.length) return { pass: Uint8Array.from(out), detach: true };
        continue;
      }
      out.push(...this.held);
      this.held = [];
      if (byte === this.keys[0]) this.held.push(byte);
      else out.push(byte);
    }
    return { pass: Uint8Array.from(out), detach: false };
  }
}

/** What the shim writes to --exit-file when its container ends; dockerd reads it (also after its own restart). */
export interface ExitRecord {
  ExitCode: number;
  FinishedAt: string;
  OOMKilled: boolean;
  Error: string;
}

/**
 * The shim's status lines to dockerd on --status-fd: "created PID" (waiting for the start on the
 * socket), "error JSON" (creation failed), "exited CODE". "started PID" is dockerd's own summary
 * of a release answered with FrameType.Started.
 */
export type StatusLine =
  | { kind: 'created'; pid: number }
  | { kind: 'started'; pid: number }
  | { kind: 'error'; message: string; exitCode: number }
  | { kind: 'exited'; code: number };

export function formatStatus(s: StatusLine): string {
  switch (s.kind) {
    case 'created':
    case 'started':
      return `${s.kind} ${s.pid}`;
    case 'error':
      return `error ${JSON.stringify({ message: s.message, exitCode: s.exitCode })}`;
    case 'exited':
      return `exited ${s.code}`;
  }
}

/** null for an empty line (the pipe closed) or one that is none of the above. */
export function parseStatus(line: string): StatusLine | null {
  const sp = line.indexOf(' ');
  const word = sp < 0 ? line : line.slice(0, sp);
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  if (word === 'created' || word === 'started') return { kind: word, pid: Number(rest) };
  if (word === 'exited') return { kind: 'exited', code: Number(rest) };
  if (word === 'error') {
    const e = JSON.parse(rest) as { message: string; exitCode: number };
    return { kind: 'error', message: e.message, exitCode: e.exitCode };
  }
  return null;
}
