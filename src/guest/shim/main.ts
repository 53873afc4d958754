// containerd-shim: one per container. It creates the container through the runtime, owns its
// stdio (a pty when the container has a terminal, else pipes), writes Docker's json-file log,
// serves attach, start, exec and resize on its control socket (--socket, see proto.ts),
// reaps the container and its exec processes as a subreaper, records the exit status in a file
// dockerd reads (so it survives a dockerd restart), then deletes the container.
//
// containerd-shim --id ID --bundle DIR --root RUNC_ROOT --log FILE --exit-file FILE
//                 [--status-fd N] [--socket PATH] [--stdin] [--stdin-once]
// Status lines on --status-fd: "created PID" (waiting for a start on the socket), "error JSON",
// "exited CODE".

import { readSome, writeAll } from '../sys/io.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import {
  AF_UNIX, O_APPEND, O_CLOEXEC, O_CREAT, O_NONBLOCK, O_RDWR, O_WRONLY, PR_SET_CHILD_SUBREAPER, SIGCHLD, SOCK_CLOEXEC,
  SOCK_NONBLOCK, SOCK_STREAM, F_GETFL, F_SETFL,
} from '../sys/constants.ts';
import { errorText, isErrno } from '../sys/errors.ts';
import { reapEnded } from '../sys/wait.ts';
import { Runtime, RuntimeError } from '../runc/runtime.ts';
import { parseSpec, type OciSpec } from '../runc/spec.ts';
import { giveTerminal, openContainerPty } from '../runc/console.ts';
import { readText, writeFileAtomic } from '../util/fsutil.ts';
import { parseFlags, type CommandSpec } from '../util/flags.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';
import { encodeFrame, formatStatus, FrameReader, FrameType, frameJson, jsonFrame, type ExitRecord, type Hello } from './proto.ts';
import { Outbox } from './outbox.ts';
import { awaitTask } from './standby.ts';

const SPEC: CommandSpec = {
  path: 'containerd-shim',
  usage: '--id ID --bundle DIR --root DIR --log FILE --exit-file FILE',
  description: 'Runs one container and keeps its stdio, log and exit status',
  flags: [
    { name: 'id', kind: 'string', help: 'container id' },
    { name: 'bundle', kind: 'string', help: 'OCI bundle' },
    { name: 'root', kind: 'string', help: 'runc state root', default: '/run/docker/runtime-runc' },
    { name: 'log', kind: 'string', help: 'json-file log path' },
    { name: 'exit-file', kind: 'string', help: 'where the exit status is written' },
    { name: 'status-fd', kind: 'int', help: 'pipe to dockerd: "created PID", "error MSG", "exited CODE" lines', default: 3 },
    { name: 'socket', kind: 'string', help: 'control socket path (attach, start, exec, resize)' },
    { name: 'stdin', kind: 'bool', help: 'keep the container\'s stdin open for attach (docker run -i)' },
    { name: 'stdin-once', kind: 'bool', help: 'close the container\'s stdin when the first attached client closes its own' },
  ],
  maxArgs: 0,
};


/** One json-file log line, as Docker's json-file driver writes it. */
export function logLine(stream: 'stdout' | 'stderr', text: string, time: Date): string {
  // RFC 3339 with nanoseconds, as Go writes it
  return JSON.stringify({ log: text, stream, time: time.toISOString().replace(/Z$/, '000000Z') }) + '\n';
}

/** Splits output into lines (keeping "\n"), holding back an unfinished tail. */
export class LineSplitter {
  private rest = '';
  push(text: string): string[] {
    const all = this.rest + text;
    const parts = all.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.map((p) => `${p}\n`);
  }
  flush(): string[] {
    const r = this.rest;
    this.rest = '';
    return r ? [r] : [];
  }
}

/**
 * Not async on purpose: QuickJS's std rejection tracker (as main.c installs it) exits the process
 * on a promise rejected before a handler is attached, which an async function that throws does.
 */
export function shimMain(argv: string[], sys: Syscalls): Promise<number> {
  try {
    if (argv.length === 1 && argv[0] === '--standby') {
      const task = awaitTask(sys);
      return task ? shimRun(task.argv, sys) : Promise.resolve(0);
    }
    return shimRun(argv, sys);
  } catch (e) {
    try {
      sys.write(2, `containerd-shim: ${(e as Error).message}\n`);
    } catch {
      // no stderr
    }
    return Promise.resolve(1);
  }
}

function setNonBlocking(sys: Syscalls, fd: number): void {
  sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/** The stdio of one process (the container's init or an exec): a pty or pipes. */
interface Stdio {
  /** What the process gets as fds 0, 1, 2. */
  child: [number, number, number];
  /** Our ends: output readers by stream, and where stdin goes (null: none). */
  readers: { fd: number; stream: 1 | 2 }[];
  stdin: Outbox | null;
  master: number | null;
  /** Our copies of the child's ends, closed once the process has them. */
  childEnds: number[];
}

/**
 * A terminal's stdio: output and input through the master. slave: what the process gets (an
 * exec's); null for the container's init, which opens its slave itself (runc/console.ts).
 */
function ptyStdio(sys: Syscalls, master: number, slave: number | null, withStdin: boolean, nullFd: number): Stdio {
  setNonBlocking(sys, master);
  const writer = sys.dup(master);
  sys.fcntl(writer, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
  const child = slave ?? nullFd;
  return {
    child: [child, child, child], readers: [{ fd: master, stream: 1 }],
    stdin: withStdin ? new Outbox(sys, writer) : (sys.close(writer), null), master, childEnds: slave === null ? [] : [slave],
  };
}

/** Pipes for a process without a terminal (stdin from /dev/null unless withStdin). */
function pipeStdio(sys: Syscalls, withStdin: boolean, nullFd: number): Stdio {
  const [outR, outW] = sys.pipe(O_CLOEXEC);
  const [errR, errW] = sys.pipe(O_CLOEXEC);
  let stdinR = nullFd;
  let stdin: Outbox | null = null;
  const childEnds = [outW, errW];
  if (withStdin) {
    const [r, w] = sys.pipe(O_CLOEXEC);
    setNonBlocking(sys, w);
    stdinR = r;
    stdin = new Outbox(sys, w);
    childEnds.push(r);
  }
  for (const fd of [outR, errR]) setNonBlocking(sys, fd);
  return { child: [stdinR, outW, errW], readers: [{ fd: outR, stream: 1 }, { fd: errR, stream: 2 }], stdin, master: null, childEnds };
}

/** A client on the control socket. */
interface Client {
  out: Outbox;
  hello: Hello | null;
  frames: FrameReader;
  /** For attach: which streams it wants. */
  wants: Set<number>;
  stdin: boolean;
  /** For exec: its process. */
  exec?: ExecSession;
  /** Reads what the client sent so far. */
  poke: () => void;
}

interface ExecSession {
  id: string;
  pid: number;
  io: Stdio;
  open: number;
  exit: number | null;
  client: Client;
}

function shimRun(argv: string[], sys: Syscalls): Promise<number> {
  const p = parseFlags(SPEC, argv);
  const id = p.flags.string('id');
  const bundle = p.flags.string('bundle');
  const statusFd = p.flags.int('status-fd');
  const say = (line: string): void => {
    try {
      sys.write(statusFd, line + '\n');
    } catch {
      // dockerd went away; the exit file still tells
    }
  };
  sys.setsid();
  try {
    // orphaned container processes come to us, not to init
    sys.prctl(PR_SET_CHILD_SUBREAPER, 1);
  } catch (e) {
    // qemu-user (used to run i386 binaries on some hosts) rejects this option
    if (!isErrno(e, 'EINVAL')) throw e;
  }
  const rt = new Runtime(sys, { root: p.flags.string('root') });
  const logFd = sys.open(p.flags.string('log'), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640);
  const nullFd = sys.open('/dev/null', O_RDWR | O_CLOEXEC);
  const exitFile = p.flags.string('exit-file');
  /**
   * The exit record for dockerd. On a full disk it cannot be written: dockerd then takes the code
   * from the "exited N" status line, so the shim carries on (and still reports it) either way.
   */
  const writeExit = (rec: ExitRecord): void => {
    try {
      writeFileAtomic(sys, exitFile, JSON.stringify(rec));
    } catch (e) {
      try {
        sys.write(2, `containerd-shim: cannot write the exit record: ${errorText(e)}\n`);
      } catch {
        // the log is on the same full disk
      }
    }
  };
  let tty = false;
  let spec: OciSpec | undefined;
  try {
    // parsed once here and handed to the runtime (parsing is slow on the guest's emulated CPU)
    spec = parseSpec(readText(sys, `${bundle}/config.json`));
    tty = spec.process?.terminal === true;
  } catch {
    // runc create reports the bad bundle below
  }
  // a terminal comes from the container's own devpts once its root is ready (onConsole below)
  let io: Stdio = tty ? { child: [nullFd, nullFd, nullFd], readers: [], stdin: null, master: null, childEnds: [] } : pipeStdio(sys, p.flags.bool('stdin'), nullFd);
  let consoleMaster: number | null = null;
  const stdinOnce = p.flags.bool('stdin-once');
  const sockPath = p.flags.string('socket') || `${bundle}/shim.sock`;
  let initPid = -1;
  let cgroupDir: string | null;
  let listenFd: number;
  try {
    const st = rt.create({ id, bundle, stdio: io.child, onConsole: (m) => { consoleMaster = m; }, spec });
    initPid = st.pid;
    if (tty) {
      if (consoleMaster === null) throw new Error('the runtime gave the container no terminal');
      io = ptyStdio(sys, consoleMaster, null, p.flags.bool('stdin'), nullFd);
    }
    cgroupDir = st.cgroupDir;
    try {
      sys.unlink(sockPath);
    } catch {
      // none left over
    }
    listenFd = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK);
    sys.bind(listenFd, { family: 'unix', path: sockPath });
    sys.chmod(sockPath, 0o600);
    sys.listen(listenFd, 64);
  } catch (e) {
    // a container created before the failure must not stay behind, waiting for a start
    if (initPid > 0) {
      try {
        rt.delete(id, true);
      } catch {
        // already gone
      }
    }
    const msg = (e as Error).message;
    const code = (e as { exitCode?: number }).exitCode ?? 1;
    writeExit({ ExitCode: code > 1 ? code : 128, FinishedAt: new Date().toISOString(), OOMKilled: false, Error: msg });
    say(formatStatus({ kind: 'error', message: msg, exitCode: code }));
    return Promise.resolve(1);
  }
  for (const fd of io.childEnds) sys.close(fd);
  sys.close(nullFd);

  const clients = new Set<Client>();
  const execs = new Map<number, ExecSession>();
  let exit: ExitRecord | null = null;
  let started = false;
  let openOutputs = io.readers.length;
  const buf = new Uint8Array(65536);
  const splitters = new Map<number, LineSplitter>([[1, new LineSplitter()], [2, new LineSplitter()]]);
  const writeLog = (stream: 1 | 2, lines: string[]): void => {
    if (lines.length === 0) return;
    const now = new Date();
    const text = lines.map((l) => logLine(stream === 1 ? 'stdout' : 'stderr', l, now)).join('');
    const b = utf8Encode(text);
    try {
      writeAll(sys, logFd, b);
    } catch {
      // a full disk: the lines are lost from `docker logs`, as with Docker's json-file driver,
      // but attached clients still get them and the container keeps running
    }
  };
  const broadcast = (stream: 1 | 2, data: Uint8Array): void => {
    for (const c of clients) if (c.hello?.op === 'attach' && c.wants.has(stream)) c.out.write(encodeFrame(stream, data));
  };

  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const dropClient = (c: Client): void => {
    if (!clients.delete(c)) return;
    sys.watch(c.out.fd, 'read', null);
    c.out.end();
  };
  const maybeDone = (): void => {
    if (!exit || openOutputs > 0) return;
    writeExit(exit);
    try {
      rt.delete(id, true);
    } catch {
      // already gone
    }
    sys.watch(listenFd, 'read', null);
    sys.close(listenFd);
    try {
      sys.unlink(sockPath);
    } catch {
      // gone
    }
    for (const c of [...clients]) {
      if (c.exec && c.exec.exit === null) c.out.write(jsonFrame(FrameType.Exit, { ExitCode: 137 }));
      dropClient(c);
    }
    io.stdin?.close();
    say(formatStatus({ kind: 'exited', code: exit.ExitCode }));
    finish();
  };

  /** Reads one output descriptor until end of file (EIO on a pty whose slave is gone). */
  const pumpOutput = (fd: number, stream: 1 | 2, onData: (d: Uint8Array) => void, onEnd: () => void): void => {
    sys.watch(fd, 'read', () => {
      const n = readSome(sys, fd, buf);
      if (n === null) return;
      if (n === 0) {
        sys.watch(fd, 'read', null);
        sys.close(fd);
        onEnd();
        return;
      }
      onData(buf.slice(0, n));
    });
    void stream;
  };
  for (const r of io.readers) {
    pumpOutput(r.fd, r.stream, (d) => {
      // a terminal's output is logged in the chunks it came in, as Docker does
      writeLog(r.stream, tty ? [utf8Decode(d)] : splitters.get(r.stream)!.push(utf8Decode(d)));
      broadcast(r.stream, d);
    }, () => {
      writeLog(r.stream, splitters.get(r.stream)!.flush());
      if (r.fd === io.master) io.stdin?.close();
      openOutputs--;
      maybeDone();
    });
  }

  const execDone = (s: ExecSession): void => {
    if (s.exit === null || s.open > 0) return;
    s.io.stdin?.close();
    if (s.io.master !== null) s.io.master = null;
    execs.delete(s.pid);
    s.client.out.write(jsonFrame(FrameType.Exit, { ExitCode: s.exit }));
    dropClient(s.client);
  };

  const startExec = (c: Client, h: Extract<Hello, { op: 'exec' }>): void => {
    const nul = sys.open('/dev/null', O_RDWR | O_CLOEXEC);
    let eio: Stdio = { child: [nul, nul, nul], readers: [], stdin: null, master: null, childEnds: [] };
    let pid: number;
    try {
      if (!h.detach && h.process.terminal === true) {
        // the exec's own /dev/pts/N in the container's devpts
        const pty = openContainerPty(sys, initPid);
        eio = ptyStdio(sys, pty.master, pty.slave, h.stdin, nul);
        giveTerminal(sys, pty.path, h.process.user.uid);
      } else if (!h.detach) eio = pipeStdio(sys, h.stdin, nul);
      pid = rt.exec(id, h.process, true, undefined, eio.child);
    } catch (e) {
      for (const fd of eio.childEnds) sys.close(fd);
      for (const r of eio.readers) sys.close(r.fd);
      eio.stdin?.close();
      sys.close(nul);
      const code = e instanceof RuntimeError ? e.exitCode : 1;
      c.out.write(jsonFrame(FrameType.Error, { message: (e as Error).message, exitCode: code === 1 ? 126 : code }));
      dropClient(c);
      return;
    }
    for (const fd of eio.childEnds) sys.close(fd);
    sys.close(nul);
    const s: ExecSession = { id: h.execId, pid, io: eio, open: eio.readers.length, exit: null, client: c };
    c.exec = s;
    execs.set(pid, s);
    c.out.write(jsonFrame(FrameType.Started, { Pid: pid }));
    for (const r of eio.readers) {
      pumpOutput(r.fd, r.stream, (d) => c.out.write(encodeFrame(r.stream, d)), () => {
        if (r.fd === eio.master) eio.stdin?.close();
        s.open--;
        execDone(s);
      });
    }
    reap();
  };

  const onHello = (c: Client, h: Hello): void => {
    c.hello = h;
    if (h.op === 'attach') {
      if (h.stdout) c.wants.add(1);
      if (h.stderr) c.wants.add(2);
      c.stdin = h.stdin;
      if (exit && openOutputs === 0) dropClient(c);
    } else if (h.op === 'start') {
      if (started) {
        c.out.write(jsonFrame(FrameType.Error, { message: 'cannot start an already running container', exitCode: 1 }));
      } else {
        try {
          rt.start(id);
          started = true;
          c.out.write(jsonFrame(FrameType.Started, { Pid: initPid }));
        } catch (e) {
          c.out.write(jsonFrame(FrameType.Error, { message: (e as Error).message, exitCode: 1 }));
        }
      }
      dropClient(c);
    } else if (h.op === 'exec') {
      if (exit) {
        c.out.write(jsonFrame(FrameType.Error, { message: 'cannot exec in a stopped container', exitCode: 126 }));
        dropClient(c);
        return;
      }
      startExec(c, h);
    } else if (h.op === 'resize') {
      const target = h.execId ? [...execs.values()].find((s) => s.id === h.execId)?.io.master : io.master;
      try {
        if (target !== null && target !== undefined) sys.setWinsize(target, { rows: h.h, cols: h.w });
      } catch {
        // the terminal went away
      }
      dropClient(c);
    }
  };

  const onFrame = (c: Client, type: number, payload: Uint8Array): void => {
    if (!c.hello) {
      if (type !== FrameType.Hello) {
        dropClient(c);
        return;
      }
      onHello(c, frameJson<Hello>(payload));
      return;
    }
    const target = c.exec ? c.exec.io.stdin : c.stdin ? io.stdin : null;
    if (type === FrameType.Stdin) target?.write(payload);
    else if (type === FrameType.StdinClose) {
      // an exec's stdin closes with its client's; the container's only with --stdin-once, and
      // never a terminal's (Docker leaves a tty open when the client's input ends)
      if (c.exec) {
        if (c.exec.io.master === null) c.exec.io.stdin?.close();
      } else if (c.stdin && stdinOnce && !tty) io.stdin?.close();
    }
  };

  const acceptAll = (): void => {
    for (;;) {
      let fd: number;
      try {
        fd = sys.accept(listenFd, O_NONBLOCK | O_CLOEXEC);
      } catch {
        return;
      }
      const c: Client = { out: new Outbox(sys, fd, () => { clients.delete(c); sys.watch(fd, 'read', null); }), hello: null, frames: new FrameReader(), wants: new Set(), stdin: false, poke: () => {} };
      clients.add(c);
      const rbuf = new Uint8Array(65536);
      const onReadable = (): void => {
        const n = readSome(sys, fd, rbuf);
        if (n === null) return;
        if (n === 0) {
          // the client went away: an attach's input ends with it
          if (c.hello && clients.has(c)) onFrame(c, FrameType.StdinClose, new Uint8Array(0));
          if (!c.exec || c.exec.exit !== null) dropClient(c);
          else sys.watch(fd, 'read', null);
          return;
        }
        for (const f of c.frames.push(rbuf.subarray(0, n))) {
          if (!clients.has(c)) return;
          onFrame(c, f.type, f.payload);
        }
      };
      c.poke = onReadable;
      sys.watch(fd, 'read', onReadable);
      // dockerd writes each hello right after connecting: take hellos in the order the
      // connections came, so attaches made before a start see the container's first output
      for (const other of [...clients]) if (!other.hello) other.poke();
    }
  };
  sys.watch(listenFd, 'read', acceptAll);

  const reap = (): void =>
    reapEnded(sys, (pid, code) => {
      const s = execs.get(pid);
      if (s) {
        s.exit = code;
        execDone(s);
      }
      if (pid === initPid) {
        const oom = cgroupDir ? rt.cgroups.oomKilled(cgroupDir) : false;
        exit = { ExitCode: code, FinishedAt: new Date().toISOString(), OOMKilled: oom, Error: '' };
        maybeDone();
      }
    });
  sys.onSignal(SIGCHLD, reap);
  say(formatStatus({ kind: 'created', pid: initPid }));
  reap();
  return done.then(() => 0);
}
