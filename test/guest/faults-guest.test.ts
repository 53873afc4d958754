// A learner who fills the guest's disk or runs a fork bomb or a memory hog in a container: Docker's
// "no space left on device", dockerd answering throughout, nothing on disk corrupted, and
// everything working again once the filler is gone; the containers' budget (boot/limits.ts:
// pids.max and memory.max on /sys/fs/cgroup/docker) holds a fork bomb and a hog while the learner's
// terminal, `docker ps` and `docker stop` still answer. One guest; the tests build on each other and
// leave nothing running. No timings are asserted; the figures are printed for the report.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

const CG = '/sys/fs/cgroup/docker';

describe.skipIf(vmSkipReason())(guestSuite('a full disk, a fork bomb and a memory hog in the guest'), () => {
  const g = useGuest();
  const daemonLog = async (): Promise<string> => `\n--- /var/log/dockerd.log ---\n${(await g.vm.exec('tail -20 /var/log/dockerd.log')).stdout}`;

  /** The root tmpfs's size and free space (busybox df does not know the rootfs mount). */
  const disk = async (): Promise<string> => {
    const [blocks, free] = (await sh(g.vm, "stat -f -c '%b %f' /")).trim().split(' ').map(Number);
    return `${((blocks! * 4) / 1024).toFixed(1)} MiB, ${((free! * 4) / 1024).toFixed(1)} MiB free`;
  };

  /** The learner's terminal (the serial console) answers a command typed there. */
  async function terminalAnswers(word: string): Promise<void> {
    let text = '';
    const off = g.vm.onTerminal((d) => {
      text += Buffer.from(d).toString('utf8');
    });
    try {
      g.vm.sendTerminal(`echo ${word}-$((20 + 22))\r`);
      const end = Date.now() + 120_000;
      while (Date.now() < end && !text.includes(`${word}-42`)) await new Promise((r) => setTimeout(r, 100));
      expect(text, 'the serial console did not answer').toContain(`${word}-42`);
    } finally {
      off?.();
    }
  }

  it('a filled disk gives "no space left on device", dockerd keeps answering, and freeing it brings everything back', async () => {
    await sh(g.vm, 'docker pull -q busybox >/dev/null');
    console.log(`guest disk before: ${await disk()}`);
    // the filler, as a learner would run it (its dd fails and says why; the attached run shows it)
    const fill = await g.vm.exec('docker run --name filler busybox dd if=/dev/zero of=/big bs=1M', { timeoutMs: 300_000 });
    expect(fill.exitCode, fill.stdout + fill.stderr).toBe(1);
    expect(fill.stdout + fill.stderr).toMatch(/No space left on device/);
    // the last pages, from the guest's shell, so nothing freed since can make room
    await g.vm.exec('cat /dev/zero > /root/top 2>/dev/null', { timeoutMs: 120_000 });
    console.log(`guest disk full: ${await disk()}`);

    // dockerd answers, and knows the filler's exit code even though its shim could not write it down
    expect(await sh(g.vm, "docker ps -a --format '{{.Names}} {{.Status}}'")).toMatch(/^filler Exited \(1\) /);
    expect(await sh(g.vm, "docker info --format '{{.Containers}} {{.Driver}}'")).toBe('1 overlay2\n');
    const run = await g.vm.exec('docker run --rm busybox echo hi', { timeoutMs: 120_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(125);
    expect(run.stderr).toMatch(/^docker: Error response from daemon: \w+ \/var\/lib\/docker\/\S+: no space left on device/);
    const pull = await g.vm.exec('docker pull hello-world', { timeoutMs: 120_000 });
    expect(pull.exitCode, pull.stdout + pull.stderr).not.toBe(0);
    expect(pull.stdout + pull.stderr).toMatch(/no space left on device/);
    // nothing half-made is left: the failed run and pull added no container and no image
    expect(await sh(g.vm, "docker ps -a --format '{{.Names}}'")).toBe('filler\n');
    expect(await sh(g.vm, "docker images --format '{{.Repository}}'")).toBe('busybox\n');
    // every record on disk is still whole JSON
    await sh(g.vm, 'for f in /var/lib/docker/containers/*/config.v2.json /var/lib/docker/image/overlay2/repositories.json; do grep -q "^{.*}$" "$f" || { echo "torn: $f"; exit 1; }; done');

    // the learner cleans up: the file and the stopped container
    await sh(g.vm, 'rm /root/top');
    expect(await sh(g.vm, 'docker system prune -f', { timeoutMs: 120_000 })).toMatch(/Deleted Containers:\n[0-9a-f]{64}\n[\s\S]*Total reclaimed space: \d/);
    console.log(`guest disk after prune: ${await disk()}`);
    expect(await sh(g.vm, 'docker run --rm busybox echo ok', { timeoutMs: 120_000 })).toBe('ok\n');
    expect(await sh(g.vm, 'docker pull -q hello-world', { timeoutMs: 300_000 })).toMatch(/hello-world/);
    await sh(g.vm, 'docker rmi -f hello-world >/dev/null');
  }, 900_000);

  it('a fork bomb in a container stops at the budget; the terminal and docker answer, and docker stop ends it', async () => {
    expect(await sh(g.vm, `cat ${CG}/pids.max ${CG}/memory.max`)).toMatch(/^1024\n\d+\n$/);
    const id = (await sh(g.vm, "docker run -d --name bomb busybox sh -c 'f(){ f|f& }; f; sleep 3600'")).trim();
    // the budget bites: forks fail once the containers' group holds pids.max tasks (the kernel
    // counts the refusals in the forking task's own group)
    const hit = await sh(g.vm, `i=0; while [ $i -lt 600 ]; do set -- $(cat ${CG}/${id}/pids.events); [ "$2" -gt 0 ] && break; sleep 0.5; i=$((i+1)); done; echo "$2 $(cat ${CG}/pids.current)"`, { timeoutMs: 400_000 });
    const [refused, tasks] = hit.trim().split(' ').map(Number);
    console.log(`fork bomb: forks refused ${refused}, tasks in the containers' group then ${tasks}`);
    expect(refused).toBeGreaterThan(0);
    expect(tasks).toBeLessThanOrEqual(1024);
    let t = Date.now();
    await terminalAnswers('bomb');
    const termMs = Date.now() - t;
    t = Date.now();
    expect(await sh(g.vm, "docker ps --format '{{.Names}}'", { timeoutMs: 300_000 })).toBe('bomb\n');
    const psMs = Date.now() - t;
    t = Date.now();
    expect(await sh(g.vm, 'docker stop -t 1 bomb', { timeoutMs: 300_000 })).toBe('bomb\n');
    // printed for the report, never asserted: guest timings follow the host's load
    console.log(`during the bomb: terminal echo ${termMs} ms, docker ps ${psMs} ms, docker stop -t 1 ${Date.now() - t} ms`);
    expect(await sh(g.vm, "docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' bomb")).toBe('exited 137\n');
    await sh(g.vm, 'docker rm bomb >/dev/null');
    expect(await sh(g.vm, `cat ${CG}/pids.current`)).toBe('0\n');
    expect(await sh(g.vm, 'docker run --rm busybox echo ok', { timeoutMs: 120_000 })).toBe('ok\n');
  }, 900_000);

  it('a memory hog is OOM-killed inside the containers\' group; per-container --memory and --pids-limit still apply', async () => {
    const t = Date.now();
    const hog = await g.vm.exec("docker run --name hog busybox sh -c 'x=a; while :; do x=$x$x; done'", { timeoutMs: 400_000 });
    expect(hog.exitCode, hog.stdout + hog.stderr + (await daemonLog())).toBe(137);
    expect(await sh(g.vm, "docker inspect -f '{{.State.OOMKilled}}' hog")).toBe('true\n');
    console.log(`memory hog: OOM-killed after ${Date.now() - t} ms; containers' group peak ${await sh(g.vm, `cat ${CG}/memory.peak 2>/dev/null || echo unknown`)}`.trim());
    await sh(g.vm, 'docker rm hog >/dev/null');
    await terminalAnswers('hog');
    expect(await sh(g.vm, "cat /var/run/docker.pid >/dev/null && docker version --format '{{.Server.Os}}'")).toBe('linux\n');
    // a container's own, smaller limits work under the budget
    const small = await g.vm.exec("docker run --rm -m 8m busybox sh -c 'x=a; while :; do x=$x$x; done'", { timeoutMs: 400_000 });
    expect(small.exitCode, small.stderr).toBe(137);
    const few = await g.vm.exec("docker run --rm --pids-limit 3 busybox sh -c 'sleep 5 & sleep 5 & sleep 5 & sleep 5 & wait'", { timeoutMs: 120_000 });
    expect(few.stderr).toMatch(/can't fork/);
    expect(await sh(g.vm, "docker ps -a --format '{{.Names}}'")).toBe('');
    expect(await sh(g.vm, 'docker run --rm busybox echo ok', { timeoutMs: 120_000 })).toBe('ok\n');
  }, 900_000);
});
