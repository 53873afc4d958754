// Faults the guest survives: dockerd killed with SIGKILL (while idle and in the middle of a
// `docker run`) comes back through its supervisor, finds the containers that kept running, and
// serves again; files copied with docker cp land where Docker puts them.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

/** Waits until a dockerd other than `old` answers; prints its pid. */
const waitNewDaemon = (old: string) =>
  `i=0; while [ $i -lt 600 ]; do p=$(cat /var/run/docker.pid 2>/dev/null); if [ -n "$p" ] && [ "$p" != "${old}" ] && docker version >/dev/null 2>&1; then echo "$p"; exit 0; fi; sleep 0.1; i=$((i + 1)); done; echo "no new dockerd (log:)"; tail -5 /var/log/dockerd.log; exit 1`;

describe.skipIf(vmSkipReason())(guestSuite('faults in the guest'), () => {
  const g = useGuest();

  it('brings dockerd back after SIGKILL, with its running containers still running and managed', async () => {
    await sh(g.vm, 'docker pull -q busybox >/dev/null');
    const id = (await sh(g.vm, 'docker run -d --name keeper busybox sleep 1000')).trim();
    await sh(g.vm, 'docker run -d --name always --restart always busybox sleep 1000 >/dev/null');
    const old = (await sh(g.vm, 'cat /var/run/docker.pid')).trim();
    await sh(g.vm, `kill -9 ${old}`);
    const next = (await sh(g.vm, waitNewDaemon(old), { timeoutMs: 120_000 })).trim();
    expect(next).toMatch(/^\d+$/);
    expect(next).not.toBe(old);
    expect(await sh(g.vm, "docker ps --format '{{.Names}} {{.Status}}' | sort")).toMatch(/^always Up .+\nkeeper Up .+\n$/);
    // the container's process is the same one: nothing was restarted behind the learner's back
    expect(await sh(g.vm, `docker inspect -f '{{.Id}} {{.State.Running}}' keeper`)).toBe(`${id} true\n`);
    expect(await sh(g.vm, 'docker stop -t 1 keeper')).toBe('keeper\n');
    expect(await sh(g.vm, "docker ps -a --filter name=keeper --format '{{.Status}}'")).toMatch(/^Exited \(137\) /);
    expect(await sh(g.vm, 'tail -1 /var/log/dockerd.log; grep -c "starting it again" /var/log/dockerd.log')).toMatch(/\n1\n$/);
  });

  it('stays consistent when dockerd dies in the middle of a docker run', async () => {
    const old = (await sh(g.vm, 'cat /var/run/docker.pid')).trim();
    // the run is cut off at some point of its way; whatever it got to must be usable or gone
    await sh(g.vm, `(docker run -d --name cut busybox sleep 1000 >/dev/null 2>&1 &); sleep 0.3; kill -9 ${old}`);
    await sh(g.vm, waitNewDaemon(old), { timeoutMs: 120_000 });
    const state = (await sh(g.vm, "docker ps -a --filter name=cut --format '{{.Status}}'")).trim();
    expect(state === '' || /^(Up|Created|Exited)/.test(state), state).toBe(true);
    const rm = await g.vm.exec('docker rm -f cut');
    expect(rm.exitCode === 0 || /No such container/.test(rm.stderr + rm.stdout), rm.stderr).toBe(true);
    expect(await sh(g.vm, 'docker run --rm busybox echo still works')).toBe('still works\n');
    expect(await sh(g.vm, "docker ps -a --format '{{.Names}}' | sort")).toBe('always\nkeeper\n');
  });

  it('copies files in and out of a container with docker cp', async () => {
    await sh(g.vm, 'mkdir -p /root/site && echo "<h1>from the guest</h1>" > /root/site/index.html');
    expect(await sh(g.vm, 'docker cp -q /root/site/. always:/tmp/www && docker exec always cat /tmp/www/index.html')).toBe('<h1>from the guest</h1>\n');
    expect(await sh(g.vm, 'docker cp -q always:/etc/hostname /root/h && cat /root/h')).toBe(`${(await sh(g.vm, 'docker inspect -f "{{.Config.Hostname}}" always')).trim()}\n`);
    await sh(g.vm, 'docker rm -f always keeper >/dev/null');
  });
});
