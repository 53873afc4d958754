// Timestamped syscall tracing for profiling: with WB_TRACE=<file> in the environment, every
// Syscalls call (and every event-loop callback) of the process is recorded as one line
//   <monotonic ms> <pid> <role> <call>(<args>) <duration ms> [<errno>]
// Lines of all processes share one clock (CLOCK_MONOTONIC), so a whole `docker run` (CLI, dockerd,
// shim, container init) reads as one timeline. Entries are kept raw in memory and formatted when
// written out (before exit and execve, and in dockerd a second after activity), so tracing
// costs little beside the calls it times. Without the variable nothing is wrapped: no cost.
import { SyscallError, callText } from './errors.ts';
import { encodeUtf8 } from './utf8.ts';
import type { Syscalls } from './syscalls.ts';

const O_WRONLY = 0o1;
const O_CREAT = 0o100;
const O_APPEND = 0o2000;
const O_CLOEXEC = 0o2000000;
const F_DUPFD_CLOEXEC = 1030;

/** Calls not worth a line each (clock reads, the trace's own bookkeeping). */
const QUIET = new Set(['monotonicMs', 'getenv', 'getpid']);

/** Records a named moment (e.g. "start", "exit 0") in the trace. */
export interface Tracer {
  mark(what: string): void;
  /** Writes the recorded entries out (before the process ends). */
  flush(): void;
}

const NO_TRACER: Tracer = { mark: () => undefined, flush: () => undefined };
let current: Tracer = NO_TRACER;

/** The process's tracer (a no-op unless traced() wrapped its Syscalls). */
export function tracer(): Tracer {
  return current;
}

/** An argument as callText can show it (it JSON-encodes objects, which fails on bigints). */
function printable(a: unknown): unknown {
  if (typeof a === 'function') return 'fn';
  if (a instanceof Uint8Array) return a;
  if (a === null || typeof a !== 'object' || Array.isArray(a)) return a;
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'bigint' ? `0x${v.toString(16)}` : v]));
}

/** One recorded event: its time, then either a text or a call with its arguments. */
interface Entry {
  t: number;
  pid: number;
  text?: string;
  call?: string;
  args?: unknown[];
  dur?: number;
  err?: string;
}

function format(e: Entry, role: string): string {
  let body = e.text ?? '';
  if (e.call !== undefined) {
    const c = callText(e.call, (e.args ?? []).map((a) => (a instanceof Uint8Array ? a : printable(a))));
    body = `${c.length > 160 ? `${c.slice(0, 157)}...` : c}${e.dur === undefined ? ' ...' : ` ${e.dur.toFixed(2)}`}${e.err ?? ''}`;
  }
  return `${e.t.toFixed(2)} ${e.pid} ${role} ${body}\n`;
}

/** Returns sys itself, or a tracing wrapper of it when WB_TRACE names a file. */
export function traced(sys: Syscalls, role: string): Syscalls {
  const file = sys.getenv('WB_TRACE');
  if (!file) return sys;
  let fd: number;
  try {
    // kept far above the low descriptors that roles dup2 onto (a shim's status pipe is fd 3)
    const low = sys.open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644);
    fd = sys.fcntl(low, F_DUPFD_CLOEXEC, 400);
    sys.close(low);
  } catch {
    return sys;
  }
  let pid = sys.getpid();
  let entries: Entry[] = [];
  let flushTimer: unknown = null;
  const flush = (): void => {
    if (entries.length === 0) return;
    const text = entries.map((e) => format(e, role)).join('');
    entries = [];
    try {
      sys.write(fd, encodeUtf8(text));
    } catch {
      // the trace file went away: keep running untraced
    }
  };
  // a daemon never exits: write its entries out once it has been idle for a moment
  const later = (): void => {
    if (role !== 'dockerd' || flushTimer !== null) return;
    flushTimer = sys.setTimer(1000, () => {
      flushTimer = null;
      flush();
    });
  };
  const add = (e: Entry): void => {
    entries.push(e);
    if (entries.length > 5000) flush();
  };
  current = { mark: (what) => add({ t: sys.monotonicMs(), pid, text: `# ${what}` }), flush };
  const wrapCallback = (name: string, fn: unknown): unknown => {
    if (typeof fn !== 'function') return fn;
    return (...a: unknown[]) => {
      const t0 = sys.monotonicMs();
      add({ t: t0, pid, text: `> ${name}` });
      try {
        return (fn as (...x: unknown[]) => unknown)(...a);
      } finally {
        const t1 = sys.monotonicMs();
        add({ t: t1, pid, text: `< ${name} ${(t1 - t0).toFixed(2)}` });
        later();
      }
    };
  };
  return new Proxy(sys, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof v !== 'function' || typeof key !== 'string' || QUIET.has(key)) return v;
      const f = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (key === 'watch') args[2] = wrapCallback(`watch fd ${String(args[0])} ${String(args[1])}`, args[2]);
        else if (key === 'onSignal') args[1] = wrapCallback(`signal ${String(args[0])}`, args[1]);
        else if (key === 'setTimer') args[1] = wrapCallback(`timer ${String(args[0])}ms`, args[1]);
        const t0 = sys.monotonicMs();
        if (key === 'execve' || key === 'exit') {
          // these do not return when they succeed: their entry goes first, and everything out
          add({ t: t0, pid, call: key, args });
          flush();
        }
        const e: Entry = { t: t0, pid, call: key, args };
        try {
          const r = f.apply(target, args);
          if (key === 'fork' && r === 0) {
            pid = sys.getpid();
            entries = []; // the parent writes what came before
            flushTimer = null;
          }
          return r;
        } catch (err) {
          e.err = err instanceof SyscallError ? ` ${err.code}` : ' throw';
          throw err;
        } finally {
          e.dur = sys.monotonicMs() - t0;
          if (key === 'fork' && e.pid !== pid) e.pid = pid;
          add(e);
        }
      };
    },
  });
}
