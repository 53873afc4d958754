// /proc and /sys/fs/cgroup text recorded in the guest (npm run vm -- exec, after
// `docker run -d --name web -m 32m busybox sleep 1000`), laid out in a FakeSyscalls tree.
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { mkdirp } from '../../../src/guest/util/fsutil.ts';

export const CID = 'abdde7173fcac10c7fd0f44e55c98783e2befa41870444d049906bc2e8254101';

export const HOST_NS = { cgroup: 4026531835, ipc: 4026531839, mnt: 4026531841, net: 4026531840, pid: 4026531836, user: 4026531837, uts: 4026531838 };
export const WEB_NS = { cgroup: 4026532213, ipc: 4026532212, mnt: 4026532210, net: 4026532153, pid: 4026532209, user: 4026531837, uts: 4026532211 };

export const STAT = {
  1: '1 (init) S 0 1 1 0 -1 4194560 78 802 0 0 6 339 466 394 20 0 1 0 115 3629056 492 4294967295 4247552 4851768 3219612464 0 0 0 0 0 524288 1 0 0 17 0 0 0 0 0 0 4973820 4981083 17182720 3219619796 3219619807 3219619807 3219619825 0\n',
  2: '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 1 0 0 20 0 1 0 3 0 0 4294967295 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n',
  12: '12 (ksoftirqd/0) S 2 0 0 0 -1 69238848 0 0 0 0 0 97 0 0 20 0 1 0 6 0 0 4294967295 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n',
  42: '42 (dockerd) S 1 42 42 0 -1 4194560 1196 0 0 0 1617 1168 0 0 20 0 1 0 2609 3465216 722 4294967295 134516736 135343529 3217531248 0 0 0 0 4102 65536 1 0 0 17 0 0 0 0 0 0 136367992 136368672 159272960 3217538806 3217538929 3217538929 3217539051 0\n',
  79: '79 (containerd-shim) S 42 79 79 0 -1 4194560 300 0 0 0 120 80 0 0 20 0 1 0 10500 3465216 500 4294967295 134516736 135343529 3217531248 0 0 0 0 0 65536 1 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n',
  82: '82 (sleep) S 79 82 82 0 -1 4194560 101 0 73 0 200 138 0 0 20 0 1 0 10715 2379776 80 4294967295 134516736 136105352 3220398256 0 0 0 0 0 0 1 0 0 17 0 0 0 0 0 0 136553252 136574360 155738112 3220402051 3220402062 3220402062 3220402161 0\n',
} as const;

export const CMDLINE: Record<number, string> = {
  1: 'init\0\0\0\0\0\0\0',
  2: '',
  12: '',
  42: '/usr/bin/dockerd\0-H\0unix:///var/run/docker.sock\0',
  79: `containerd-shim\0-namespace\0moby\0-id\0${CID}\0`,
  82: 'sleep\0' + '1000\0',
};

function nsLinks(sys: FakeSyscalls, pid: number, ns: Record<string, number>): void {
  mkdirp(sys, `/proc/${pid}/ns`);
  for (const [k, v] of Object.entries(ns)) sys.symlink(`${k}:[${v}]`, `/proc/${pid}/ns/${k}`);
  sys.symlink(`time:[4026531834]`, `/proc/${pid}/ns/time`);
}

export function guestFixture(): FakeSyscalls {
  const sys = new FakeSyscalls();
  for (const [pidText, stat] of Object.entries(STAT)) {
    const pid = Number(pidText);
    mkdirp(sys, `/proc/${pid}`);
    sys.writeFile(`/proc/${pid}/stat`, stat);
    sys.writeFile(`/proc/${pid}/cmdline`, CMDLINE[pid] ?? '');
    sys.writeFile(`/proc/${pid}/cgroup`, pid === 82 ? `0::/docker/${CID}\n` : '0::/\n');
    nsLinks(sys, pid, pid === 82 ? WEB_NS : HOST_NS);
  }
  sys.writeFile('/proc/meminfo', 'MemTotal: 250000 kB\n');
  mkdirp(sys, '/proc/self');
  const root = '/sys/fs/cgroup';
  sys.writeFile(`${root}/cgroup.procs`, '1\n2\n12\n42\n79\n');
  sys.writeFile(`${root}/cpu.stat`, 'usage_usec 37050000\nuser_usec 11180000\nsystem_usec 25870000\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n');
  sys.writeFile(`${root}/memory.stat`, 'anon 1000\n');
  mkdirp(sys, `${root}/docker/${CID}`);
  sys.writeFile(`${root}/docker/cgroup.procs`, '');
  sys.writeFile(`${root}/docker/memory.current`, '700000\n');
  sys.writeFile(`${root}/docker/memory.max`, 'max\n');
  sys.writeFile(`${root}/docker/pids.current`, '1\n');
  sys.writeFile(`${root}/docker/pids.max`, 'max\n');
  sys.writeFile(`${root}/docker/cpu.stat`, 'usage_usec 3300000\nuser_usec 2041854\nsystem_usec 1247800\n');
  sys.writeFile(`${root}/docker/memory.events`, 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n');
  const g = `${root}/docker/${CID}`;
  sys.writeFile(`${g}/cgroup.procs`, '82\n');
  sys.writeFile(`${g}/memory.current`, '655360\n');
  sys.writeFile(`${g}/memory.max`, '33554432\n');
  sys.writeFile(`${g}/pids.current`, '1\n');
  sys.writeFile(`${g}/pids.max`, 'max\n');
  sys.writeFile(`${g}/cpu.stat`, 'usage_usec 3289654\nuser_usec 2041854\nsystem_usec 1247800\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n');
  sys.writeFile(`${g}/memory.events`, 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n');
  mkdirp(sys, `/var/lib/docker/containers/${CID}`);
  sys.writeFile(
    `/var/lib/docker/containers/${CID}/config.v2.json`,
    JSON.stringify({ Id: CID, Name: '/web', ImageName: 'busybox', Config: { Image: 'busybox' }, State: { Status: 'running', Pid: 82, OOMKilled: false }, HostConfig: { Memory: 33554432 } }),
  );
  return sys;
}
