import { describe, expect, it } from 'vitest';
import { parseCmdline, parseKeyed, parseLimit, parseNsLink, parseOverlayMounts, parseProcCgroup, parseStat } from '../../../src/guest/inspect/parse.ts';
import { STAT } from './fixture.ts';

describe('inspector parsers (recorded guest text)', () => {
  it('reads /proc/PID/stat, including a command name with spaces and parentheses', () => {
    expect(parseStat(STAT[82])).toEqual({ comm: 'sleep', state: 'S', ppid: 79, cpuTicks: 338, start: 10715 });
    expect(parseStat(STAT[1])).toMatchObject({ comm: 'init', ppid: 0, cpuTicks: 345 });
    expect(parseStat('7 (a (b) c) R 3 7 7 0 -1 0 0 0 0 0 5 6 0 0')).toMatchObject({ comm: 'a (b) c', state: 'R', ppid: 3, cpuTicks: 11 });
    expect(parseStat('')).toBeNull();
    expect(parseStat('12 (x) S notanumber')).toBeNull();
  });

  it('joins a NUL-separated command line, drops trailing NULs and cuts long ones', () => {
    expect(parseCmdline('/usr/bin/dockerd\0-H\0unix:///var/run/docker.sock\0')).toBe('/usr/bin/dockerd -H unix:///var/run/docker.sock');
    expect(parseCmdline('init\0\0\0\0\0\0\0')).toBe('init');
    expect(parseCmdline('')).toBe('');
    const long = parseCmdline('x'.repeat(500), 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('takes the inode from a namespace link', () => {
    expect(parseNsLink('pid:[4026532209]')).toBe(4026532209);
    expect(parseNsLink('cgroup:[4026531835]')).toBe(4026531835);
    expect(parseNsLink('')).toBe(0);
    expect(parseNsLink('pid:[x]')).toBe(0);
  });

  it('finds the unified cgroup path', () => {
    expect(parseProcCgroup('0::/docker/abc\n')).toBe('/docker/abc');
    expect(parseProcCgroup('0::/\n')).toBe('/');
    expect(parseProcCgroup('1:name=systemd:/x\n0::/init.scope\n')).toBe('/init.scope');
    expect(parseProcCgroup('1:cpu:/x\n')).toBeNull();
  });

  it('reads limits ("max" is none) and keyed files', () => {
    expect(parseLimit('33554432\n')).toBe(33554432);
    expect(parseLimit('max\n')).toBeNull();
    expect(parseLimit('junk')).toBeNull();
    expect(parseKeyed('usage_usec 3289654\nuser_usec 2041854\n\nbad\n')).toEqual({ usage_usec: 3289654, user_usec: 2041854 });
    expect(parseKeyed('low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n').oom_kill).toBe(1);
  });

  it('lists overlay mounts with their layers', () => {
    const text =
      'proc /proc proc rw 0 0\n' +
      'overlay /var/lib/docker/overlay2/abc/merged overlay rw,relatime,lowerdir=/var/run/docker/views/80bc:/l/2,upperdir=/var/lib/docker/overlay2/abc/diff,workdir=/var/lib/docker/overlay2/abc/work 0 0\n' +
      'overlay /a\\040b overlay ro,lowerdir=/x 0 0\n';
    expect(parseOverlayMounts(text)).toEqual([
      { target: '/var/lib/docker/overlay2/abc/merged', lower: ['/var/run/docker/views/80bc', '/l/2'], upper: '/var/lib/docker/overlay2/abc/diff' },
      { target: '/a b', lower: ['/x'], upper: null },
    ]);
  });
});
