// Timestamped syscall tracing. Every recorded call (and, in the full mode, every event-loop
// callback) of the process becomes one line
//   <monotonic ms> <pid> <role> <call>(<args>)[ -> <result>] <duration ms> [<errno>]
// Lines of all processes share one clock (CLOCK_MONOTONIC), so a whole `docker run` (CLI, dockerd,
// shim, container init) reads as one timeline. Entries are kept raw in memory and formatted when
// written out (before exit and execve, and a second after activity), so tracing costs little
// beside the calls it times.
//
// Two ways to turn it on:
// - WB_TRACE=<file> in the environment: every call (profiling, scripts/trace-engine.ts).
// - The switch file (TRACE_SWITCH, written by the control agent for the app's "Engine chain"
//   view): "<file> chain" records only the calls that tell the engine's story (process starts,
//   namespaces, mounts, cgroup writes, execve). Every process looks at the switch once at start
//   (one stat); dockerd, which runs for ever, looks again when it gets SIGUSR2.
// WB_TRACE=off keeps a process out of both: the VM driver's JIT warm-up runs its commands so,
// since a learner who opens the chain view should see only what they typed.
// Tracing wraps the Syscalls object's own methods in place (own properties shadowing the class's),
// so turning it off deletes them and leaves the object as it was: no cost at all when off.
import { SyscallError, callText } from './errors.ts';
import { encodeUtf8 } from './utf8.ts';
import type { Syscalls } from './syscalls.ts';

const O_RDONLY = 0;
const O_WRONLY = 0o1;
const O_CREAT = 0o100;
const O_APPEND = 0o2000;
const O_CLOEXEC = 0o2000000;
const F_DUPFD_CLOEXEC = 1030;
export const SIGUSR2 = 12;

/** Holds "<trace file> [chain]" while the app's engine chain view is open. */
export const TRACE_SWITCH = '/var/run/whalebone-trace';

/** Calls not worth a line each (clock reads, the trace's own bookkeeping). */
const QUIET = new Set(['monotonicMs', 'getenv', 'getpid', 'constructor']);

/** The chain mode's calls: what a learner follows from `docker run` to the container's execve. */
const CHAIN_CALLS = new Set(['fork', 'spawn', 'unshare', 'setns', 'execve', 'exit', 'kill', 'mount', 'umount2', 'pivotRoot', 'chroot', 'sethostname', 'writeFile', 'mkdir', 'rmdir']);
/** In the chain mode, file calls count only for these paths (cgroups, user namespace maps). */
const CHAIN_PATHS = /^\/sys\/fs\/cgroup\/|\/(uid_map|gid_map|setgroups)$/;
const FILE_CALLS = new Set(['writeFile', 'mkdir', 'rmdir']);

export type TraceMode = 'full' | 'chain';

/** WB_TRACE's value that keeps a process untraced whatever the switch says. */
export const TRACE_OFF = 'off';

/** Records a named moment (e.g. "start", "exit 0") in the trace. */
export interface Tracer {
  mark(what: string): void;
  /** Writes the recorded entries out (before the process ends). */
  flush(): void;
  /** The trace file's descriptor (code that closes every other descriptor keeps it), or -1. */
  fd: number;
}

const NO_TRACER: Tracer = { mark: () => undefined, flush: () => undefined, fd: -1 };
let current: Tracer = NO_TRACER;

/** The process's tracer (a no-op unless tracing is on). */
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
  ret?: number;
  dur?: number;
  err?: string;
}

function format(e: Entry, role: string, limit: number): string {
  let body = e.text ?? '';
  if (e.call !== undefined) {
    const c = callText(e.call, (e.args ?? []).map(printable));
    const ret = e.ret === undefined ? '' : ` -> ${e.ret}`;
    body = `${c.length > limit ? `${c.slice(0, limit - 3)}...` : c}${ret}${e.dur === undefined ? ' ...' : ` ${e.dur.toFixed(2)}`}${e.err ?? ''}`;
  }
  return `${e.t.toFixed(2)} ${e.pid} ${role} ${body}\n`;
}

/** What the switch file asks for, or null when it is absent or empty (one stat when absent). */
export function readSwitch(sys: Syscalls): { file: string; mode: TraceMode } | null {
  if (!sys.statOrNull(TRACE_SWITCH)) return null;
  let text = '';
  try {
    const fd = sys.open(TRACE_SWITCH, O_RDONLY | O_CLOEXEC);
    try {
      const buf = new Uint8Array(512);
      const n = sys.read(fd, buf);
      for (let i = 0; i < n; i++) text += String.fromCharCode(buf[i]!);
    } finally {
      sys.close(fd);
    }
  } catch {
    return null;
  }
  const [file, mode] = text.trim().split(/\s+/);
  if (!file || !file.startsWith('/')) return null;
  return { file, mode: mode === 'full' ? 'full' : 'chain' };
}

/** The methods a tracer wraps: every function the object's class chain defines. */
function methodNames(sys: Syscalls): string[] {
  const names = new Set<string>();
  for (let p: object | null = Object.getPrototypeOf(sys) as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (!QUIET.has(k)) names.add(k);
  }
  return [...names];
}

interface Installed {
  names: string[];
  flush: () => void;
  fd: number;
}
const installed = new WeakMap<Syscalls, Installed>();

/** Stops tracing sys: writes what is recorded, closes the file and restores the methods. */
export function untrace(sys: Syscalls): void {
  const t = installed.get(sys);
  if (!t) return;
  t.flush();
  const own = sys as unknown as Record<string, unknown>;
  for (const k of t.names) delete own[k];
  installed.delete(sys);
  current = NO_TRACER;
  try {
    sys.close(t.fd);
  } catch {
    // closed already
  }
}

/** Starts tracing sys into file (appending); false when the file cannot be opened. */
export function traceInto(sys: Syscalls, role: string, file: string, mode: TraceMode): boolean {
  untrace(sys);
  let fd: number;
  try {
    // kept far above the low descriptors that roles dup2 onto (a shim's status pipe is fd 3)
    const low = sys.open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644);
    fd = sys.fcntl(low, F_DUPFD_CLOEXEC, 400);
    sys.close(low);
  } catch {
    return false;
  }
  const raw = sys as unknown as Record<string, (...a: unknown[]) => unknown>;
  // the unwrapped methods, for the tracer's own calls
  const call = (name: string, ...a: unknown[]): unknown => (Object.getPrototypeOf(sys) as Record<string, (...x: unknown[]) => unknown>)[name]!.apply(sys, a);
  const now = (): number => call('monotonicMs') as number;
  const limit = mode === 'chain' ? 400 : 160;
  let pid = call('getpid') as number;
  let entries: Entry[] = [];
  let flushTimer: unknown = null;
  let depth = 0;
  const flush = (): void => {
    if (entries.length === 0) return;
    const text = entries.map((e) => format(e, role, limit)).join('');
    entries = [];
    try {
      call('write', fd, encodeUtf8(text));
    } catch {
      // the trace file went away: keep running, untraced in effect
    }
  };
  // long-lived processes (dockerd, a detached container's shim) write their entries out once
  // they have been idle for a moment; a process that ends flushes on its way out
  const later = (): void => {
    if (flushTimer !== null) return;
    flushTimer = call('setTimer', 1000, () => {
      flushTimer = null;
      flush();
    });
  };
  const add = (e: Entry): void => {
    entries.push(e);
    if (entries.length > 5000) flush();
    else later();
  };
  current = { mark: (what) => add({ t: now(), pid, text: `# ${what}` }), flush, fd };
  const wrapCallback = (name: string, fn: unknown): unknown => {
    if (typeof fn !== 'function') return fn;
    return (...a: unknown[]) => {
      const t0 = now();
      add({ t: t0, pid, text: `> ${name}` });
      try {
        return (fn as (...x: unknown[]) => unknown)(...a);
      } finally {
        const t1 = now();
        add({ t: t1, pid, text: `< ${name} ${(t1 - t0).toFixed(2)}` });
      }
    };
  };
  const wanted = (key: string, args: unknown[]): boolean => {
    if (mode === 'full') return true;
    if (!CHAIN_CALLS.has(key)) return false;
    return !FILE_CALLS.has(key) || (typeof args[0] === 'string' && CHAIN_PATHS.test(args[0]));
  };
  const names = methodNames(sys).filter((k) => typeof raw[k] === 'function' && (mode === 'full' || CHAIN_CALLS.has(k)));
  for (const key of names) {
    const f = (Object.getPrototypeOf(sys) as Record<string, (...a: unknown[]) => unknown>)[key] ?? raw[key]!;
    Object.defineProperty(sys, key, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]): unknown => {
        // calls the runtime makes inside another call (fork opens /proc/self/ns/pid) are the
        // outer call's business
        if (depth > 0 || !wanted(key, args)) return f.apply(sys, args);
        if (mode === 'full') {
          if (key === 'watch') args[2] = wrapCallback(`watch fd ${String(args[0])} ${String(args[1])}`, args[2]);
          else if (key === 'onSignal') args[1] = wrapCallback(`signal ${String(args[0])}`, args[1]);
          else if (key === 'setTimer') args[1] = wrapCallback(`timer ${String(args[0])}ms`, args[1]);
        }
        const t0 = now();
        if (key === 'execve' || key === 'exit') {
          // these do not return when they succeed: their entry goes first, and everything out
          add({ t: t0, pid, call: key, args });
          flush();
        }
        const e: Entry = { t: t0, pid, call: key, args };
        depth++;
        try {
          const r = f.apply(sys, args);
          if (key === 'fork') {
            if (r === 0) {
              pid = call('getpid') as number;
              // in a new pid namespace we are 1 there; the host's number (our /proc is still
              // the host's) keeps the lines of several containers apart
              if (pid === 1) {
                try {
                  pid = Number(call('readlink', '/proc/self')) || 1;
                } catch {
                  // no /proc: 1 it is
                }
              }
              entries = []; // the parent writes what came before
              flushTimer = null;
            } else e.ret = r as number;
          } else if (key === 'spawn') e.ret = r as number;
          return r;
        } catch (err) {
          e.err = err instanceof SyscallError ? ` ${err.code}` : ' throw';
          throw err;
        } finally {
          depth--;
          if (key !== 'execve' && key !== 'exit') {
            e.dur = now() - t0;
            e.pid = pid;
            add(e);
          }
        }
      },
    });
  }
  installed.set(sys, { names, flush, fd });
  return true;
}

/** WB_TRACE when set (a trace file, or TRACE_OFF): then the switch changes nothing for this process. */
function traceEnv(sys: Syscalls): string | null {
  return sys.getenv('WB_TRACE') || null;
}

/**
 * Turns tracing on for this process when WB_TRACE or the switch file asks for it, and returns
 * sys (traced in place, or untouched).
 */
export function traced(sys: Syscalls, role: string): Syscalls {
  const env = traceEnv(sys);
  if (env === TRACE_OFF) return sys;
  if (env) {
    traceInto(sys, role, env, 'full');
    return sys;
  }
  const sw = readSwitch(sys);
  if (sw) traceInto(sys, role, sw.file, sw.mode);
  return sys;
}

/**
 * For a process that runs for ever (dockerd): SIGUSR2 makes it read the switch again and start or
 * stop tracing, so the app's chain view needs no daemon restart. The handler costs nothing until
 * the signal comes.
 */
export function followTraceSwitch(sys: Syscalls, role: string): void {
  sys.onSignal(SIGUSR2, () => {
    // traced by WB_TRACE (profiling) or kept out by it: the switch changes nothing, so no mark
    if (traceEnv(sys)) return;
    if (followSwitchNow(sys, role)) tracer().mark(`tracing on (pid ${String(sys.getpid())})`);
  });
}

/**
 * Traces or stops tracing as the switch says now (a process started earlier, then put to work:
 * dockerd on SIGUSR2, a standby shim given its container). Returns whether it traces.
 */
export function followSwitchNow(sys: Syscalls, role: string): boolean {
  // traced for profiling from the start, or kept out: the switch changes nothing
  const env = traceEnv(sys);
  if (env) return env !== TRACE_OFF;
  const sw = readSwitch(sys);
  if (!sw) {
    untrace(sys);
    return false;
  }
  return traceInto(sys, role, sw.file, sw.mode);
}
