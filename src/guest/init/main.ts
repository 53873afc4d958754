// docker-init: the minimal init `docker run --init` puts at PID 1. It starts the program given
// after "--", passes on the signals a container receives, reaps every orphan, and exits with the
// program's code (128 + signal when it was killed).

import type { Syscalls } from '../sys/syscalls.ts';
import { SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH } from '../sys/constants.ts';
import { writeAll } from '../sys/io.ts';
import { reapEnded } from '../sys/wait.ts';
import { lookPath } from '../runc/process.ts';

const FORWARDED = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH];

/** Not async: see shimMain on QuickJS and rejected promises. */
export function initMain(argv: string[], sys: Syscalls): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  if (args.length === 0) {
    writeAll(sys, 2, 'docker-init: no program given\nUsage: docker-init [--] PROGRAM [ARGS...]\n');
    return Promise.resolve(1);
  }
  let path: string;
  try {
    path = lookPath(sys, args[0]!, sys.environ());
  } catch (e) {
    writeAll(sys, 2, `docker-init: ${(e as Error).message}\n`);
    return Promise.resolve(127);
  }
  const child = sys.fork(0);
  if (child === 0) {
    try {
      sys.execve(path, args, sys.environ());
    } catch (e) {
      writeAll(sys, 2, `docker-init: exec ${args[0]} failed: ${(e as Error).message}\n`);
      sys.exit(127);
    }
  }
  return new Promise<number>((resolve) => {
    for (const sig of FORWARDED) {
      sys.onSignal(sig, () => {
        try {
          sys.kill(child, sig);
        } catch {
          // already gone
        }
      });
    }
    const reap = (): void => reapEnded(sys, (pid, code) => pid === child && resolve(code));
    sys.onSignal(SIGCHLD, reap);
    reap();
  });
}
