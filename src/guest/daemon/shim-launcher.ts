// How dockerd runs a container's containerd-shim: our own binary in the shim role, spawned, the
// status pipe ("created PID" / "started PID" / "error JSON" / "exited N", shim/proto.ts), and the
// release handshake on the shim's socket. A shim's start (a QuickJS runtime, the shim's and
// runc's code) is a tenth of a `docker run`, so once container starts pause for a second it
// keeps one shim started ahead (`containerd-shim --standby`), which the next container takes.
// An interface, so the engine's lifecycle logic runs in unit tests against the Syscalls fake
// with a launcher that plays the shim.

import type { Syscalls } from '../sys/syscalls.ts';
import { O_APPEND, O_CLOEXEC, O_CREAT, O_RDWR, O_WRONLY, SIGKILL } from '../sys/constants.ts';
import { errorText, isErrno } from '../sys/errors.ts';
import { reapEnded } from '../sys/wait.ts';
import { exists, readText } from '../util/fsutil.ts';
import { utf8Decode } from '../util/text.ts';
import { writeAll } from '../sys/io.ts';
import { FrameType, frameJson, parseStatus, type StatusLine } from '../shim/proto.ts';
import { shimRequest } from './shimconn.ts';
import { STANDBY_TASK_FD, type StandbyTask } from '../shim/standby.ts';

/** What the shim needs to run one container. */
export interface ShimTask {
  id: string;
  bundle: string;
  runtimeRoot: string;
  logPath: string;
  exitFile: string;
  /** The shim's own error output. */
  shimLog: string;
  socket: string;
  stdin: boolean;
  stdinOnce: boolean;
}

export type LaunchResult =
  | {
      ok: true;
      shimPid: number;
      containerPid: number;
      /** Calls onEnd once when the shim reports the exit (with its code) or its pipe closes (null). */
      watch(onEnd: (exitCode: number | null) => void): void;
      /** Stops watching and closes the pipe. */
      close(): void;
    }
  | { ok: false; message: string; exitCode: number };

export interface ShimLauncher {
  /**
   * Runs the shim until its container is created, calls beforeRelease (attaches connect to the
   * shim's socket then), releases it and reports the outcome. On failure the shim is gone.
   */
  launch(task: ShimTask, beforeRelease: () => void): LaunchResult;
  /** Whether a shim process still lives (a daemon restart finds shims it did not start). */
  alive(pid: number): boolean;
  /** Reaps ended shims (they are this daemon's children). */
  reap(): void;
  /** Called every half second: a moment to start a standby shim when the daemon is quiet. */
  tick?(): void;
}

/** A standby starts once no container has started for this long, so that its start competes with none. */
export const STANDBY_AFTER_QUIET_MS = 1000;

/** A shim started ahead: its status pipe, and the pipe its task goes down. */
interface Standby {
  pid: number;
  status: number;
  task: number;
}

/** The real launcher: containerd-shim spawned (or a standby's), the status pipe and socket handshake. */
export class SpawnShimLauncher implements ShimLauncher {
  private standby: Standby | null = null;
  /** When the last container start was (monotonic ms), or null: none yet, no standby wanted. */
  private lastLaunch: number | null = null;
  /** How to run containerd-shim, looked up on first use (a stat), then kept. */
  private shimCommandCache: [string, string[]] | null = null;

  constructor(
    private sys: Syscalls,
    /** Path of our own binary, run as containerd-shim. */
    private selfExe: string,
  ) {}

  private shimCommand(): [string, string[]] {
    this.shimCommandCache ??= roleCommand(this.sys, this.selfExe, 'containerd-shim');
    return this.shimCommandCache;
  }

  launch(t: ShimTask, beforeRelease: () => void): LaunchResult {
    const sys = this.sys;
    this.lastLaunch = sys.monotonicMs();
    let r: number;
    let pid: number;
    const taken = this.handOver(t);
    if (taken) {
      ({ status: r, pid } = taken);
    } else {
      const [sr, sw] = sys.pipe(O_CLOEXEC);
      r = sr;
      try {
        pid = this.spawn(t, sw);
      } catch (e) {
        sys.close(r);
        return { ok: false, message: `containerd-shim failed to start: ${errorText(e)}`, exitCode: 128 };
      } finally {
        sys.close(sw);
      }
    }
    let status = parseStatus(readLine(sys, r));
    if (status?.kind === 'created') {
      const created = status;
      beforeRelease();
      status = this.release(t.socket, created.pid);
      if (status.kind !== 'started') {
        // a container that was never released: end it and its shim
        for (const p of [created.pid, pid]) {
          try {
            sys.kill(p, SIGKILL);
          } catch {
            // gone
          }
        }
      }
    }
    if (status?.kind !== 'started') {
      sys.close(r);
      try {
        sys.waitpid(pid, 0);
      } catch {
        // reaped
      }
      if (status?.kind === 'error') return { ok: false, message: status.message, exitCode: status.exitCode };
      return { ok: false, message: 'containerd-shim failed to start', exitCode: 128 };
    }
    return {
      ok: true,
      shimPid: pid,
      containerPid: status.pid,
      watch: (onEnd) => {
        sys.watch(r, 'read', () => {
          // "exited N" or EOF: the exit file tells, or the code here when a full disk kept the
          // shim from writing it
          let code: number | null = null;
          try {
            const s = parseStatus(readLine(sys, r));
            if (s?.kind === 'exited' && Number.isInteger(s.code)) code = s.code;
          } catch {
            // EOF or a torn line
          }
          this.reap();
          sys.watch(r, 'read', null);
          onEnd(code);
        });
      },
      close: () => {
        sys.watch(r, 'read', null);
        sys.close(r);
      },
    };
  }

  /**
   * Starts the shim with /dev/null in, its own log as stderr and the status pipe as fd 3. Spawned
   * rather than forked: a fork of the daemon copied its heap's page tables and took copy-on-write
   * faults in both processes, on every container start.
   */
  private spawn(t: ShimTask, statusFd: number): number {
    const sys = this.sys;
    const nul = sys.open('/dev/null', O_RDWR | O_CLOEXEC);
    try {
      const errFd = sys.open(t.shimLog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640);
      try {
        const [path, argv0] = this.shimCommand();
        return sys.spawn(path, [...argv0, ...shimArgs(t)], sys.environ(), [[0, nul], [1, nul], [2, errFd], [3, statusFd]]);
      } finally {
        sys.close(errFd);
      }
    } finally {
      sys.close(nul);
    }
  }

  /** The standby with its task written, or null when there is none (or it died: it is reaped). */
  private handOver(t: ShimTask): Standby | null {
    const sb = this.standby;
    if (!sb) return null;
    this.standby = null;
    try {
      const argv = shimArgs(t);
      const task: StandbyTask = { argv, cmdline: [...this.shimCommand()[1], ...argv], shimLog: t.shimLog };
      writeAll(this.sys, sb.task, JSON.stringify(task) + '\n');
      return sb;
    } catch {
      this.sys.close(sb.status);
      try {
        this.sys.waitpid(sb.pid, 0);
      } catch {
        // reaped
      }
      return null;
    } finally {
      this.sys.close(sb.task);
    }
  }

  tick(): void {
    if (this.standby || this.lastLaunch === null || this.sys.monotonicMs() - this.lastLaunch < STANDBY_AFTER_QUIET_MS) return;
    this.lastLaunch = null;
    this.startStandby();
  }

  /**
   * A shim that loads its code now and waits on fd 4 for a container's arguments: the status pipe
   * is fd 3 as for any shim, and until its task comes its errors go to the daemon's own log.
   */
  private startStandby(): void {
    const sys = this.sys;
    const [sr, sw] = sys.pipe(O_CLOEXEC);
    const [tr, tw] = sys.pipe(O_CLOEXEC);
    const nul = sys.open('/dev/null', O_RDWR | O_CLOEXEC);
    try {
      const [path, argv0] = this.shimCommand();
      const pid = sys.spawn(path, [...argv0, '--standby'], sys.environ(), [[0, nul], [1, nul], [2, 2], [3, sw], [STANDBY_TASK_FD, tr]]);
      this.standby = { pid, status: sr, task: tw };
    } catch {
      // no standby: the next container's shim is spawned as usual
      sys.close(sr);
      sys.close(tw);
    } finally {
      sys.close(sw);
      sys.close(tr);
      sys.close(nul);
    }
  }

  /** Releases the created container: started, or the shim's error. */
  private release(socket: string, containerPid: number): StatusLine {
    let answer;
    try {
      answer = shimRequest(this.sys, socket, { op: 'start' });
    } catch (e) {
      return { kind: 'error', message: (e as Error).message, exitCode: 128 };
    }
    if (answer?.type === FrameType.Started) return { kind: 'started', pid: containerPid };
    const err = answer ? frameJson<{ message: string; exitCode: number }>(answer.payload) : { message: 'containerd-shim exited before the start', exitCode: 128 };
    return { kind: 'error', ...err };
  }

  alive(pid: number): boolean {
    try {
      const stat = readText(this.sys, `/proc/${pid}/stat`);
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }

  reap(): void {
    reapEnded(this.sys, (pid) => {
      // a standby that ended before its task (killed, or it failed to start): forget it
      if (this.standby?.pid !== pid) return;
      this.sys.close(this.standby.status);
      this.sys.close(this.standby.task);
      this.standby = null;
    });
  }
}

/** The shim's arguments for one container (after its name). */
function shimArgs(t: ShimTask): string[] {
  return [
    '--id', t.id, '--bundle', t.bundle, '--root', t.runtimeRoot, '--log', t.logPath, '--exit-file', t.exitFile,
    '--status-fd', '3', '--socket', t.socket, ...(t.stdin ? ['--stdin'] : []), ...(t.stdinOnce ? ['--stdin-once'] : []),
  ];
}

/**
 * How to run one of our roles: through its link beside the binary when there is one (so ps shows
 * "containerd-shim"), else as "whalebone ROLE". Some hosts run i386 binaries through qemu-user,
 * which replaces argv[0] with the file's path: the link's name still names the role.
 */
export function roleCommand(sys: Syscalls, selfExe: string, role: string): [string, string[]] {
  const link = `${selfExe.slice(0, selfExe.lastIndexOf('/'))}/${role}`;
  return exists(sys, link) ? [link, [role]] : [selfExe, ['whalebone', role]];
}

function readLine(sys: Syscalls, fd: number): string {
  const b = new Uint8Array(1);
  let s = '';
  for (;;) {
    let n: number;
    try {
      n = sys.read(fd, b);
    } catch (e) {
      if (isErrno(e, 'EINTR')) continue;
      if (isErrno(e, 'EAGAIN')) break;
      break;
    }
    if (n === 0 || b[0] === 10) break;
    s += String.fromCharCode(b[0]!);
  }
  return utf8Decode(Uint8Array.from(s, (ch) => ch.charCodeAt(0)));
}
