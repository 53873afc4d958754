// containerd-shim: one per container. It creates and starts the container through the runtime,
// owns its stdio (writing Docker's json-file log), reaps it as a subreaper, records its exit
// status in a file dockerd reads (so it survives a dockerd restart), then deletes it.
//
// containerd-shim --id ID --bundle DIR --root RUNC_ROOT --log FILE --exit-file FILE [--status-fd N]

import type { Syscalls } from '../sys/syscalls.ts';
import { O_APPEND, O_CLOEXEC, O_CREAT, O_NONBLOCK, O_RDWR, O_WRONLY, PR_SET_CHILD_SUBREAPER, SIGCHLD, WNOHANG, F_GETFL, F_SETFL } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { exitCodeOf } from '../sys/wait.ts';
import { Runtime } from '../runc/runtime.ts';
import { writeFileAtomic } from '../util/fsutil.ts';
import { parseFlags, type CommandSpec } from '../util/flags.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';

export interface ExitRecord {
  ExitCode: number;
  FinishedAt: string;
  OOMKilled: boolean;
  Error: string;
}

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
    { name: 'status-fd', kind: 'int', help: 'pipe to dockerd: "started PID" or "error MSG" lines', default: 3 },
    { name: 'stdin', kind: 'bool', help: 'keep a stdin pipe open (fifo path ID.stdin in the bundle)' },
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

function shimRun(argv: string[], sys: Syscalls): Promise<number> {
  const p = parseFlags(SPEC, argv);
  const id = p.flags.string('id');
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
  const [outR, outW] = sys.pipe(O_CLOEXEC);
  const [errR, errW] = sys.pipe(O_CLOEXEC);
  const nullFd = sys.open('/dev/null', O_RDWR | O_CLOEXEC);
  const exitFile = p.flags.string('exit-file');
  const writeExit = (rec: ExitRecord): void => writeFileAtomic(sys, exitFile, JSON.stringify(rec));
  let initPid: number;
  let cgroupDir: string | null;
  try {
    const st = rt.create({ id, bundle: p.flags.string('bundle'), stdio: [nullFd, outW, errW] });
    initPid = st.pid;
    cgroupDir = st.cgroupDir;
    rt.start(id);
  } catch (e) {
    const msg = (e as Error).message;
    const code = (e as { exitCode?: number }).exitCode ?? 1;
    writeExit({ ExitCode: code > 1 ? code : 128, FinishedAt: new Date().toISOString(), OOMKilled: false, Error: msg });
    say(`error ${JSON.stringify({ message: msg, exitCode: code })}`);
    return Promise.resolve(1);
  }
  sys.close(outW);
  sys.close(errW);
  sys.close(nullFd);
  say(`started ${initPid}`);

  const open = new Set<number>([outR, errR]);
  let exit: ExitRecord | null = null;
  const buf = new Uint8Array(65536);
  const splitters = new Map<number, LineSplitter>([[outR, new LineSplitter()], [errR, new LineSplitter()]]);
  const writeLog = (fd: number, lines: string[]): void => {
    const stream = fd === outR ? 'stdout' : 'stderr';
    const now = new Date();
    const text = lines.map((l) => logLine(stream, l, now)).join('');
    const b = utf8Encode(text);
    for (let off = 0; off < b.length; ) off += sys.write(logFd, b.subarray(off));
  };
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const maybeDone = (): void => {
    if (!exit || open.size > 0) return;
    writeExit(exit);
    try {
      rt.delete(id, true);
    } catch {
      // already gone
    }
    say(`exited ${exit.ExitCode}`);
    finish();
  };
  for (const fd of [outR, errR]) {
    sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) | O_NONBLOCK);
    sys.watch(fd, 'read', () => {
      let n: number;
      try {
        n = sys.read(fd, buf);
      } catch (e) {
        if (isErrno(e, 'EAGAIN') || isErrno(e, 'EINTR')) return;
        n = 0;
      }
      const sp = splitters.get(fd)!;
      if (n === 0) {
        writeLog(fd, sp.flush());
        sys.watch(fd, 'read', null);
        sys.close(fd);
        open.delete(fd);
        maybeDone();
        return;
      }
      writeLog(fd, sp.push(utf8Decode(buf, 0, n)));
    });
  }
  const reap = (): void => {
    for (;;) {
      let w;
      try {
        w = sys.waitpid(-1, WNOHANG);
      } catch {
        return;
      }
      if (!w) return;
      if (w.pid === initPid && (w.kind === 'exited' || w.kind === 'signaled')) {
        const oom = cgroupDir ? rt.cgroups.oomKilled(cgroupDir) : false;
        exit = { ExitCode: exitCodeOf(w), FinishedAt: new Date().toISOString(), OOMKilled: oom, Error: '' };
        maybeDone();
      }
    }
  };
  sys.onSignal(SIGCHLD, reap);
  reap();
  return done.then(() => 0);
}
