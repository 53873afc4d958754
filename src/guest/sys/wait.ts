import { WNOHANG } from './constants.ts';
import type { Syscalls, WaitResult } from './syscalls.ts';

/** Decodes a raw waitpid status word (the WIFEXITED/WEXITSTATUS... macros, in TypeScript). */
export function decodeWaitStatus(pid: number, status: number): WaitResult {
  const sig = status & 0x7f;
  if (sig === 0) return { pid, kind: 'exited', code: (status >> 8) & 0xff };
  if (status === 0xffff) return { pid, kind: 'continued' };
  if ((status & 0xff) === 0x7f) return { pid, kind: 'stopped', signal: (status >> 8) & 0xff };
  return { pid, kind: 'signaled', signal: sig, coreDumped: (status & 0x80) !== 0 };
}

/** The shell's convention for an exit code: the code, or 128 + signal. */
export function exitCodeOf(w: WaitResult): number {
  switch (w.kind) {
    case 'exited':
      return w.code;
    case 'signaled':
      return 128 + w.signal;
    default:
      return -1;
  }
}

/**
 * Reaps every child that has ended, without blocking (for a SIGCHLD handler), and reports each
 * with its shell-style exit code. Stopped and continued children are passed over.
 */
export function reapEnded(sys: Syscalls, onEnded: (pid: number, code: number) => void): void {
  for (;;) {
    let w: WaitResult | null;
    try {
      w = sys.waitpid(-1, WNOHANG);
    } catch {
      return; // ECHILD: no children left
    }
    if (!w) return;
    if (w.kind === 'exited' || w.kind === 'signaled') onEnded(w.pid, exitCodeOf(w));
  }
}
