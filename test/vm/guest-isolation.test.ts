// End to end in the real guest: overlayfs on tmpfs and cgroup v2 limits.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

describe.skipIf(vmSkipReason())(guestSuite('guest overlayfs and cgroups'), () => {
  const g = useGuest({ shares: {} });

  it('merges lower and upper dirs and records a delete as a whiteout', async () => {
    const out = await sh(
      g.vm,
      [
        'set -e',
        'mkdir -p /tmp/ov && mount -t tmpfs tmpfs /tmp/ov && cd /tmp/ov',
        'mkdir lower upper work merged',
        'echo from-lower >lower/a; echo also-lower >lower/b; echo from-upper >upper/c',
        'mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work merged',
        'ls merged | tr "\\n" " "; echo',
        'rm merged/a',
        'ls merged | tr "\\n" " "; echo',
        'ls -l upper/a | cut -c1',
        'stat -c "%t:%T" upper/a',
        'cat lower/a',
        'cd / && umount /tmp/ov/merged && umount /tmp/ov',
      ].join('\n'),
    );
    expect(out.split('\n')).toEqual(['a b c ', 'b c ', 'c', '0:0', 'from-lower', '']);
  });

  it('OOM-kills a process that exceeds memory.max (exit 137)', async () => {
    const out = await sh(
      g.vm,
      [
        'cg=/sys/fs/cgroup/wbtest-mem',
        'mkdir -p $cg && echo 16M >$cg/memory.max',
        // tail -c keeps the last 24 MB of its input in memory: more than the group may use.
        `sh -c 'echo $$ >'$cg'/cgroup.procs; head -c 26000000 /dev/zero | tail -c 24000000 >/dev/null'`,
        'echo rc=$?',
        'grep oom_kill $cg/memory.events',
        'rmdir $cg',
      ].join('\n'),
      { timeoutMs: 170_000 },
    );
    expect(out).toMatch(/^rc=137\n/);
    expect(Number(out.match(/oom_kill (\d+)/)?.[1])).toBeGreaterThan(0);
  }, 180_000);

  it('stops forks beyond pids.max', async () => {
    const r = await g.vm.exec(
      [
        'cg=/sys/fs/cgroup/wbtest-pids',
        'mkdir -p $cg && echo 3 >$cg/pids.max',
        `sh -c 'echo $$ >'$cg'/cgroup.procs; for i in 1 2 3 4 5; do sleep 1 & done; wait'`,
        'echo rc=$?',
        'cat $cg/pids.events',
        'sleep 1.2; rmdir $cg',
      ].join('\n'),
      { timeoutMs: 30_000 },
    );
    expect(r.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
    expect(Number(r.stdout.match(/max (\d+)/)?.[1])).toBeGreaterThan(0);
  });
});
