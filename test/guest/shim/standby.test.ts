// The standby shim's side of the hand-over (src/guest/shim/standby.ts), against the Syscalls
// fake: the task read from fd 4, stderr moved to the task's log, the command line ps shows.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { awaitTask, STANDBY_TASK_FD } from '../../../src/guest/shim/standby.ts';
import { writeAll } from '../../../src/guest/sys/io.ts';

function withTask(text: string | null): FakeSyscalls {
  const sys = new FakeSyscalls();
  sys.addDir('/var/lib/docker/containers/c1');
  const [r, w] = sys.pipe();
  if (text !== null) writeAll(sys, w, text);
  sys.close(w);
  sys.dup2(r, STANDBY_TASK_FD);
  sys.close(r);
  return sys;
}

describe('standby shim: its task', () => {
  it('returns the arguments, makes the task log its stderr and shows the container in its command line', () => {
    const task = { argv: ['--id', 'c1', '--status-fd', '3'], cmdline: ['containerd-shim', '--id', 'c1', '--status-fd', '3'], shimLog: '/var/lib/docker/containers/c1/shim.log' };
    const sys = withTask(JSON.stringify(task) + '\n');
    expect(awaitTask(sys)).toEqual(task);
    writeAll(sys, 2, 'an error\n');
    expect(new TextDecoder().decode(sys.readFile('/var/lib/docker/containers/c1/shim.log'))).toBe('an error\n');
    expect(sys.cmdline).toEqual(task.cmdline);
    expect(() => sys.read(STANDBY_TASK_FD, new Uint8Array(1))).toThrow(/^EBADF/);
  });

  it('ends without a task when dockerd closes the pipe (it is going away)', () => {
    const sys = withTask(null);
    expect(awaitTask(sys)).toBeNull();
    expect(sys.cmdline).toBeNull();
  });

  it('refuses a task that is not one, naming what it got', () => {
    expect(() => awaitTask(withTask('{"argv": "--id c1"}\n'))).toThrow(/a standby task that is not \{argv, cmdline, shimLog\}: \{"argv": "--id c1"\}/);
  });
});
