// The standby shim end to end in the real guest (daemon/shim-launcher.ts, shim/standby.ts): once
// container starts pause, dockerd keeps one containerd-shim started ahead; the next container
// takes it (ps then shows the container's arguments), and a standby that died is replaced by a
// fresh spawn without the learner noticing. One guest; the tests build on each other.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

/** The standby's pid, once one shows (within ~5 s), else an empty line. */
const STANDBY = "for i in $(seq 1 50); do p=$(ps -o pid,args | awk '$2 == \"containerd-shim\" && $3 == \"--standby\" {print $1}'); [ -n \"$p\" ] && break; sleep 0.1; done; echo $p";

describe.skipIf(vmSkipReason())(guestSuite('standby containerd-shim'), () => {
  const g = useGuest();

  it('starts none before any container, and one a second after container starts pause', async () => {
    expect(await sh(g.vm, 'sleep 1.5; ps -o args | grep -c "^containerd-shim --standby" || true')).toBe('0\n');
    await sh(g.vm, 'docker pull -q busybox >/dev/null && docker run --rm busybox true');
    const pid = (await sh(g.vm, STANDBY)).trim();
    expect(pid).toMatch(/^\d+$/);
    // dockerd's child, waiting
    expect(await sh(g.vm, `awk '{print $4}' /proc/${pid}/stat; echo $(cat /var/run/docker.pid)`)).toMatch(/^(\d+)\n\1\n$/);
  });

  it('hands the next container to the standby: its shim, with the container as ps shows it', async () => {
    const pid = (await sh(g.vm, STANDBY)).trim();
    const out = await sh(g.vm, [
      'docker run -d --name sb busybox sh -c "echo from the container; sleep 600" >/dev/null',
      "C=$(docker inspect -f '{{.State.Pid}}' sb)",
      "awk '{print $4}' /proc/$C/stat",
      'tr "\\0" " " </proc/$(awk \'{print $4}\' /proc/$C/stat)/cmdline | cut -d" " -f1-3',
      "docker inspect -f '{{.Id}}' sb",
      'sleep 0.5; docker logs sb',
    ].join('; '));
    const [shimPid, cmdline, id, log] = out.split('\n');
    expect(shimPid).toBe(pid);
    expect(cmdline).toBe(`containerd-shim --id ${id}`);
    expect(log).toBe('from the container');
    expect(await sh(g.vm, 'docker stop -t 1 sb >/dev/null; docker inspect -f "{{.State.Status}} {{.State.ExitCode}}" sb; docker rm sb >/dev/null')).toBe('exited 137\n');
  });

  it('runs the next container with a fresh shim when the standby died, and starts a new standby', async () => {
    const pid = (await sh(g.vm, STANDBY)).trim();
    expect(pid).toMatch(/^\d+$/);
    await sh(g.vm, `kill -9 ${pid}`);
    expect(await sh(g.vm, 'echo piped | docker run --rm -i busybox cat; echo $?')).toBe('piped\n0\n');
    const next = (await sh(g.vm, STANDBY)).trim();
    expect(next).toMatch(/^\d+$/);
    expect(next).not.toBe(pid);
    expect(await sh(g.vm, 'ps -o args | grep -c "^containerd-shim --standby"')).toBe('1\n');
  });
});
