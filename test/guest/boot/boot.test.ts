import { describe, expect, it } from 'vitest';
import { FakeExit, FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { AGENT_PIDFILE, AGENT_TTY, HOOKS_DIR, SHARE_READAHEAD_KB, becomeAgent, bootMain, openAgentTty, startHooks } from '../../../src/guest/boot/main.ts';
import { makeRaw } from '../../../src/guest/sys/termios.ts';
import type { Termios } from '../../../src/guest/sys/termios.ts';

const COOKED: Termios = { iflag: 0o2400, oflag: 0o5, cflag: 0o277, lflag: 0o105073, line: 0, cc: [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0] };

function guest(): FakeSyscalls {
  const sys = new FakeSyscalls();
  sys.addFile('/etc/hostname', 'whalebone\n');
  sys.addFile('/sys/fs/cgroup/cgroup.controllers', 'cpuset cpu memory pids\n');
  sys.addFile('/sys/fs/cgroup/cgroup.subtree_control', '');
  sys.addDir('/newroot');
  sys.addDir('/mnt/host');
  sys.addDir('/var/log');
  sys.addFile(`${HOOKS_DIR}/README`, 'not a hook', 0o644);
  sys.addFile(`${HOOKS_DIR}/50-dockerd`, '#!/bin/sh\n', 0o755);
  sys.addFile(`${HOOKS_DIR}/10-first`, '#!/bin/sh\n', 0o755);
  sys.addFile(`${HOOKS_DIR}/20-disabled`, '#!/bin/sh\n', 0o644);
  sys.addFile(AGENT_TTY, '');
  sys.on('tcgetattr', () => COOKED);
  sys.on('tcsetattr', () => undefined);
  sys.fail('socket', 'EAFNOSUPPORT', Infinity); // no rtnetlink in the fake
  return sys;
}

describe('whalebone boot', () => {
  it('mounts the kernel filesystems, cgroup v2 and the 9p share, names the host and ends at once', async () => {
    const sys = guest();
    expect(await bootMain([], sys)).toBe(0);
    expect(sys.mounts.map((m) => `${m.fstype} ${m.target}${m.data ? ` ${m.data}` : ''}`)).toEqual([
      'proc /proc',
      'sysfs /sys',
      'devtmpfs /dev',
      'devpts /dev/pts gid=5,mode=0620,ptmxmode=0666',
      'tmpfs /dev/shm mode=1777',
      'mqueue /dev/mqueue',
      'cgroup2 /sys/fs/cgroup nsdelegate,favordynmods',
      '9p /mnt/host trans=virtio,version=9p2000.L,cache=none',
    ]);
    expect(sys.readlink('/dev/fd')).toBe('/proc/self/fd');
    expect(sys.readlink('/dev/stderr')).toBe('/proc/self/fd/2');
    // one controller per write, so one the kernel refuses does not take the others with it
    const writes = sys.callsOf('write').map((a) => String(a[1])).filter((t) => t.startsWith('+'));
    expect(writes).toEqual(['+cpuset', '+cpu', '+memory', '+pids']);
    expect(sys.hostname).toBe('whalebone');
    expect(() => sys.stat('/newroot')).toThrow(/ENOENT/);
    expect(sys.stat('/root/lab').mode & 0o170000).toBe(0o040000);
    // the agent and the hooks' runner are children; boot itself waits for neither
    expect(sys.callsOf('fork')).toHaveLength(2);
    expect(sys.callsOf('waitpid')).toHaveLength(0);
    expect(sys.stderr).toContain('boot: cannot bring up lo');
  });

  it("turns readahead on for the 9p share's backing device and leaves other devices alone", async () => {
    const sys = guest();
    sys.addFile('/sys/class/bdi/9p-1/read_ahead_kb', '0\n');
    sys.addFile('/sys/class/bdi/0:21/read_ahead_kb', '0\n');
    expect(await bootMain([], sys)).toBe(0);
    expect(new TextDecoder().decode(sys.readFile('/sys/class/bdi/9p-1/read_ahead_kb'))).toBe(`${SHARE_READAHEAD_KB}`);
    expect(new TextDecoder().decode(sys.readFile('/sys/class/bdi/0:21/read_ahead_kb'))).toBe('0\n');
    expect(SHARE_READAHEAD_KB).toBeGreaterThan(4);
  });

  it('boots on without readahead when the kernel has no bdi folder', async () => {
    const sys = guest();
    expect(await bootMain([], sys)).toBe(0);
    expect(sys.stderr).toContain('boot: no readahead on the 9p share');
    expect(sys.hostname).toBe('whalebone');
  });

  it('says what it could not mount and goes on', async () => {
    const sys = guest();
    sys.on('mount', (source, target) => {
      if (source === 'host9p') throw Object.assign(new Error('mount 9p: ENOENT'), { code: 'ENOENT' });
      return undefined;
    });
    expect(await bootMain([], sys)).toBe(0);
    expect(sys.stderr).toContain('boot: no 9p share; /mnt/host is empty');
    expect(sys.hostname).toBe('whalebone');
  });

  it('forks the control agent from itself (no second QuickJS start) and names it in a pid file', async () => {
    const sys = guest();
    expect(await bootMain([], sys)).toBe(0);
    const forks = sys.callsOf('fork');
    expect(forks).toHaveLength(2);
    expect(sys.callsOf('execve')).toHaveLength(0);
    const pids = [...sys.processes.keys()];
    expect(sys.readFile(AGENT_PIDFILE)).toEqual(new TextEncoder().encode(`${pids[1]}\n`));
    expect(sys.callsOf('tcsetattr')[0]?.[1]).toEqual(makeRaw(COOKED));
  });

  it('gives the agent the raw control tty as stdin and stdout, and serves on it in this process', () => {
    const sys = guest();
    const tty = openAgentTty(sys)!;
    const [, readyW] = sys.pipe();
    const served = becomeAgent(sys, tty, readyW, ['PATH=/bin']);
    expect(served).toBeInstanceOf(Promise);
    expect(sys.callsOf('setsid')).toHaveLength(1);
    expect(sys.callsOf('dup2').map((a) => a[1])).toEqual([0, 1, 2]);
    // the agent watches its input and says READY on its output, then closes the readiness pipe
    expect(sys.watches.size).toBeGreaterThan(0);
    expect(sys.callsOf('close').map((a) => a[0])).toContain(readyW);
  });

  it('runs only the executable hooks, in name order, after the agent is ready', () => {
    const sys = guest();
    sys.forkAs = 'child';
    const [readyR, readyW] = sys.pipe();
    sys.close(readyW); // the agent closed its end: ready
    expect(() => startHooks(sys, ['PATH=/bin'], readyR, [])).toThrow(FakeExit);
    expect(sys.callsOf('poll')).toHaveLength(1);
    // in the fake every fork returns 0, so the first hook's exec ends the run
    expect(sys.callsOf('execve').map((a) => a[0])).toEqual([`${HOOKS_DIR}/10-first`]);
  });
});
