// containerd-shim --standby: started by dockerd before any container needs it
// (daemon/shim-launcher.ts), so its runtime and code are loaded by the time one does. It waits
// for that container's arguments on fd STANDBY_TASK_FD, then goes on as a shim started with them.

import type { Syscalls } from '../sys/syscalls.ts';
import { O_APPEND, O_CLOEXEC, O_CREAT, O_WRONLY } from '../sys/constants.ts';
import { readAllFd } from '../sys/io.ts';
import { utf8Decode } from '../util/text.ts';
import { followSwitchNow, tracer } from '../sys/trace.ts';

/** The descriptor a standby reads its task from: one JSON line, then end of file. */
export const STANDBY_TASK_FD = 4;

/** What dockerd hands a standby: the shim's arguments, the command line ps is to show, the file for its own errors. */
export interface StandbyTask {
  argv: string[];
  cmdline: string[];
  shimLog: string;
}

function isTask(v: unknown): v is StandbyTask {
  const t = v as StandbyTask;
  const strings = (a: unknown): boolean => Array.isArray(a) && a.every((x) => typeof x === 'string');
  return typeof t === 'object' && t !== null && strings(t.argv) && strings(t.cmdline) && typeof t.shimLog === 'string';
}

/**
 * Blocks until the task comes and returns it, with stderr moved to the task's log and tracing as
 * the switch says now (it may have changed since the standby started). Null when dockerd closed
 * the pipe without one (it is going away): the standby just ends.
 */
export function awaitTask(sys: Syscalls): StandbyTask | null {
  const text = utf8Decode(readAllFd(sys, STANDBY_TASK_FD)).trim();
  sys.close(STANDBY_TASK_FD);
  if (text === '') return null;
  const task: unknown = JSON.parse(text);
  if (!isTask(task)) throw new Error(`a standby task that is not {argv, cmdline, shimLog}: ${text.slice(0, 200)}`);
  const err = sys.open(task.shimLog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640);
  sys.dup2(err, 2);
  sys.close(err);
  try {
    // ps then shows this container's shim as if it had been started for it
    sys.setCmdline(task.cmdline);
  } catch {
    // not root (the native tests' qemu-user): ps keeps showing --standby
  }
  followSwitchNow(sys, 'containerd-shim');
  tracer().mark(`start containerd-shim --standby ${task.argv.join(' ')}`.slice(0, 300));
  return task;
}
