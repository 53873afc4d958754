// The engine chain view's model: condenses the runtime's trace lines (src/guest/sys/trace.ts,
// "<ms> <pid> <role> <body>") into a timeline a learner can read: one run per docker command,
// with the API requests the CLI sent, the processes that started (dockerd's shim, runc's init),
// the namespaces they made (clone/unshare flags decoded), the mounts, the cgroup writes and the
// container's execve, each at its time since the command started.

/** One raw trace line. */
export interface TraceLine {
  t: number;
  pid: number;
  role: string;
  body: string;
}

export type ChainKind = 'process' | 'request' | 'namespace' | 'mount' | 'cgroup' | 'exec' | 'signal' | 'runtime';

export interface ChainEvent {
  /** ms since the run's command started. */
  at: number;
  pid: number;
  /** Who did it: "docker", "dockerd", "containerd-shim", "runc", "container init". */
  actor: string;
  kind: ChainKind;
  /** What happened, in words and call names a learner can look up. */
  text: string;
  /** The call as traced, when the text is a summary of one. */
  call?: string;
  /** The errno when the call failed. */
  error?: string;
}

export interface ChainRun {
  /** Absolute trace time (ms, guest monotonic clock) the command started at. */
  start: number;
  /** The command line, e.g. "docker run --rm busybox true". */
  command: string;
  events: ChainEvent[];
  /** The CLI's exit code once it ended. */
  exitCode: number | null;
  /** ms from start to the CLI's exit. */
  durationMs: number | null;
}

const LINE = /^(\d+(?:\.\d+)?) (\d+) (\S+) (.*)$/;

/** Parses trace text; lines that are not trace lines (a half line, noise) are skipped. */
export function parseTrace(text: string): TraceLine[] {
  const out: TraceLine[] = [];
  for (const l of text.split('\n')) {
    const m = LINE.exec(l);
    if (m) out.push({ t: Number(m[1]), pid: Number(m[2]), role: m[3]!, body: m[4]! });
  }
  return out;
}

/** clone(2)/unshare(2) namespace flags, in the order `man 7 namespaces` lists them. */
export const CLONE_FLAGS: readonly [number, string][] = [
  [0x02000000, 'CLONE_NEWCGROUP'],
  [0x08000000, 'CLONE_NEWIPC'],
  [0x40000000, 'CLONE_NEWNET'],
  [0x00020000, 'CLONE_NEWNS'],
  [0x20000000, 'CLONE_NEWPID'],
  [0x00000080, 'CLONE_NEWTIME'],
  [0x10000000, 'CLONE_NEWUSER'],
  [0x04000000, 'CLONE_NEWUTS'],
];

/** "CLONE_NEWIPC|CLONE_NEWNS|..." for a flags word; bits it does not name stay as hex. */
export function cloneFlagNames(flags: number): string {
  const names: string[] = [];
  let rest = flags >>> 0;
  for (const [bit, name] of CLONE_FLAGS) {
    if (rest & bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names.length ? names.join('|') : '0';
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 28: 'SIGWINCH' };

const HTTP_STATUS: Record<number, string> = {
  101: 'Switching Protocols', 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request',
  404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error',
};

const MS_RDONLY = 0x1;
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const MS_PROPAGATION = 0x20000 | 0x40000 | 0x80000 | 0x100000; // unbindable, private, slave, shared
const MS_REMOUNT = 0x20;

/** A traced call split into its name, arguments (parsed where they are JSON), result and errno. */
export interface TracedCall {
  name: string;
  args: unknown[];
  /** The argument text was cut (long calls end in "..."): later arguments may be missing. */
  cut: boolean;
  ret: number | null;
  error: string | null;
  raw: string;
}

/** Splits "a, [b, c], {"d": 1}" at its top-level commas, minding strings. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inStr = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last || out.length) out.push(last);
  return out;
}

function argValue(text: string): unknown {
  if (text === 'undefined') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // a cut string keeps what was there
    if (text.startsWith('"')) return text.slice(1);
    return text;
  }
}

const CALL_TAIL = /^(.*?)(?: -> (-?\d+))? (\d+\.\d+|\.\.\.)(?: (E[A-Z0-9]+|throw))?$/;

/** The call on a trace line's body, or null for marks and callbacks. */
export function parseCall(body: string): TracedCall | null {
  const m = CALL_TAIL.exec(body);
  if (!m) return null;
  const head = m[1]!;
  const open = head.indexOf('(');
  if (open <= 0 || !/^\w+$/.test(head.slice(0, open))) return null;
  let inner = head.slice(open + 1);
  let cut = false;
  if (inner.endsWith(')')) inner = inner.slice(0, -1);
  else if (inner.endsWith('...')) {
    inner = inner.slice(0, -3);
    cut = true;
  } else return null;
  const parts = splitArgs(inner);
  return { name: head.slice(0, open), args: parts.map(argValue), cut, ret: m[2] === undefined ? null : Number(m[2]), error: m[4] ?? null, raw: head };
}

/** "/v1.47/containers/create?name=web" -> "/containers/create?name=web". */
function apiPath(p: string): string {
  return p.replace(/^\/v\d+\.\d+(?=\/)/, '');
}

/** Ids cut to 12 characters, as docker ps shows them; a container's root filesystem as <rootfs>. */
function short(s: string): string {
  return s.replace(/\/var\/lib\/docker\/overlay2\/[0-9a-f]{64}\/merged(?=\/)/g, '<rootfs>').replace(/[0-9a-f]{64}/g, (id) => id.slice(0, 12));
}

/** execve's and spawn's (path, argv): the path, then the arguments after argv[0]. */
function commandText(args: readonly unknown[]): string {
  const path = typeof args[0] === 'string' ? args[0] : '?';
  const argv = Array.isArray(args[1]) ? (args[1] as unknown[]).map(String) : [];
  return `${path}${argv.length > 1 ? ` ${short(argv.slice(1).join(' '))}` : ''}`;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

function cgroupText(c: TracedCall): string | null {
  const path = typeof c.args[0] === 'string' ? c.args[0] : '';
  if (!path.startsWith(`${CGROUP_ROOT}/`)) return null;
  const rel = short(path.slice(CGROUP_ROOT.length));
  if (c.name === 'mkdir') return `creates cgroup ${rel}`;
  if (c.name === 'rmdir') return `removes cgroup ${rel}`;
  const slash = rel.lastIndexOf('/');
  const group = rel.slice(0, slash) || '/';
  const file = rel.slice(slash + 1);
  const value = typeof c.args[1] === 'string' ? c.args[1].trim() : null;
  if (file === 'cgroup.procs') return `moves ${value === '0' || value === null ? 'itself' : `pid ${value}`} into cgroup ${group}`;
  return `cgroup ${group}: ${file} = ${value ?? '…'}`;
}

function mountText(c: TracedCall): string {
  const [source, target, fstype, flagsArg, data] = c.args;
  const flags = typeof flagsArg === 'number' ? flagsArg : 0;
  const on = typeof target === 'string' ? short(target) : '?';
  if (fstype === 'overlay') {
    const lower = typeof data === 'string' ? /lowerdir=([^,]*)/.exec(data)?.[1] : undefined;
    const layers = lower !== undefined && !(c.cut && !/,/.test(data as string)) ? lower.split(':').length : null;
    const upper = typeof data === 'string' && data.includes('upperdir=');
    return `mount overlay on ${on}${/\/merged$/.test(on) ? ', the container’s root filesystem' : ''}${layers !== null ? ` (${layers} read-only lower layer${layers === 1 ? '' : 's'}${upper ? ', a writable upper dir on top' : ''})` : ''}`;
  }
  if (flags & MS_BIND && flags & MS_REMOUNT) return `remount ${on}${flags & MS_RDONLY ? ' read-only' : ''}`;
  if (flags & MS_BIND) return source === target ? `bind mount ${on} onto itself` : `bind mount ${typeof source === 'string' ? short(source) : '?'} on ${on}`;
  if (flags & MS_PROPAGATION && !fstype) {
    const kind = flags & 0x40000 ? 'private' : flags & 0x80000 ? 'slave' : flags & 0x100000 ? 'shared' : 'unbindable';
    return `make ${on} ${kind}${flags & MS_REC ? ' (and everything below)' : ''}`;
  }
  if (flags & MS_REMOUNT) return `remount ${on}`;
  return `mount ${typeof fstype === 'string' ? fstype : typeof source === 'string' ? source : '?'} on ${on}`;
}

interface ProcState {
  actor: string;
  /** The shim's process after `runc create`: what it does is runc's work. */
  runc: boolean;
}

/** One event for a call, or null for calls the timeline does not show. */
function callEvent(c: TracedCall, p: ProcState, forks: Map<number, string>): { kind: ChainKind; text: string } | null {
  const a = c.args;
  switch (c.name) {
    case 'fork': {
      if (c.ret === null) return null;
      const flags = typeof a[0] === 'number' ? a[0] : 0;
      if (flags) {
        forks.set(c.ret, 'container init');
        return { kind: 'namespace', text: `clone(${cloneFlagNames(flags)}) → pid ${c.ret}: a process in new namespaces` };
      }
      forks.set(c.ret, p.actor);
      return { kind: 'process', text: `fork → pid ${c.ret}` };
    }
    case 'unshare':
      return { kind: 'namespace', text: `unshare(${cloneFlagNames(typeof a[0] === 'number' ? a[0] : 0)})` };
    case 'setns':
      return { kind: 'namespace', text: `setns(${cloneFlagNames(typeof a[1] === 'number' ? a[1] : 0)}): joins an existing namespace` };
    case 'execve':
      return { kind: 'exec', text: `execve ${commandText(a)}` };
    case 'spawn':
      // posix_spawn: a new process that runs path at once (dockerd starts shims this way)
      return { kind: 'exec', text: `spawn → pid ${c.ret ?? '?'}: ${commandText(a)}` };
    case 'mount':
      return { kind: 'mount', text: mountText(c) };
    case 'umount2':
      return { kind: 'mount', text: `umount ${typeof a[0] === 'string' ? short(a[0]) : '?'}` };
    case 'pivotRoot':
      return { kind: 'mount', text: 'pivot_root: the container’s root filesystem becomes /' };
    case 'chroot':
      return { kind: 'mount', text: `chroot ${String(a[0])}` };
    case 'sethostname':
      return { kind: 'namespace', text: `sethostname ${String(a[0])} (in its own UTS namespace)` };
    case 'kill': {
      const sig = typeof a[1] === 'number' ? a[1] : 0;
      return { kind: 'signal', text: `kill pid ${String(a[0])} with ${SIGNALS[sig] ?? `signal ${sig}`}` };
    }
    case 'writeFile':
    case 'mkdir':
    case 'rmdir': {
      const path = typeof a[0] === 'string' ? a[0] : '';
      const map = /\/(uid_map|gid_map|setgroups)$/.exec(path);
      if (map) return { kind: 'namespace', text: `user namespace: writes ${map[1]} (${typeof a[1] === 'string' ? a[1].trim() : '…'})` };
      const text = cgroupText(c);
      return text ? { kind: 'cgroup', text } : null;
    }
    default:
      return null;
  }
}

function argvOf(startBody: string): string[] {
  return startBody.slice('# start '.length).split(' ');
}

/** The command a `# start` mark names, without the binary's directory. */
function commandOf(argv: string[]): string {
  const words = [...argv];
  words[0] = (words[0] ?? '').split('/').pop() ?? '';
  if (words[0] === 'whalebone') words.shift();
  return words.join(' ');
}

const CLI_ROLES = new Set(['docker', 'docker-compose']);
/** Runs kept; older ones are dropped (a learner looks at the last few commands). */
export const MAX_RUNS = 8;
/** Lines kept; a run that makes more is cut at the start. */
const MAX_LINES = 20_000;

/**
 * Trace lines in, runs out. Lines arrive in pieces and out of order (each process writes its
 * own when it ends or goes idle): the log keeps them and orders them by time.
 */
export class ChainLog {
  private lines: TraceLine[] = [];

  add(text: string): void {
    const more = parseTrace(text);
    if (more.length === 0) return;
    this.lines.push(...more);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  clear(): void {
    this.lines = [];
  }

  get size(): number {
    return this.lines.length;
  }

  runs(): ChainRun[] {
    return condense(this.lines);
  }
}

/** Condenses trace lines (any order) into runs, oldest first, at most MAX_RUNS. */
export function condense(input: readonly TraceLine[]): ChainRun[] {
  const lines = [...input].sort((x, y) => x.t - y.t);
  const runs: ChainRun[] = [];
  const procs = new Map<number, ProcState>();
  /** pid -> who forked it (its actor until it execs something else). */
  const forks = new Map<number, string>();
  /** Requests the CLI sent and has no status for yet: "POST /containers/create" -> event. */
  const open = new Map<string, ChainEvent[]>();
  let run: ChainRun | null = null;
  const push = (l: TraceLine, e: Omit<ChainEvent, 'at' | 'pid'>): ChainEvent | null => {
    if (!run) return null;
    const ev: ChainEvent = { at: l.t - run.start, pid: l.pid, ...e };
    run.events.push(ev);
    return ev;
  };
  const proc = (l: TraceLine): ProcState => {
    let p = procs.get(l.pid);
    if (!p) {
      p = { actor: forks.get(l.pid) ?? l.role, runc: false };
      procs.set(l.pid, p);
    }
    return p;
  };

  for (const l of lines) {
    if (l.body.startsWith('# start ')) {
      const argv = argvOf(l.body);
      const cmd = commandOf(argv);
      procs.set(l.pid, { actor: l.role, runc: false });
      if (CLI_ROLES.has(l.role)) {
        run = { start: l.t, command: cmd, events: [], exitCode: null, durationMs: null };
        runs.push(run);
        open.clear();
        push(l, { actor: l.role, kind: 'process', text: `${cmd} starts (the CLI, pid ${l.pid})` });
      } else if (l.role === 'containerd-shim') {
        // a standby shim starting ahead of need: its line comes when it is given a container
        if (!argv.includes('--id')) continue;
        const id = argv[argv.indexOf('--id') + 1];
        push(l, { actor: l.role, kind: 'process', text: `containerd-shim starts${id && argv.includes('--id') ? ` for container ${id.slice(0, 12)}` : ''}` });
      } else if (l.role === 'dockerd') {
        push(l, { actor: l.role, kind: 'process', text: 'dockerd starts' });
      }
      continue;
    }
    const c = l.body.startsWith('# ') ? null : parseCall(l.body);
    // the child's half of a fork: its parent's line names it (and says who it is)
    if (c?.name === 'fork' && c.ret === null) continue;
    const p = proc(l);
    if (l.body.startsWith('# ')) {
      const mark = l.body.slice(2);
      let m: RegExpExecArray | null;
      if ((m = /^exit (-?\d+)$/.exec(mark))) {
        if (run && CLI_ROLES.has(l.role) && p.actor === l.role && run.exitCode === null && l.t >= run.start) {
          run.exitCode = Number(m[1]);
          run.durationMs = l.t - run.start;
        }
        push(l, { actor: p.actor, kind: 'process', text: `${p.actor} exits with ${m[1]}` });
      } else if ((m = /^http (\d{3}) (\S+) (\S+)$/.exec(mark))) {
        const key = `${m[2]} ${apiPath(m[3]!)}`;
        const ev = open.get(key)?.shift();
        if (ev && run) {
          const took = l.t - run.start - ev.at;
          ev.text = `${short(key)} → ${m[1]} ${HTTP_STATUS[Number(m[1])] ?? ''}`.trimEnd() + ` (${took < 10 ? took.toFixed(1) : Math.round(took)} ms)`;
          if (Number(m[1]) >= 400) ev.error = `HTTP ${m[1]}`;
        }
      } else if ((m = /^http (\S+) (\S+)$/.exec(mark))) {
        const key = `${m[1]} ${apiPath(m[2]!)}`;
        const ev = push(l, { actor: p.actor, kind: 'request', text: `${short(key)} → …` });
        if (ev) open.set(key, [...(open.get(key) ?? []), ev]);
      } else if ((m = /^api (\S+) (\S+)$/.exec(mark))) {
        // the daemon's side of a request the CLI's line already shows; others (curl, compose
        // without marks) get a line of their own
        const key = `${m[1]} ${apiPath(m[2]!)}`;
        const k = short(key);
        const fromCli = run?.events.some((e) => e.kind === 'request' && (e.text.startsWith(`${k} `) || e.text.startsWith(`${k}?`)));
        if (!fromCli) push(l, { actor: 'dockerd', kind: 'request', text: `dockerd receives ${k}` });
      } else if ((m = /^runc (create|exec) (\S+)$/.exec(mark))) {
        p.runc = true;
        push(l, { actor: 'runc', kind: 'runtime', text: `runc ${m[1]} ${m[2]!.slice(0, 12)} (in the shim's process)` });
      } else if (mark === 'runc init') {
        p.actor = 'container init';
        push(l, { actor: p.actor, kind: 'runtime', text: `runc init: pid ${l.pid} sets up the container from inside its namespaces` });
      }
      continue;
    }
    if (!c) continue;
    const actor = p.actor === 'containerd-shim' && p.runc ? 'runc' : p.actor;
    const e = callEvent(c, { ...p, actor }, forks);
    if (!e) continue;
    push(l, { actor, kind: e.kind, text: e.text, call: short(c.raw), ...(c.error ? { error: c.error } : {}) });
    // after an execve the pid runs another program: its next lines say who it is
    if (c.name === 'execve' && !c.error) procs.delete(l.pid);
  }
  return runs.slice(-MAX_RUNS);
}

/** "+12.3 ms", "+1.20 s" for a time since the run started. */
export function formatAt(ms: number): string {
  if (ms < 1000) return `+${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `+${(ms / 1000).toFixed(2)} s`;
}
