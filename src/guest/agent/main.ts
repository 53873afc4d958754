// The VM driver's control agent: a resident process on the guest's second serial port (ttyS1)
// that runs the host's requests (lesson checks, tests, the headless CLI) apart from the
// learner's terminal. Wire format: src/vm/protocol.ts (host side). It replaces a busybox sh
// script that forked five or six helpers per request (a few hundred ms in the emulator): here a
// request costs one fork and exec of sh, with its output collected from pipes.
//
// control-agent [--ready-fd N]   (stdin and stdout are the control tty, set raw; fd N is closed
//                                 once requests are served)
// In the guest, `whalebone boot` runs serveControl() in a forked child of itself rather than
// exec'ing this role: a second QuickJS start is a second or so of a cold boot in the emulator.

import { readSome, writeAll } from '../sys/io.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { F_GETFL, F_SETFL, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGQUIT } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { reapEnded } from '../sys/wait.ts';
import { encodeBase64 } from '../util/base64.ts';
import { concatBytes } from '../sys/utf8.ts';
import { utf8Decode, utf8Encode } from '../util/text.ts';
import { parseRequestLine, type AgentRequest, type Field } from './request.ts';
import { Collector } from '../inspect/collect.ts';
import { parseParts } from '../inspect/parts.ts';
import { ChainTrace } from './chain.ts';
import { FolderHolder } from './hold.ts';

export const AGENT_VERSION = '5';
const MARK = '\x02WB ';
const SHELL = '/bin/sh';
/** The guest's glibc tools, on the share (scripts/vm-build/rootfs.ts links /bin/ip and others there). */
export const TOOLS_DIR = '/mnt/host/tools';

interface Running {
  nonce: string;
  pid: number;
  /** Output pipes still open, each with what was read from it so far. */
  pipes: Map<number, Uint8Array[]>;
  out: Uint8Array[];
  err: Uint8Array[];
  status: number | null;
  answered: boolean;
}

export function agentMain(argv: string[], sys: Syscalls): Promise<number> {
  const readyFd = argv[0] === '--ready-fd' && Number.isInteger(Number(argv[1])) ? Number(argv[1]) : null;
  return serveControl(sys, { readyFd, env: sys.environ() });
}

export interface ControlOptions {
  /** Closed once requests are served (a readiness signal for whoever holds the other end). */
  readyFd: number | null;
  /** The environment requests run with. */
  env: string[];
}

/** Serves requests on fds 0 and 1 until fd 0 ends. Not async: see shimMain on QuickJS and rejected promises. */
export function serveControl(sys: Syscalls, opts: ControlOptions): Promise<number> {
  const { readyFd, env } = opts;
  for (const sig of [SIGHUP, SIGINT, SIGQUIT]) sys.ignoreSignal(sig);
  try {
    // the agent must outlive an OOM in the guest; requests get the default score back
    writeText(sys, '/proc/self/oom_score_adj', '-1000');
  } catch {
    // not in a guest (native tests): no matter
  }
  const byPid = new Map<number, Running>();
  const byNonce = new Map<string, Running>();
  const buf = new Uint8Array(65536);
  let collector: Collector | null = null;
  let chain: ChainTrace | null = null;
  const tools = new FolderHolder(sys, TOOLS_DIR);

  const send = (text: string): void => {
    const bytes = utf8Encode(text);
    for (let off = 0; off < bytes.length; ) {
      try {
        off += sys.write(1, bytes.subarray(off));
      } catch (e) {
        if (!isErrno(e, 'EINTR') && !isErrno(e, 'EAGAIN')) throw e;
      }
    }
  };

  const close = (r: Running, fd: number): void => {
    sys.watch(fd, 'read', null);
    sys.close(fd);
    r.pipes.delete(fd);
    if (r.answered && r.pipes.size === 0) byNonce.delete(r.nonce);
  };

  /** Reads what fd holds now; false once it reached end of file (and was closed). */
  const pull = (r: Running, fd: number): boolean => {
    for (;;) {
      const n = readSome(sys, fd, buf);
      if (n === null) return true;
      if (n === 0) {
        close(r, fd);
        return false;
      }
      // output that comes after the answer (from a process the script left running) is read,
      // so that process never blocks on a full pipe, and dropped
      if (!r.answered) r.pipes.get(fd)?.push(buf.slice(0, n));
    }
  };

  /**
   * Answers once the script's own process has ended and its pipes are drained; background
   * processes that inherited the pipes do not hold the answer back.
   */
  const answer = (r: Running): void => {
    if (r.answered || r.status === null) return;
    for (const fd of [...r.pipes.keys()]) pull(r, fd);
    r.answered = true;
    if (r.pipes.size === 0) byNonce.delete(r.nonce);
    send(frame(r.nonce, concatBytes(r.out), concatBytes(r.err), r.status));
  };

  const reap = (): void =>
    reapEnded(sys, (pid, code) => {
      const r = byPid.get(pid);
      if (!r) return;
      byPid.delete(pid);
      r.status = code;
      answer(r);
    });

  const openStdin = (stdin: Field): { fd: number; feed: { fd: number; data: Uint8Array } | null } => {
    if (stdin.kind === 'path') return { fd: sys.open(stdin.path, O_RDONLY | O_CLOEXEC), feed: null };
    if (stdin.data.length === 0) return { fd: sys.open('/dev/null', O_RDONLY | O_CLOEXEC), feed: null };
    const [r, w] = sys.pipe(O_CLOEXEC);
    return { fd: r, feed: { fd: w, data: stdin.data } };
  };

  const run = (nonce: string, stdinField: Field, script: Field): void => {
    if (byNonce.has(nonce)) return;
    let stdin;
    try {
      stdin = openStdin(stdinField);
    } catch (e) {
      send(frame(nonce, new Uint8Array(0), utf8Encode(`control-agent: stdin: ${(e as Error).message}\n`), 1));
      return;
    }
    tools.hold();
    const [outR, outW] = sys.pipe(O_CLOEXEC);
    const [errR, errW] = sys.pipe(O_CLOEXEC);
    const text = script.kind === 'path' ? `. ${shellWord(script.path)}` : utf8Decode(script.data);
    const pid = sys.fork(0);
    if (pid === 0) {
      try {
        // its own session, so a kill reaches everything the request started
        sys.setsid();
        try {
          writeText(sys, '/proc/self/oom_score_adj', '0');
        } catch {
          // not in a guest
        }
        sys.dup2(stdin.fd, 0);
        sys.dup2(outW, 1);
        sys.dup2(errW, 2);
        sys.execve(SHELL, ['sh', '-c', text], env);
      } catch {
        sys.exit(127);
      }
    }
    sys.close(outW);
    sys.close(errW);
    sys.close(stdin.fd);
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const r: Running = { nonce, pid, pipes: new Map([[outR, out], [errR, err]]), out, err, status: null, answered: false };
    byPid.set(pid, r);
    byNonce.set(nonce, r);
    for (const fd of [outR, errR]) {
      sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) | O_NONBLOCK);
      sys.watch(fd, 'read', () => void pull(r, fd));
    }
    if (stdin.feed) writeStdin(sys, stdin.feed.fd, stdin.feed.data);
  };

  const kill = (nonce: string): void => {
    const r = byNonce.get(nonce);
    if (!r || r.answered) return;
    try {
      sys.kill(-r.pid, SIGKILL);
    } catch {
      try {
        sys.kill(r.pid, SIGKILL);
      } catch {
        // gone
      }
    }
  };

  const handle = (req: AgentRequest): void => {
    switch (req.kind) {
      case 'run':
        run(req.nonce, req.stdin, req.script);
        return;
      case 'kill':
        kill(req.nonce);
        return;
      case 'ping':
        send(`${MARK}${req.nonce} PONG\n`);
        return;
      case 'inspect':
        // in this process, between other requests' events: a snapshot is a few hundred reads
        // and no fork, which is what makes a once-a-second refresh affordable in the emulator
        collector ??= new Collector(sys);
        // one line of JSON rather than a base64 result frame: base64 in interpreted JavaScript
        // was most of a refresh's cost in the emulator, and JSON.stringify (C in QuickJS)
        // escapes every control character, so the line can hold no newline and no marker
        send(`${MARK}${req.nonce} J ${JSON.stringify(collector.snapshot(parseParts(req.parts)))}\n`);
        return;
      case 'chain':
        chain ??= new ChainTrace(sys);
        send(`${MARK}${req.nonce} J ${JSON.stringify(chain.handle(req.op))}\n`);
        return;
    }
  };

  return new Promise<number>((resolve) => {
    sys.onSignal(SIGCHLD, reap);
    let pending = '';
    const input = new Uint8Array(4096);
    sys.watch(0, 'read', () => {
      const n = readSome(sys, 0, input);
      if (n === null) return;
      if (n === 0) {
        // the host side went away (native tests close the pipe): done
        sys.watch(0, 'read', null);
        resolve(0);
        return;
      }
      for (let i = 0; i < n; i++) pending += String.fromCharCode(input[i]!);
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const req = parseRequestLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        if (!req) continue;
        try {
          handle(req);
        } catch (e) {
          // one bad request must never cost the agent: it fails alone
          if (req.kind === 'run' || req.kind === 'inspect' || req.kind === 'chain') send(frame(req.nonce, new Uint8Array(0), utf8Encode(`control-agent: ${(e as Error).message}\n`), 125));
        }
      }
      // a line longer than any request is noise: drop it rather than grow without bound
      if (pending.length > 1 << 20) pending = '';
    });
    send(`${MARK}- READY ${AGENT_VERSION}\n`);
    if (readyFd !== null) {
      try {
        sys.close(readyFd);
      } catch {
        // not open: nobody waits
      }
    }
  });
}

/** One result frame: stdout and stderr as base64 lines between markers, then the exit code. */
export function frame(nonce: string, out: Uint8Array, err: Uint8Array, code: number): string {
  return `${MARK}${nonce} O ${out.length}\n${lines(encodeBase64(out))}${MARK}${nonce} E ${err.length}\n${lines(encodeBase64(err))}${MARK}${nonce} X ${code}\n`;
}

function lines(b64: string): string {
  let s = '';
  for (let i = 0; i < b64.length; i += 76) s += b64.slice(i, i + 76) + '\n';
  return s;
}

function shellWord(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function writeText(sys: Syscalls, path: string, text: string): void {
  const fd = sys.open(path, O_WRONLY | O_CLOEXEC);
  try {
    sys.write(fd, utf8Encode(text));
  } finally {
    sys.close(fd);
  }
}

/** Inline stdin is small (the host stashes big payloads on the share): one blocking write. */
function writeStdin(sys: Syscalls, fd: number, data: Uint8Array): void {
  try {
    writeAll(sys, fd, data);
  } catch {
    // the script did not read it all
  } finally {
    sys.close(fd);
  }
}

