// The control agent's side of the app's "Engine chain" view: turns the runtime's chain trace on
// and off (the switch file that every new process looks at, and SIGUSR2 to the running dockerd)
// and hands the host the lines written since its last read, all inside the agent's process: a
// read is one stat and one read, no process starts, so polling it once a second is affordable.
import type { Syscalls } from '../sys/syscalls.ts';
import { O_CLOEXEC, O_RDONLY, O_WRONLY } from '../sys/constants.ts';
import { SIGUSR2, TRACE_SWITCH } from '../sys/trace.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';

export const CHAIN_TRACE = '/var/run/whalebone-chain.trace';
const DOCKERD_PIDFILE = '/var/run/docker.pid';
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
/** Most of the file one answer carries (the rest comes with the next read). */
const MAX_READ = 256 * 1024;

export type ChainOp = 'on' | 'off' | 'read';

export interface ChainAnswer {
  on: boolean;
  /** Whole lines written since the last read. */
  text: string;
}

export class ChainTrace {
  private offset = 0;
  constructor(private readonly sys: Syscalls) {}

  handle(op: ChainOp): ChainAnswer {
    if (op === 'on') return this.on();
    if (op === 'off') return this.off();
    return this.read();
  }

  private on(): ChainAnswer {
    // an empty file, then the switch: processes that start from now on append to it
    writeText(this.sys, CHAIN_TRACE, '');
    writeText(this.sys, TRACE_SWITCH, `${CHAIN_TRACE} chain\n`);
    this.offset = 0;
    this.nudgeDockerd();
    return { on: true, text: '' };
  }

  private off(): ChainAnswer {
    for (const p of [TRACE_SWITCH, CHAIN_TRACE]) {
      try {
        this.sys.unlink(p);
      } catch {
        // not there
      }
    }
    this.offset = 0;
    this.nudgeDockerd();
    return { on: false, text: '' };
  }

  private read(): ChainAnswer {
    const on = this.sys.statOrNull(TRACE_SWITCH) !== null;
    const st = this.sys.statOrNull(CHAIN_TRACE);
    if (!st) return { on, text: '' };
    // the file was emptied by someone else (a second page's "on"): start over
    if (st.size < this.offset) this.offset = 0;
    if (st.size === this.offset) return { on, text: '' };
    const want = Math.min(st.size - this.offset, MAX_READ);
    const buf = new Uint8Array(want);
    const fd = this.sys.open(CHAIN_TRACE, O_RDONLY | O_CLOEXEC);
    let got = 0;
    try {
      // pread is not in Syscalls: skip to the offset in pieces (the file is small and on tmpfs)
      const skip = new Uint8Array(Math.min(this.offset, 65536));
      for (let left = this.offset; left > 0; ) {
        const n = this.sys.read(fd, skip.subarray(0, Math.min(left, skip.length)));
        if (n <= 0) break;
        left -= n;
      }
      while (got < want) {
        const n = this.sys.read(fd, buf.subarray(got));
        if (n <= 0) break;
        got += n;
      }
    } finally {
      this.sys.close(fd);
    }
    // whole lines only: a process may be half way through its write
    let end = got;
    while (end > 0 && buf[end - 1] !== 10) end--;
    this.offset += end;
    return { on, text: utf8Decode(buf.subarray(0, end)) };
  }

  /** dockerd runs for ever: SIGUSR2 makes it read the switch again (sys/trace.ts). */
  private nudgeDockerd(): void {
    try {
      const pid = Number(utf8Decode(this.sys.readFile(DOCKERD_PIDFILE)).trim());
      if (Number.isInteger(pid) && pid > 1) this.sys.kill(pid, SIGUSR2);
    } catch {
      // no daemon running: the next one reads the switch at start
    }
  }
}

function writeText(sys: Syscalls, path: string, text: string): void {
  const fd = sys.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644);
  try {
    if (text) sys.write(fd, utf8Encode(text));
  } finally {
    sys.close(fd);
  }
}
