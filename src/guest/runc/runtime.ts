// The OCI runtime operations over a bundle: create (new namespaces, cgroup, rootfs, then wait on
// exec.fifo), start (release the waiting init), state, kill, delete, run, exec. Used by the runc
// command line and, in-process, by the containerd shim.

import { readLine, writeAll } from '../sys/io.ts';
import type { Fd, Pty, Syscalls } from '../sys/syscalls.ts';
import {
  CLONE_NEWCGROUP, CLONE_NEWPID, MNT_DETACH, O_CLOEXEC, O_RDONLY, O_WRONLY, PR_SET_CHILD_SUBREAPER, S_IFIFO, SIGKILL,
} from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { exitCodeOf } from '../sys/wait.ts';
import { exists, mkdirp, readText, removeAll, writeFileAtomic } from '../util/fsutil.ts';
import { resolve } from '../util/path.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';
import { Cgroups, needsLimits } from './cgroup.ts';
import { openContainerPty, readConsoleIndex, useConsole } from './console.ts';
import { ExecError, finalizeProcess, lookPath, processEnv } from './process.ts';
import { parseMountInfo, prepareRootfs } from './rootfs.ts';
import { resolveRlimits } from './rlimits.ts';
import { checkSysctls } from './sysctl.ts';
import { parseSpec, type OciProcess, type OciSpec } from './spec.ts';
import { loadState, procStat, saveState, stateDir, statusOf, type RuncState } from './state.ts';
import { joinByPath, NS_FLAG } from './nsjoin.ts';
import { checkUserNs, readStage1, sendStage1, userNsStage1, wantsNewUserNs, writeIdMaps } from './userns.ts';
import { tracer } from '../sys/trace.ts';

/** O_PATH (i386 = generic value): an fd naming the fifo without opening it for I/O. */
const O_PATH = 0o10000000;


/** A failure of the runtime, worded as runc words it (Docker shows this text). */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
  constructor(
    message: string,
    /** Exit code the container would have had (127 not found, 126 not executable), if any. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface RuntimeOptions {
  /** State root, /run/runc by default. */
  root: string;
  /** The host's highest capability (from /proc/sys/kernel/cap_last_cap). */
  lastCap?: number;
}

export interface CreateOptions {
  id: string;
  bundle: string;
  pidFile?: string;
  /** The tty slave given as stdio, bind-mounted on /dev/console when process.terminal. */
  consolePath?: string;
  /**
   * When process.terminal: give the container a pty of its own devpts (its stdio, controlling
   * tty and /dev/console, as runc's console socket does) and hand the master here.
   */
  onConsole?: (master: Fd) => void;
  /** Descriptors to become the container's stdin, stdout, stderr (default: ours). */
  stdio?: [number, number, number];
  /** The bundle's config.json when the caller has parsed it already (the shim has). */
  spec?: OciSpec;
}

export function cloneFlagsOf(spec: OciSpec): number {
  let flags = 0;
  for (const ns of spec.linux?.namespaces ?? []) {
    // the cgroup namespace is unshared by the child after it joins its cgroup
    if (!ns.path && ns.type !== 'cgroup') flags |= NS_FLAG[ns.type];
  }
  return flags;
}

/** init -> parent; 'console' asks for the pty (the parent answers its number on the console pipe). */
type SyncMessage = { type: 'ready' } | { type: 'console' } | { type: 'error'; message: string; exitCode: number };

function sendSync(sys: Syscalls, fd: number, m: SyncMessage): void {
  const b = utf8Encode(JSON.stringify(m) + '\n');
  writeAll(sys, fd, b);
}

function readSync(sys: Syscalls, fd: number): SyncMessage | null {
  const line = readLine(sys, fd);
  return line ? (JSON.parse(line) as SyncMessage) : null;
}

export class Runtime {
  readonly cgroups: Cgroups;
  constructor(
    private sys: Syscalls,
    readonly opts: RuntimeOptions,
  ) {
    this.cgroups = new Cgroups(sys);
  }

  private lastCap(): number | undefined {
    if (this.opts.lastCap !== undefined) return this.opts.lastCap;
    try {
      return Number(readText(this.sys, '/proc/sys/kernel/cap_last_cap').trim());
    } catch {
      return undefined;
    }
  }

  state(id: string): RuncState {
    try {
      return loadState(this.sys, this.opts.root, id);
    } catch (e) {
      throw new RuntimeError(`container ${id} does not exist`);
    }
  }

  list(): RuncState[] {
    let names: string[];
    try {
      names = this.sys.readdir(this.opts.root).map((e) => e.name).filter((n) => n !== '.' && n !== '..');
    } catch {
      return [];
    }
    const out: RuncState[] = [];
    for (const n of names) {
      try {
        out.push(loadState(this.sys, this.opts.root, n));
      } catch {
        // a directory being created or removed
      }
    }
    return out;
  }

  create(o: CreateOptions): RuncState {
    const sys = this.sys;
    tracer().mark(`runc create ${o.id}`);
    const dir = stateDir(this.opts.root, o.id);
    if (exists(sys, dir)) throw new RuntimeError(`container with id exists: ${o.id}`);
    let spec: OciSpec;
    try {
      spec = o.spec ?? parseSpec(readText(sys, `${o.bundle}/config.json`));
    } catch (e) {
      if (isErrno(e, 'ENOENT')) throw new RuntimeError(`JSON specification file config.json not found in ${o.bundle}`);
      throw new RuntimeError((e as Error).message);
    }
    if (!spec.process) throw new RuntimeError('process is required in config.json');
    const rootfs = resolve(o.bundle, spec.root!.path);
    if (!exists(sys, rootfs)) throw new RuntimeError(`rootfs (${rootfs}) does not exist`);
    const namespaces = spec.linux?.namespaces ?? [];
    const mountNs = namespaces.some((n) => n.type === 'mount');
    // masks and read-only binds made in the host's mount namespace would apply to the host
    if (!mountNs && (spec.linux?.maskedPaths?.length || spec.linux?.readonlyPaths?.length)) {
      throw new RuntimeError('unable to restrict sys entries without a private MNT namespace');
    }
    if (spec.hostname && !namespaces.some((n) => n.type === 'uts')) {
      throw new RuntimeError('unable to set hostname without a private UTS namespace');
    }
    try {
      // settings the kernel cannot take fail create, before anything starts
      resolveRlimits(spec.process.rlimits);
      checkSysctls(spec);
      checkUserNs(spec);
    } catch (e) {
      throw new RuntimeError((e as Error).message);
    }

    mkdirp(sys, this.opts.root, 0o700);
    sys.mkdir(dir, 0o711);
    let cgroupDir: string | null = null;
    let pid = -1;
    let pty: Pty | null = null;
    let fifoFd = -1;
    try {
      const fifo = `${dir}/exec.fifo`;
      const oldMask = sys.umask(0);
      try {
        sys.mknod(fifo, S_IFIFO | 0o622, 0);
      } finally {
        sys.umask(oldMask);
      }
      const resources = spec.linux?.resources;
      if (this.cgroups.available()) {
        cgroupDir = this.cgroups.create(spec.linux?.cgroupsPath ?? `/runc/${o.id}`, resources);
      } else if (needsLimits(resources)) {
        throw new RuntimeError(`cannot apply resource limits: no cgroup v2 hierarchy at ${this.cgroups.root}`);
      }
      const lastCap = this.lastCap();
      const [r, w] = sys.pipe(O_CLOEXEC);
      const [consoleR, consoleW] = spec.process.terminal && o.onConsole ? sys.pipe(O_CLOEXEC) : [-1, -1];
      const userNs = wantsNewUserNs(spec);
      // the state dir (0700, the host's root) is out of reach from inside a user namespace: the
      // init gets the fifo open already, as runc's does
      fifoFd = userNs ? sys.open(fifo, O_PATH | O_CLOEXEC) : -1;
      const init = (): never => {
        sys.close(r);
        if (consoleW >= 0) sys.close(consoleW);
        try {
          if (o.stdio) o.stdio.forEach((fd, i) => fd !== i && sys.dup2(fd, i));
          return containerInit(sys, {
            spec, rootfs, fifo, fifoFd, syncFd: w, cgroupDir, joinedByStage1: userNs, lastCap, consolePath: o.consolePath, consoleFd: consoleR,
          });
        } catch (e) {
          const code = e instanceof ExecError ? e.exitCode : 1;
          try {
            sendSync(sys, w, { type: 'error', message: (e as Error).message, exitCode: code });
          } catch {
            // past the sync point (after start): the container's stderr is the only place left
            try {
              sys.write(2, `runc init failed: ${(e as Error).message}\n`);
            } catch {
              // no stderr either
            }
          }
          return sys.exit(code);
        }
      };
      if (userNs) pid = this.forkUserNsInit(spec, cgroupDir, init);
      else {
        pid = forkIntoPidNs(sys, spec, cloneFlagsOf(spec));
        if (pid === 0) init();
      }
      sys.close(w);
      if (consoleR >= 0) sys.close(consoleR);
      if (fifoFd >= 0) {
        sys.close(fifoFd);
        fifoFd = -1;
      }
      let msg = readSync(sys, r);
      let consoleError: string | null = null;
      if (msg?.type === 'console') {
        try {
          pty = openContainerPty(sys, pid);
          writeAll(sys, consoleW, `${pty.index}\n`);
        } catch (e) {
          consoleError = `setting up the console: ${(e as Error).message}`;
        }
        sys.close(consoleW);
        msg = readSync(sys, r);
      } else if (consoleW >= 0) sys.close(consoleW);
      sys.close(r);
      if (!msg || msg.type !== 'ready') {
        try {
          sys.waitpid(pid, 0);
        } catch {
          // already reaped
        }
        pid = -1;
        const text = consoleError ?? (msg?.type === 'error' ? msg.message : 'container init exited before it was ready');
        throw new RuntimeError(`runc create failed: unable to start container process: ${text}`, msg?.type === 'error' && !consoleError ? msg.exitCode : 1);
      }
      if (pty) {
        // the init has its own slave open now
        sys.close(pty.slave);
        const master = pty.master;
        pty = null;
        o.onConsole!(master);
      }
      const st: RuncState = {
        ociVersion: spec.ociVersion,
        id: o.id,
        pid,
        bundle: o.bundle,
        rootfs,
        created: new Date().toISOString(),
        initStartTime: procStat(sys, pid)?.startTime ?? 0,
        cgroupDir,
        annotations: spec.annotations ?? {},
        owner: '',
      };
      saveState(sys, this.opts.root, st);
      // the config as created: changes to the bundle's config.json afterwards must not matter
      writeFileAtomic(sys, `${dir}/config.json`, JSON.stringify(spec));
      if (o.pidFile) writeFileAtomic(sys, o.pidFile, String(pid));
      return st;
    } catch (e) {
      if (fifoFd >= 0) sys.close(fifoFd);
      if (pty) {
        sys.close(pty.master);
        sys.close(pty.slave);
      }
      if (pid > 0) {
        try {
          sys.kill(pid, SIGKILL);
          sys.waitpid(pid, 0);
        } catch {
          // gone
        }
      }
      if (cgroupDir) this.destroyCgroup(cgroupDir);
      removeAll(sys, dir);
      throw e;
    }
  }

  /**
   * Forks the init into a new user namespace through a stage-1 process (see userns.ts): returns
   * the init's pid; in the init, runs `init` (which never returns).
   */
  private forkUserNsInit(spec: OciSpec, cgroupDir: string | null, init: () => never): number {
    const sys = this.sys;
    // the init is stage 1's child; once stage 1 exits it must become ours (run and the shim wait for it)
    sys.prctl(PR_SET_CHILD_SUBREAPER, 1);
    const [fromStage1, toParent] = sys.pipe(O_CLOEXEC);
    const [fromParent, toStage1] = sys.pipe(O_CLOEXEC);
    const stage1 = sys.fork(0);
    if (stage1 === 0) {
      sys.close(fromStage1);
      sys.close(toStage1);
      try {
        const joins = spec.linux?.namespaces?.filter((n) => n.path) ?? [];
        const pid = userNsStage1(sys, { toParent, fromParent, cgroupDir, joins }, cloneFlagsOf(spec));
        if (pid === 0) {
          // the parent must see end of file on this pipe if stage 1 dies, whatever the init does
          sys.close(toParent);
          init();
        }
        sys.exit(0);
      } catch (e) {
        try {
          sendStage1(sys, toParent, { type: 'error', message: (e as Error).message });
        } catch {
          // parent gone
        }
        sys.exit(1);
      }
    }
    sys.close(toParent);
    sys.close(fromParent);
    let mapError: string | null = null;
    let msg;
    try {
      msg = readStage1(sys, fromStage1);
      if (msg?.type === 'userns') {
        try {
          writeIdMaps(sys, stage1, spec);
          writeAll(sys, toStage1, 'mapped\n');
        } catch (e) {
          mapError = (e as Error).message;
        }
        // without "mapped", stage 1 reads end of file and gives up
        sys.close(toStage1);
        msg = mapError ? null : readStage1(sys, fromStage1);
      } else sys.close(toStage1);
    } finally {
      sys.close(fromStage1);
      try {
        sys.waitpid(stage1, 0);
      } catch {
        // reaped
      }
    }
    if (msg?.type === 'pid') return msg.pid;
    const why = mapError ?? (msg?.type === 'error' ? msg.message : 'the user namespace stage exited early');
    throw new RuntimeError(`runc create failed: unable to start container process: ${why}`);
  }

  /** The config the container was created with (older state dirs: the bundle's). */
  spec(id: string): OciSpec {
    const kept = `${stateDir(this.opts.root, id)}/config.json`;
    return parseSpec(readText(this.sys, exists(this.sys, kept) ? kept : `${this.state(id).bundle}/config.json`));
  }

  start(id: string): void {
    const st = this.state(id);
    const status = statusOf(this.sys, this.opts.root, st);
    if (status === 'stopped') throw new RuntimeError('cannot start a container that has stopped');
    if (status !== 'created') throw new RuntimeError('cannot start an already running container');
    const fifo = `${stateDir(this.opts.root, id)}/exec.fifo`;
    const fd = this.sys.open(fifo, O_RDONLY | O_CLOEXEC);
    try {
      this.sys.read(fd, new Uint8Array(1));
    } finally {
      this.sys.close(fd);
    }
    this.sys.unlink(fifo);
  }

  kill(id: string, signal: number, all = false): void {
    const st = this.state(id);
    if (statusOf(this.sys, this.opts.root, st) === 'stopped') throw new RuntimeError('container not running');
    const pids = all && st.cgroupDir ? this.cgroups.pids(st.cgroupDir) : [st.pid];
    for (const p of pids) {
      try {
        this.sys.kill(p, signal);
      } catch (e) {
        if (!isErrno(e, 'ESRCH')) throw e;
      }
    }
  }

  delete(id: string, force = false): void {
    const st = this.state(id);
    const status = statusOf(this.sys, this.opts.root, st);
    if (status === 'running' && !force) {
      throw new RuntimeError(`cannot delete container ${id} that is not stopped: running`);
    }
    if (status !== 'stopped') {
      // a created container is killed on delete, as runc does; -f kills a running one
      const pids = st.cgroupDir ? this.cgroups.pids(st.cgroupDir) : [];
      for (const p of new Set([st.pid, ...pids])) {
        try {
          this.sys.kill(p, SIGKILL);
        } catch {
          // already gone
        }
      }
      this.waitGone(st);
    }
    if (st.cgroupDir) this.destroyCgroup(st.cgroupDir);
    this.unmountHostMounts(id, st.rootfs);
    removeAll(this.sys, stateDir(this.opts.root, id));
  }

  /**
   * A container without a mount namespace of its own made its mounts (proc, /dev...) in ours,
   * under its rootfs: they outlive it unless delete takes them down (runc leaves them).
   */
  private unmountHostMounts(id: string, rootfs: string): void {
    let spec: OciSpec;
    try {
      spec = this.spec(id);
    } catch {
      return;
    }
    if ((spec.linux?.namespaces ?? []).some((n) => n.type === 'mount')) return;
    let text: string;
    try {
      text = utf8Decode(this.sys.readFile('/proc/self/mountinfo'));
    } catch {
      return;
    }
    const under = parseMountInfo(text).map((m) => m.mountPoint).filter((m) => m.startsWith(`${rootfs}/`));
    // deepest first (/dev/pts before /dev)
    for (const m of under.sort((a, b) => b.length - a.length)) {
      try {
        this.sys.umount2(m, MNT_DETACH);
      } catch {
        // gone with its parent already
      }
    }
  }

  private waitGone(st: RuncState): void {
    for (let i = 0; i < 200; i++) {
      const s = procStat(this.sys, st.pid);
      if (!s || s.state === 'Z' || s.startTime !== st.initStartTime) {
        // reap it when it is our child (runc run, the shim); harmless otherwise
        try {
          this.sys.waitpid(st.pid, 1);
        } catch {
          // not our child
        }
        return;
      }
      busyWait(this.sys, 10);
    }
  }

  private destroyCgroup(dir: string): void {
    // the last process may take a moment to leave the group after it died
    for (let i = 0; i < 50; i++) {
      try {
        this.cgroups.destroy(dir);
        return;
      } catch (e) {
        if (!isErrno(e, 'EBUSY')) throw e;
        busyWait(this.sys, 10);
      }
    }
  }

  /**
   * create + start, then wait for the init and delete it; returns its exit code. attend runs
   * once it started (runc's foreground terminal relay), before the wait.
   */
  run(o: CreateOptions, detach: boolean, attend?: () => void): number {
    const st = this.create(o);
    try {
      this.start(o.id);
    } catch (e) {
      this.delete(o.id, true);
      throw e;
    }
    if (detach) return 0;
    attend?.();
    let code = 0;
    for (;;) {
      try {
        const w = this.sys.waitpid(st.pid, 0);
        if (w && (w.kind === 'exited' || w.kind === 'signaled')) {
          code = exitCodeOf(w);
          break;
        }
      } catch (e) {
        if (isErrno(e, 'EINTR')) continue;
        throw e;
      }
    }
    this.delete(o.id, true);
    return code;
  }

  /**
   * Runs another process in a running container: joins its namespaces and cgroup, then forks
   * (a pid namespace applies to children only) and execs. Returns the exit code, or the pid
   * when detached.
   */
  exec(id: string, p: OciProcess, detach: boolean, pidFile?: string, stdio?: [number, number, number]): number {
    tracer().mark(`runc exec ${id}`);
    const sys = this.sys;
    const st = this.state(id);
    const status = statusOf(sys, this.opts.root, st);
    if (status === 'stopped') throw new RuntimeError('cannot exec in a stopped container');
    const lastCap = this.lastCap();
    const nsFds: number[] = [];
    const nsNames: string[] = [];
    // the user namespace first: the others belong to it, and joining them needs its capabilities
    for (const ns of ['user', 'ipc', 'uts', 'net', 'pid', 'cgroup', 'mnt']) {
      const mine = safeReadlink(sys, `/proc/self/ns/${ns}`);
      const theirs = safeReadlink(sys, `/proc/${st.pid}/ns/${ns}`);
      if (theirs && mine !== theirs) {
        nsFds.push(sys.open(`/proc/${st.pid}/ns/${ns}`, O_RDONLY | O_CLOEXEC));
        nsNames.push(ns);
      }
    }
    const [r, w] = sys.pipe(O_CLOEXEC);
    const child = sys.fork(0);
    if (child === 0) {
      sys.close(r);
      try {
        if (stdio) stdio.forEach((fd, i) => fd !== i && sys.dup2(fd, i));
        // this process waits for the program and never execs: drop every other descriptor its
        // parent had (a shim's copy of a stdin pipe would keep the program from seeing its end)
        closeOthers(sys, [w, ...nsFds, tracer().fd]);
        if (st.cgroupDir) sys.writeFile(`${st.cgroupDir}/cgroup.procs`, '0');
        nsFds.forEach((fd, i) => {
          try {
            sys.setns(fd, 0);
          } catch (e) {
            // qemu-user (i386 binaries on hosts without IA-32 emulation) runs helper threads, and
            // the kernel lets only a single-threaded process change its mount namespace: there,
            // enter the container's root through /proc instead (its mounts are seen through it)
            if (nsNames[i] === 'mnt' && isErrno(e, 'EINVAL')) {
              sys.chroot(`/proc/${st.pid}/root`);
              sys.chdir('/');
              return;
            }
            throw new Error(`joining the container's ${nsNames[i]} namespace: ${(e as Error).message}`);
          }
        });
        const inner = sys.fork(0);
        if (inner === 0) {
          try {
            if (p.terminal) {
              // a session of its own, with the terminal on stdin as its controlling tty
              sys.setsid();
              if (sys.isatty(0)) sys.setControllingTty(0);
            }
            const env = processEnv(p);
            try {
              sys.chdir(p.cwd);
            } catch {
              throw new ExecError(`chdir to cwd ("${p.cwd}") set in config.json failed: no such file or directory`, 1);
            }
            const path = lookPath(sys, p.args[0]!, env);
            finalizeProcess(sys, p, lastCap);
            sys.resetSignals();
            sendSync(sys, w, { type: 'ready' });
            sys.execve(path, p.args, env);
          } catch (e) {
            const code = e instanceof ExecError ? e.exitCode : 1;
            try {
              sendSync(sys, w, { type: 'error', message: (e as Error).message, exitCode: code });
            } catch {
              // parent gone
            }
            sys.exit(code);
          }
        }
        sys.close(w);
        // relay the inner process's end as our own
        for (;;) {
          const res = sys.waitpid(inner, 0);
          if (res && (res.kind === 'exited' || res.kind === 'signaled')) sys.exit(exitCodeOf(res));
        }
      } catch (e) {
        try {
          sendSync(sys, w, { type: 'error', message: (e as Error).message, exitCode: 1 });
        } catch {
          // parent gone
        }
        sys.exit(1);
      }
    }
    for (const fd of nsFds) sys.close(fd);
    sys.close(w);
    const msg = readSync(sys, r);
    sys.close(r);
    if (msg?.type === 'error') {
      try {
        sys.waitpid(child, 0);
      } catch {
        // reaped
      }
      throw new RuntimeError(`exec failed: unable to start container process: ${msg.message}`, msg.exitCode);
    }
    if (pidFile) writeFileAtomic(sys, pidFile, String(child));
    if (detach) return child;
    for (;;) {
      try {
        const res = sys.waitpid(child, 0);
        if (res && (res.kind === 'exited' || res.kind === 'signaled')) return exitCodeOf(res);
      } catch (e) {
        if (!isErrno(e, 'EINTR')) throw e;
      }
    }
  }
}

/**
 * Forks the container's init. A pid namespace given by path holds only the children of whoever
 * enters it, so we enter it around the fork and go back to ours after.
 */
export function forkIntoPidNs(sys: Syscalls, spec: OciSpec, flags: number): number {
  const path = spec.linux?.namespaces?.find((n) => n.type === 'pid' && n.path)?.path;
  if (!path) return sys.fork(flags);
  const ours = sys.open('/proc/self/ns/pid', O_RDONLY | O_CLOEXEC);
  try {
    const fd = sys.open(path, O_RDONLY | O_CLOEXEC);
    try {
      sys.setns(fd, CLONE_NEWPID);
    } catch (e) {
      throw new Error(`joining pid namespace ${path}: ${(e as Error).message}`);
    } finally {
      sys.close(fd);
    }
    const pid = sys.fork(flags);
    if (pid !== 0) sys.setns(ours, CLONE_NEWPID);
    return pid;
  } finally {
    sys.close(ours);
  }
}

/** Closes every descriptor above 2 except those kept. */
function closeOthers(sys: Syscalls, keep: number[]): void {
  let fds: number[];
  try {
    fds = sys.readdir('/proc/self/fd').map((e) => Number(e.name)).filter((n) => Number.isInteger(n) && n > 2);
  } catch {
    return;
  }
  for (const fd of fds) {
    if (keep.includes(fd)) continue;
    try {
      sys.close(fd);
    } catch {
      // the directory's own descriptor, already closed
    }
  }
}

function safeReadlink(sys: Syscalls, p: string): string | null {
  try {
    return sys.readlink(p);
  } catch {
    return null;
  }
}

/** A short synchronous pause (poll on nothing) for the rare waits in delete. */
function busyWait(sys: Syscalls, ms: number): void {
  sys.poll([], ms);
}

interface InitArgs {
  spec: OciSpec;
  rootfs: string;
  fifo: string;
  /** The fifo opened (O_PATH) by the parent, or -1: the init opens it by path. */
  fifoFd: number;
  syncFd: number;
  cgroupDir: string | null;
  /** A user namespace's stage 1 has joined the cgroup and the namespaces given by path. */
  joinedByStage1: boolean;
  lastCap: number | undefined;
  consolePath: string | undefined;
  /** Where the parent sends the number of our pty (-1: no console of our own). */
  consoleFd: number;
}

/** The container's first process's name (comm) from its fork until its exec, as runc's. */
const INIT_COMM = 'runc:[2:INIT]';

/** Runs in the new container's first process; never returns (execs or throws). */
function containerInit(sys: Syscalls, a: InitArgs): never {
  tracer().mark('runc init');
  const spec = a.spec;
  const p = spec.process!;
  // the name runc's init goes by in ps and top until it execs the container's program
  try {
    sys.writeFile('/proc/self/comm', INIT_COMM);
  } catch {
    // no /proc: the shim's name stays
  }
  sys.setsid();
  if (p.terminal && a.consoleFd < 0 && sys.isatty(0)) {
    // the caller's tty (runc create from a terminal): the controlling tty of our session
    // unless it already is another session's, such as the shell's that runs us
    try {
      sys.setControllingTty(0);
    } catch (e) {
      if (!isErrno(e, 'EPERM')) throw e;
    }
  }
  if (a.cgroupDir && !a.joinedByStage1) sys.writeFile(`${a.cgroupDir}/cgroup.procs`, '0');
  const namespaces = spec.linux?.namespaces ?? [];
  // a pid namespace by path was entered at fork (it applies to children only); with a new user
  // namespace, stage 1 entered them all while it still had the host's privileges
  if (!a.joinedByStage1) joinByPath(sys, namespaces.filter((n) => n.type !== 'pid'));
  if (namespaces.some((n) => n.type === 'cgroup' && !n.path)) sys.unshare(CLONE_NEWCGROUP);
  const fifoFd = a.fifoFd >= 0 ? a.fifoFd : sys.open(a.fifo, O_PATH | O_CLOEXEC);
  if (spec.hostname && namespaces.some((n) => n.type === 'uts' && !n.path)) sys.sethostname(spec.hostname);
  if (p.oomScoreAdj !== undefined) sys.writeFile('/proc/self/oom_score_adj', String(p.oomScoreAdj));
  const onPivoted = a.consoleFd < 0 ? undefined : (): void => {
    sendSync(sys, a.syncFd, { type: 'console' });
    useConsole(sys, readConsoleIndex(sys, a.consoleFd), p.user.uid);
    sys.close(a.consoleFd);
  };
  // no mknod in a user namespace: the host's device nodes are bound instead
  const bindDevices = namespaces.some((n) => n.type === 'user');
  const mountNs = namespaces.some((n) => n.type === 'mount');
  prepareRootfs(sys, spec, { rootfs: a.rootfs, consolePath: a.consolePath, cgroup2: a.cgroupDir !== null, bindDevices, mountNs, onPivoted });
  const env = processEnv(p);
  try {
    sys.chdir(p.cwd);
  } catch {
    throw new ExecError(`chdir to cwd ("${p.cwd}") set in config.json failed: no such file or directory`, 1);
  }
  const path = lookPath(sys, p.args[0]!, env);
  sendSync(sys, a.syncFd, { type: 'ready' });
  sys.close(a.syncFd);
  // blocks until `runc start` opens the other end
  const w = sys.open(`/proc/self/fd/${fifoFd}`, O_WRONLY | O_CLOEXEC);
  sys.write(w, '0');
  sys.close(w);
  sys.close(fifoFd);
  finalizeProcess(sys, p, a.lastCap);
  sys.resetSignals();
  return sys.execve(path, p.args, env);
}
